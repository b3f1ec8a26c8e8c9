#!/bin/sh
# noise_aware.sh -- issue 14: does noise-aware training (train --d2d) beat clean training on
# varied chips? For each loss (mse and ce) and each training seed, a clean network and
# noise-aware ones (r_ins0 = 10 %, t_c = 4 K) are trained with issue 14's settings otherwise
# (lr 3e-3, batch 64, surrogate 0.75 V, 128 hidden, 10 epochs), then scored in the rate model (chips --rate) on CHIPS chips x 10 000 test images
# at sigma 0, 10 % and 20 % of ln r_ins0 and 0, 2 K and 4 K of t_c (one run per sigma 0: its
# chips are all alike). Prints, per variant and sigma, the mean over seeds of the chip-mean
# accuracy and its spread over seeds (std, n - 1).
# Usage: sh bench/noise_aware.sh [DATA_DIR] [OUT_DIR] [CHIPS] [SEEDS]
#   defaults: ../shared/data/mnist /tmp/vo2snn-na 100 "1 2 3"  (about 1 h on 2 cores)
set -eu
BIN=${VO2SNN_BIN:-build/vo2snn}
DATA=${1:-../shared/data/mnist}
OUT=${2:-/tmp/vo2snn-na}
CHIPS=${3:-100}
SEEDS=${4:-1 2 3}
[ -x "$BIN" ] || make -j2 >/dev/null
mkdir -p "$OUT"
score() {   # dir key sigmas: appends "key sigma accuracy" lines to dir/scores
    d=$1; key=$2; sig=$3
    "$BIN" chips --checkpoint "$d/checkpoint.vsck" --data "$DATA" --rate --chips 1 --out "$d/s0" --no-plot >/dev/null 2>&1
    awk -F, -v k="$key" 'NR == 2 { print k, 0, $2 }' "$d/s0/chips.csv" >>"$d/scores"
    "$BIN" chips --checkpoint "$d/checkpoint.vsck" --data "$DATA" --rate --chips "$CHIPS" --sweep "$key=$sig" \
        --out "$d/$key" --no-plot >/dev/null 2>&1
    awk -F, -v k="$key" 'NR > 1 { print k, $1, $3 }' "$d/$key/sweep.csv" >>"$d/scores"
}
for loss in mse ce; do
    for seed in $SEEDS; do
        for v in clean na_r10 na_t4; do
            d="$OUT/${loss}_${v}_s$seed"
            [ -f "$d/scores" ] && continue
            case $v in clean) extra= ;; na_r10) extra="--d2d r_ins0=10%" ;; na_t4) extra="--d2d t_c=4K" ;; esac
            mkdir -p "$d"
            # shellcheck disable=SC2086
            "$BIN" train --data "$DATA" --out "$d" --no-plot --loss "$loss" --seed "$seed" \
                --lr 0.003 --batch 64 --surrogate 0.75 --hidden 128 --epochs 10 $extra >/dev/null 2>&1
            [ "$v" != na_t4 ] && score "$d" r_ins0 "10%,20%"
            [ "$v" != na_r10 ] && score "$d" t_c "2K,4K"
        done
    done
done
echo "variant      term    sigma  accuracy % (mean over seeds $SEEDS, +- std over seeds)"
for loss in mse ce; do
    for v in clean na_r10 na_t4; do
        cat "$OUT/${loss}_${v}"_s*/scores | awk -v n="${loss}_$v" '
            { k = $1 " " $2; s[k] += $3; q[k] += $3 * $3; c[k]++ }
            END { for (k in s) { m = s[k] / c[k]; v = c[k] > 1 ? (q[k] - c[k] * m * m) / (c[k] - 1) : 0;
                  split(k, a, " "); printf "%-12s %-7s %-6s %6.2f +- %4.2f\n", n, a[1], a[2], 100 * m, 100 * sqrt(v > 0 ? v : 0) } }' |
            sort -k2,2 -k3,3g
    done
done
