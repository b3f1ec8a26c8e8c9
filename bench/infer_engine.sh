#!/bin/sh
# infer_engine.sh -- `vo2snn infer` on the full MNIST test set with the fast engine (the default,
# REPEATS runs, median images/s) and with --engine reference (once), in the same run and on the
# same threads: images/s of both and their ratio, both spiking accuracies, the share of images
# given the same class, spikes and the energy per inference of both (docs/engine.md).
#
#   sh bench/infer_engine.sh [DATA_DIR]        # default ../shared/data/mnist
#
# Environment: BIN (default build/vo2snn, built with make if it is the default), WORK (default
# /tmp/infer_engine), CKPT (default $WORK/train/checkpoint.vsck, trained if missing), LIMIT (test
# images, default all), REPEATS (3), THREADS (2), PY (python3).
# Timings are wall clock: on a machine shared with other work they are only indicative.
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/mnist}
BIN=${BIN:-build/vo2snn}
WORK=${WORK:-/tmp/infer_engine}
CKPT=${CKPT:-$WORK/train/checkpoint.vsck}
LIMIT=${LIMIT:-}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-2}
PY=${PY:-python3}
mkdir -p "$WORK"

[ "$BIN" = build/vo2snn ] && make -s -j2 >/dev/null
if [ ! -f "$CKPT" ]; then
    echo "== training a checkpoint into $(dirname "$CKPT")" >&2
    "$BIN" train --data "$DATA" --out "$(dirname "$CKPT")" --no-plot >/dev/null
fi
LIMIT_OPT=""
[ -n "$LIMIT" ] && LIMIT_OPT="--limit $LIMIT"

# run ENGINE DIR: one infer run, its summary.json and images.csv under DIR
run() {
    "$BIN" infer --checkpoint "$CKPT" --data "$DATA" --engine "$1" --threads "$THREADS" --no-plot \
        --out "$2" --json $LIMIT_OPT >"$2.json" 2>/dev/null
}

speeds=""
for i in $(seq 1 "$REPEATS"); do
    echo "== fast engine, run $i of $REPEATS" >&2
    run fast "$WORK/fast$i"
    speeds="$speeds $("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["images_per_second"])' "$WORK/fast$i.json")"
done
echo "== reference engine" >&2
run reference "$WORK/reference"

"$PY" - "$WORK" "$REPEATS" "$THREADS" $speeds <<'EOF'
import csv, json, statistics, sys
work, reps, threads, speeds = sys.argv[1], int(sys.argv[2]), sys.argv[3], [float(s) for s in sys.argv[4:]]
fast, ref = json.load(open(f"{work}/fast1.json")), json.load(open(f"{work}/reference.json"))
rows_f = list(csv.DictReader(open(f"{work}/fast1/images.csv")))
rows_r = list(csv.DictReader(open(f"{work}/reference/images.csv")))
n = len(rows_r)
same = sum(a["spike_pred"] == b["spike_pred"] for a, b in zip(rows_f, rows_r))
med = statistics.median(speeds)
ran = fast["circuit_network"]["engine"]
print(f"images: {n}, threads: {threads}" + ("" if ran == "fast" else f" (warning: the default ran the {ran} engine)"))
print(f"fast engine:      {med:8.1f} images/s (median of {reps}: {', '.join(f'{s:.1f}' for s in speeds)})")
print(f"reference engine: {ref['images_per_second']:8.1f} images/s")
print(f"speed-up:         {med / ref['images_per_second']:8.2f} x")
print(f"spiking accuracy: fast {100 * fast['spiking_accuracy']:.2f} %, reference {100 * ref['spiking_accuracy']:.2f} %"
      f" (difference {100 * (fast['spiking_accuracy'] - ref['spiking_accuracy']):+.2f} pp)")
print(f"same class:       {same} of {n} images ({100 * same / n:.2f} %)")
ef, er = fast["energy_per_inference_j"]["total"], ref["energy_per_inference_j"]["total"]
print(f"energy/inference: fast {ef:.5g} J, reference {er:.5g} J ({100 * (ef / er - 1):+.3f} %)")
for part in ("input_neurons", "hidden_neurons", "output_neurons", "synapses"):
    a, b = fast["energy_per_inference_j"][part], ref["energy_per_inference_j"][part]
    print(f"  {part:15s} fast {a:.5g} J, reference {b:.5g} J ({100 * (a / b - 1):+.3f} %)")
for layer in ("input_layer", "hidden_layer", "output_layer"):
    a, b = fast["spikes_per_image"][layer], ref["spikes_per_image"][layer]
    print(f"spikes/image {layer:12s} fast {a:.2f}, reference {b:.2f} ({100 * (a / b - 1):+.2f} %)")
EOF
