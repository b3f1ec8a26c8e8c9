#!/bin/sh
# fit_example.sh -- the example session of docs/fit.md: device 2 "measured" with vo2snn
# itself, fitted from device 4; then the same data with 1 % noise (mawk's rand(), seed 1),
# thinned, every other f-V point held out; then R-T alone. Prints every command and its
# output. Run from the repository root: sh scripts/fit_example.sh [DIR] (default a temp dir).
set -eu
BIN=$(pwd)/${VO2SNN_BIN:-build/vo2snn}
[ -x "$BIN" ] || make -j2 >/dev/null
DIR=${1:-$(mktemp -d)}
mkdir -p "$DIR/meas" && cd "$DIR"
vo2snn() { "$BIN" "$@"; }
run() { echo "\$ $*"; eval "$@"; }
run vo2snn rt --device 2 --out meas/rt.csv
run 'vo2snn iv --device 2 --out meas/iv.csv > /dev/null      # meas/iv_scurve.csv: the S-curve'
run 'vo2snn vf --devices 2 --v-step 0.5 --out meas/vf.csv > /dev/null'
run vo2snn fit --device 4 --rt meas/rt.csv --iv meas/iv_scurve.csv --fv meas/vf.csv
run 'vo2snn params --device-file out/fit/device.txt | tail -1'
N='function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()) } BEGIN { FS = OFS = ","; srand(1) }'
awk "$N"' NR == 1 { print "temp_k,r_ohm,branch"; next } NR % 8 == 2 { print $1, $2 * (1 + 0.01 * gauss()), "heating"; print $1, $3 * (1 + 0.01 * gauss()), "cooling" }' meas/rt.csv > meas/rt_noisy.csv
awk "$N"' NR == 1 { print "v_dev_v,i_a,branch"; next } NR % 10 == 2 { print $3 * (1 + 0.01 * gauss()), $4, ($6 == "heating" ? "up" : "down") }' meas/iv_scurve.csv > meas/iv_noisy.csv
awk "$N"' NR == 1 { print "v_in_v,freq_hz"; next } NR % 2 == 0 { print $3, $4 * (1 + 0.01 * gauss()) }' meas/vf.csv > meas/fv_noisy.csv
awk "$N"' NR == 1 { print "v_in_v,freq_hz"; next } NR % 2 == 1 { print $3, $4 * (1 + 0.01 * gauss()) }' meas/vf.csv > meas/fv_check.csv
echo "(noisy files made as in docs/fit.md)"
run vo2snn fit --device 4 --rt meas/rt_noisy.csv --iv meas/iv_noisy.csv --fv meas/fv_noisy.csv --fv-check meas/fv_check.csv --name \"sample A\" --out out/fit/sample_a.txt
run 'vo2snn fit --device 4 --rt meas/rt_noisy.csv --out out/fit/rt_only.txt --no-plot | tail -3'
