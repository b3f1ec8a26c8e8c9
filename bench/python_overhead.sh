#!/bin/sh
# Overhead of the Python binding (issue 16): vo2snn.osc(device=1, v_in=12.5, t_end=1e-3)
# from Python against the same library calls from C (bench/python_overhead.c, built here
# against build/libvo2snn.so), with the trace recorded (the default: 20001 samples, each
# passed to a Python callback) and without (trace=False). Median of REPS calls each after a
# warm-up, one thread; prints both medians and the ratio Python / C. Target: within 10 %.
# No assertion: the figures depend on the machine and its load (exit 0 unless a step fails).
#     sh bench/python_overhead.sh [REPS]          (after make; REPS default 9)
set -eu
cd "$(dirname "$0")/.."
REPS=${1:-9}
NCPU=$(nproc)
PY=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$CC -std=c11 -O2 -Iinclude -o "$T/python_overhead" bench/python_overhead.c \
    -Lbuild -lvo2snn -Wl,-rpath,"$(pwd)/build"
export OMP_NUM_THREADS=1 VO2SNN_LIBRARY="$(pwd)/build/libvo2snn.so.0" PYTHONDONTWRITEBYTECODE=1
echo "vo2snn.osc(device=1, v_in=12.5, t_end=1e-3), median of $REPS calls ($NCPU CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
for mode in trace notrace; do
    c=$("$T/python_overhead" $mode "$REPS")
    p=$("$PY" bench/python_overhead.py $mode "$REPS")
    echo "$c $p" | awk -v m=$mode '{
        if ($2 != $4) { printf "%s: frequencies differ: C %s, Python %s\n", m, $2, $4; exit 1 }
        printf "%-8s C %8.3f ms   Python %8.3f ms   Python/C %.3f (%+.1f %%)   f %.6g Hz\n",
               m, 1e3 * $1, 1e3 * $3, $3 / $1, 100 * ($3 / $1 - 1), $2 }'
done
