"""The binding's entry points on tiny inputs, for scripts/valgrind.sh (memcheck of the
library as Python calls it): osc with and without a trace, a bad call (the error path),
thresholds, phase, train (a checkpoint saved and loaded), evaluate and infer.
    python3 python/tests/valgrind_entry.py CACHE_DIR OUT_DIR
CACHE_DIR: a transfer-function cache holding device 1's table (the CLI's train run in
valgrind.sh writes it), so nothing is measured under memcheck."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402

import vo2snn  # noqa: E402

cache, out = sys.argv[1], sys.argv[2]
r = vo2snn.osc(device=1, v_in=12.5, t_end=20e-6)
assert r["n_spikes"] >= 1 and r["v_osc_v"].shape == r["t_s"].shape
vo2snn.osc(device=2, v_in=12.5, t_end=20e-6, trace=False)
try:
    vo2snn.osc(device=9)
    raise SystemExit("osc(device=9) did not fail")
except vo2snn.VO2SNNError:
    pass
vo2snn.thresholds(device=3)
p = vo2snn.phase(device=1, r_series=(None, None, 2), v_in=(None, None, 2), t_run=30e-6)
assert p["regime"].shape == (2, 2)
rng = np.random.default_rng(1)
x = rng.integers(0, 256, (24, 28, 28), dtype=np.uint8)
y = rng.integers(0, 10, 24).astype(np.uint8)
ck = os.path.join(out, "py.vsck")
t = vo2snn.train(x, y, x, y, hidden=4, epochs=1, batch=8, threads=1, cache=cache,
                 checkpoint=ck, progress=lambda e: None, progress_every=8)
net = vo2snn.Network.load(ck, cache=cache)
vo2snn.evaluate(net, x, y)
vo2snn.infer(net, x, y, limit=1, window=10e-6, progress=lambda e: None)
t["network"].close()
net.close()
print("valgrind_entry: ok")
