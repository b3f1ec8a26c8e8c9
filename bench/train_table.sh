#!/bin/sh
# Accuracy table for issue 4: devices 1-4 x losses (MSE, cross-entropy), 10 epochs each,
# default settings otherwise. Usage: sh bench/train_table.sh [DATA_DIR]
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-${VO2SNN_DATA:-../shared/data/mnist}}
make -s build/vo2snn
OUT=$(mktemp -d)
printf '| device | V_on (V) | V_peak (V) | f_peak (kHz) | MSE test acc. (%%) | CE test acc. (%%) | s/epoch |\n|---|---|---|---|---|---|---|\n'
for d in 1 2 3 4; do
    row="| $d"
    for loss in mse ce; do
        json=$(./build/vo2snn train --data "$DATA" --device "$d" --loss "$loss" --out "$OUT/d$d$loss" --no-plot --json 2>/dev/null)
        acc=$(printf '%s' "$json" | sed -n 's/.*"test_accuracy": \([0-9.e-]*\).*/\1/p')
        secs=$(printf '%s' "$json" | sed -n 's/.*"train_seconds": \([0-9.e-]*\).*/\1/p')
        if [ "$loss" = mse ]; then
            von=$(printf '%s' "$json" | sed -n 's/.*"transfer_v_on_v": \([0-9.e-]*\).*/\1/p')
            vpk=$(printf '%s' "$json" | sed -n 's/.*"transfer_v_peak_v": \([0-9.e-]*\).*/\1/p')
            fpk=$(printf '%s' "$json" | sed -n 's/.*"transfer_f_peak_hz": \([0-9.e-]*\).*/\1/p')
            row="$row | $(printf '%.2f' "$von") | $(printf '%.2f' "$vpk") | $(awk "BEGIN{printf \"%.1f\", $fpk/1e3}")"
            mse_secs=$secs
        fi
        row="$row | $(awk "BEGIN{printf \"%.2f\", 100*$acc}")"
    done
    echo "$row | $(awk "BEGIN{printf \"%.2f\", $mse_secs/10}") |"
done
rm -rf "$OUT"
