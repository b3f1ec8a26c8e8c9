#!/bin/sh
# The Python binding's tests (python/tests, unittest) against this build's libvo2snn.so,
# with the C tests' ok/FAIL/SKIP lines (tests/run.sh). Set by `make test`: VO2SNN_LIBRARY
# (the .so), VO2SNN_BIN (the CLI, for agreement checks), PYTHON (Debian's python3).
# SKIP: under the sanitizers (python3 cannot load an ASan library without preloading the
# runtime), or without numpy (FAIL instead with VO2SNN_REQUIRE_DEPS=1: setup.sh installs
# python3-numpy).
py=${PYTHON:-python3}
if [ -n "${VO2SNN_SANITIZED:-}" ]; then
    echo "SKIP python: the sanitizer build's library is not loadable into python3"; exit 0
fi
if ! command -v "$py" >/dev/null 2>&1; then
    echo "SKIP python: no $py"; exit 0
fi
if ! "$py" -c "import numpy" 2>/dev/null; then
    if [ "${VO2SNN_REQUIRE_DEPS:-}" = 1 ]; then
        echo "FAIL python: $py has no numpy (Debian package python3-numpy, scripts/setup.sh)"; exit 1
    fi
    echo "SKIP python: $py has no numpy (Debian package python3-numpy, scripts/setup.sh)"; exit 0
fi
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in the source tree
export VO2SNN_LIBRARY="${VO2SNN_LIBRARY:-build/libvo2snn.so.0}"
exec "$py" python/tests/run.py
