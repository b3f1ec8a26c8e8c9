#!/bin/sh
# train_shared.sh -- epoch time of `vo2snn train` (3 epochs, defaults otherwise) with 1 and 2
# threads, on an idle machine and with one competing busy process (a shell spin loop on one
# core), plus the check that every run trained the same weights (results do not depend on the
# thread count: the checksum of each run's per-epoch losses and accuracies, printed to 10
# digits, must be the same). Prints the median epoch time of each run.
#   sh bench/train_shared.sh [DATA_DIR]        # default ../shared/data/mnist; about 1 minute
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/mnist}
BIN=${BIN:-build/vo2snn}
WORK=$(mktemp -d)
trap 'kill $SPIN 2>/dev/null; rm -rf "$WORK"' EXIT
SPIN=
[ "$BIN" = build/vo2snn ] && make -s -j2 >/dev/null
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run() {   # name threads
    "$BIN" train --data "$DATA" --epochs 3 --threads "$2" --out "$WORK/$1" --no-plot >/dev/null 2>&1
    t=$(awk -F, 'NR > 1 { print $5 }' "$WORK/$1/metrics.csv" | median)
    sum=$(awk -F, '{ print $2, $3, $4 }' "$WORK/$1/metrics.csv" | cksum | cut -d' ' -f1)
    printf '%-8s threads %s  median epoch %6.3f s  losses and accuracies cksum %s\n' "$1" "$2" "$t" "$sum"
}
run idle_1 1
run idle_2 2
sh -c 'while :; do :; done' &
SPIN=$!
run busy_1 1
run busy_2 2
