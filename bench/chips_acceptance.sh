#!/bin/sh
# chips_acceptance.sh -- issue 14's Monte Carlo tables: accuracy of the default network against
# the D2D sigma of ln r_ins0 (0, 2, 5, 10, 20 %) and of t_c (0, 0.5, 1, 2, 4 K),
#   circuit level, 1000 images x 10 chips (--engine reference: the tables predate the fast engine);
#   the rate model on the same 10 chips and 1000 images (the two modes compared chip by chip);
#   the rate model, 10 000 images x 100 chips, for the clean network and for one trained
#   noise-aware at the largest sigma (train --d2d r_ins0=20% / t_c=4K).
# Then noise-aware training against ln r_ins0 in other settings (trained at 10 %; 15 epochs,
# trained at 15 %, against 15 clean epochs), rate model, 10 000 images x 100 chips.
# About 35 minutes on 2 cores. Usage: sh bench/chips_acceptance.sh [DATA_DIR] [OUT_DIR]
set -eu
BIN=${VO2SNN_BIN:-build/vo2snn}
DATA=${1:-../shared/data/mnist}
OUT=${2:-/tmp/vo2snn-chips}
[ -x "$BIN" ] || make -j2 >/dev/null
mkdir -p "$OUT"
# The network of the tables: train's settings as of issue 14 (MSE, lr 3e-3, batch 64, surrogate
# 0.75 V), spelled out so that the tables stay reproducible when the defaults move.
NET="--loss mse --lr 0.003 --batch 64 --surrogate 0.75 --hidden 128 --epochs 10"
train() {   # name, then extra train options
    name=$1; shift
    # shellcheck disable=SC2086
    [ -f "$OUT/$name/checkpoint.vsck" ] || "$BIN" train --data "$DATA" --out "$OUT/$name" --no-plot $NET "$@" | tail -1
}
train clean
train na_r --d2d r_ins0=20%
train na_t --d2d t_c=4K
table() {   # title, sweep.csv: sigma, mean and std accuracy (%), yield
    echo "$1"
    awk -F, 'NR > 1 { printf "  sigma %-8s accuracy %6.2f %% +- %5.2f, yield %5.1f %%\n", $1, 100 * $3, 100 * $4, 100 * $7 }' "$2"
}
for sweep in "r_ins0=0,2%,5%,10%,20%" "t_c=0,0.5K,1K,2K,4K"; do
    key=${sweep%%=*}
    na=na_r; [ "$key" = t_c ] && na=na_t
    "$BIN" chips --checkpoint "$OUT/clean/checkpoint.vsck" --data "$DATA" --chips 10 --limit 1000 --sweep "$sweep" --out "$OUT/circuit_$key" --no-plot --engine reference >/dev/null
    "$BIN" chips --checkpoint "$OUT/clean/checkpoint.vsck" --data "$DATA" --rate --chips 10 --limit 1000 --sweep "$sweep" --out "$OUT/rate10_$key" --no-plot >/dev/null
    "$BIN" chips --checkpoint "$OUT/clean/checkpoint.vsck" --data "$DATA" --rate --chips 100 --sweep "$sweep" --out "$OUT/rate_$key" --no-plot >/dev/null
    "$BIN" chips --checkpoint "$OUT/$na/checkpoint.vsck" --data "$DATA" --rate --chips 100 --sweep "$sweep" --out "$OUT/rate_${na}_$key" --no-plot >/dev/null
    table "$key: circuit, 1000 images x 10 chips" "$OUT/circuit_$key/sweep.csv"
    table "$key: rate model, the same 1000 images x 10 chips" "$OUT/rate10_$key/sweep.csv"
    table "$key: rate model, 10000 images x 100 chips, clean training" "$OUT/rate_$key/sweep.csv"
    table "$key: rate model, 10000 images x 100 chips, noise-aware training ($na)" "$OUT/rate_${na}_$key/sweep.csv"
done
train na_r10 --d2d r_ins0=10%
train na_r15e15 --d2d r_ins0=15% --epochs 15
train clean_e15 --epochs 15
for name in na_r10 na_r15e15 clean_e15; do
    "$BIN" chips --checkpoint "$OUT/$name/checkpoint.vsck" --data "$DATA" --rate --chips 100 --sweep "r_ins0=0,10%,20%" --out "$OUT/rate_$name" --no-plot >/dev/null
    table "r_ins0: rate model, 10000 images x 100 chips, $name" "$OUT/rate_$name/sweep.csv"
done
