#!/bin/sh
# Issue 5 tables: (1) accuracy and energy per inference vs presentation window for the
# default device-1 network, (2) energy per inference (with its breakdown) and per spike
# for devices 1-4. Usage: sh bench/infer_table.sh [DATA_DIR] [IMAGES]
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-${VO2SNN_DATA:-../shared/data/mnist}}
N=${2:-1000}
make -s build/vo2snn
OUT=${OUT:-$(mktemp -d)}
for d in 1 2 3 4; do
    [ -f "$OUT/train_d$d/checkpoint.vsck" ] ||
        ./build/vo2snn train --data "$DATA" --device "$d" --out "$OUT/train_d$d" --no-plot --json >/dev/null 2>&1
done
get() { sed -n "s/.*\"$1\": \([-0-9.e+]*\).*/\1/p" "$2" | head -n 1; }

echo "## Accuracy and energy vs window (device 1, first $N test images)"
./build/vo2snn infer --checkpoint "$OUT/train_d1/checkpoint.vsck" --data "$DATA" --limit "$N" \
    --windows 10us,25us,50us,100us,200us --out "$OUT/windows" >/dev/null 2>"$OUT/windows.log"
printf '| window (us) | spiking acc. (%%) | rate model (%%) | same class (%%) | energy/inference (uJ) | spikes/image | energy/spike (nJ) |\n|---|---|---|---|---|---|---|\n'
awk -F, 'NR > 1 { printf "| %g | %.2f | %.2f | %.2f | %.1f | %.0f | %.1f |\n", $1*1e6, 100*$2, 100*$3, 100*$4, $5*1e6, $10, $11*1e9 }' "$OUT/windows/windows.csv"
echo "(plot: $OUT/windows/windows.png)"

echo
echo "## Energy per inference by device (50 us, first $N test images)"
printf '| device | spiking acc. (%%) | rate model (%%) | input neurons (uJ) | hidden (uJ) | output (uJ) | synapses (uJ) | total (uJ) | energy/spike (nJ) |\n|---|---|---|---|---|---|---|---|---|\n'
for d in 1 2 3 4; do
    ./build/vo2snn infer --checkpoint "$OUT/train_d$d/checkpoint.vsck" --data "$DATA" --limit "$N" \
        --out "$OUT/infer_d$d" --no-plot --json > "$OUT/d$d.json" 2>/dev/null
    j="$OUT/d$d.json"
    awk -v d="$d" -v a="$(get spiking_accuracy "$j")" -v r="$(get rate_accuracy "$j")" \
        -v i="$(get input_neurons "$j")" -v h="$(get hidden_neurons "$j")" -v o="$(get output_neurons "$j")" \
        -v s="$(get synapses "$j")" -v t="$(get total "$j")" -v e="$(get energy_per_spike_j "$j")" \
        'BEGIN { printf "| %d | %.2f | %.2f | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f |\n", d, 100*a, 100*r, i*1e6, h*1e6, o*1e6, s*1e6, t*1e6, e*1e9 }'
done
echo "(outputs under $OUT)"
