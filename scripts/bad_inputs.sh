#!/bin/sh
# Regenerates the bad-input table of docs/bad-inputs.md: runs vo2snn on each bad input and
# prints the exit status, the one-line message and whether any output file was left.
# Usage: sh scripts/bad_inputs.sh [DATA_DIR]   (the tests assert the same cases)
set -u
cd "$(dirname "$0")/.."
BIN=${VO2SNN_BIN:-build/vo2snn}
DATA=${1:-${VO2SNN_DATA:-../shared/data/mnist}}
T=$(mktemp -d)
mkdir -p "$T/data"
for f in train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do cp "$DATA/$f" "$T/data/"; done
head -c 100000 "$DATA/train-images-idx3-ubyte.gz" > "$T/data/train-images-idx3-ubyte.gz"         # truncated
mkdir -p "$T/magic" && cp "$T/data/"t10k* "$T/data/train-labels-idx1-ubyte.gz" "$T/magic/" &&
    printf '\000\000\011\003\000\000\000\001\000\000\000\001\000\000\000\001\377' > "$T/magic/train-images-idx3-ubyte" && rm -f "$T/magic/train-images-idx3-ubyte.gz"
mkdir -p "$T/dims" && cp "$T/magic/"* "$T/dims/" &&
    printf '\000\000\010\003\377\377\377\377\377\377\377\377\377\377\377\377' > "$T/dims/train-images-idx3-ubyte"
mkdir -p "$T/count" && cp "$DATA/"t10k* "$T/count/" && cp "$DATA/t10k-images-idx3-ubyte.gz" "$T/count/train-images-idx3-ubyte.gz" &&
    cp "$DATA/train-labels-idx1-ubyte.gz" "$T/count/"
mkdir -p "$T/big" && cp "$DATA/"t10k* "$DATA/train-labels-idx1-ubyte.gz" "$T/big/" &&
    { gzip -dc "$DATA/train-images-idx3-ubyte.gz"; printf 'extra'; } > "$T/big/train-images-idx3-ubyte"
printf 'r_met = 500 Ohm\nr_ins0 = lots\n' > "$T/dev.txt"
printf 't_s,v_v\n0,0\n2e-6,1\n1e-6,2\n' > "$T/wave.csv"
printf 'not a checkpoint' > "$T/bad.vsck"
printf 'x' > "$T/a_file"
O="$T/out.csv"
row() {   # description, then the vo2snn arguments
    desc=$1; shift
    rm -f "$O"
    msg=$("$BIN" "$@" 2>&1 >/dev/null | head -n 2 | tr '\n' ' ')
    rc=$?
    "$BIN" "$@" >/dev/null 2>&1; rc=$?
    left=no; [ -e "$O" ] && left=YES
    printf '| %s | `vo2snn %s` | %s | %s | %s |\n' "$desc" "$(echo "$*" | sed "s#$T#T#g")" "$rc" "$(echo "$msg" | sed "s#$T#T#g; s/ *$//")" "$left"
}
echo '| case | command | exit | message | output left |'
echo '|---|---|---|---|---|'
row "truncated IDX (gzip)" train --data "$T/data" --out "$T/o"
row "wrong magic / type" train --data "$T/magic" --out "$T/o"
row "dimension overflow" train --data "$T/dims" --out "$T/o"
row "image/label count mismatch" train --data "$T/count" --out "$T/o"
row "oversized IDX (trailing bytes)" train --data "$T/big" --out "$T/o"
row "missing data directory" train --data "$T/none" --out "$T/o"
row "no data directory given" train --out "$T/o"
row "unreadable checkpoint" eval --checkpoint "$T/bad.vsck" --data "$DATA"
row "missing checkpoint" eval --checkpoint "$T/none.vsck" --data "$DATA"
row "NaN parameter" osc --out "$O" --v-in nan
row "infinite parameter" osc --out "$O" --param r_met=inf
row "negative resistance" osc --out "$O" --r-series -3k
row "zero capacitance" osc --out "$O" --cap 0
row "zero thermal conductance" osc --out "$O" --param g_th=0
row "unknown unit" osc --out "$O" --v-in 12.5A
row "malformed number" osc --out "$O" --r-series 3x
row "unknown device parameter" osc --out "$O" --param nokey=3
row "unknown device model" osc --out "$O" --model vo3
row "a parameter of another model" osc --out "$O" --model switch --param r_ins0=3k
row "vacancy for a model without one" osc --out "$O" --model zhang2024 --vacancy 0.5
row "a preset the model lacks" osc --out "$O" --model zhang2024 --device 2
row "bad device file line" osc --out "$O" --device-file "$T/dev.txt"
row "missing device file" osc --out "$O" --device-file "$T/none.txt"
row "PWL times not increasing" osc --out "$O" --input pwl --pwl "$T/wave.csv"
row "range with zero points" phase --out "$O" --v-points 0
row "empty range" phase --out "$O" --r-min 5k --r-max 1k
row "unknown option" osc --out "$O" --bogus
row "unwritable output directory" osc --out "$T/a_file/sub/x.csv"
# hostile-input audit (issue 10)
printf '0,O\n1e-6,12.5\n' > "$T/typo.csv"; printf 'r_met = 600 Ohm\n' > "$T/dev_ok.txt"; printf 't_s,v_v\n0,0\n1e-6,12.5\n' > "$T/w.csv"
printf 'preset = 2\nvacancy = 0.5\n' > "$T/two.txt"; printf 'r_met = 1\nr_met = 2\n' > "$T/dup.txt"
row "output would replace the PWL input" osc --input pwl --pwl "$T/w.csv" --out "$T/w.csv"
row "output would replace the device file" osc --device-file "$T/dev_ok.txt" --out "$T/dev_ok.txt"
row "new file under /dev" osc --out /dev/vo2snn-bad-input.csv
row "PWL first row with a typo (0,O)" osc --out "$O" --input pwl --pwl "$T/typo.csv"
row "--device with --vacancy" osc --out "$O" --device 2 --vacancy 0.9
row "preset with vacancy in a device file" osc --out "$O" --device-file "$T/two.txt"
row "repeated key in a device file" osc --out "$O" --device-file "$T/dup.txt"
row "repeated --param key" osc --out "$O" --param r_met=1,r_met=2
row "c_th with tau_th" osc --out "$O" --param c_th=1n,tau_th=1u
row "series resistor at the model's limit" osc --out "$O" --r-series 1e12
row "vacancy just above 1" osc --out "$O" --param vacancy=1.0000001
row "upper-case K as kilo" osc --out "$O" --r-series 3KOHM
row "temperature with the kilo prefix" rt --out "$O" --t-lo 300k
row "inverted statistics window" osc --out "$O" --window-start 150us --window-end 100us
row "inverted voltage range" vf --out "$O" --v-min 16 --v-max 6
row "empty temperature range" rt --out "$O" --t-lo 300 --t-hi 300
row "inverted phase range, one point" phase --out "$O" --v-min 10 --v-max 5 --v-points 1
row "inverted 2x2 rate window" net2x2 --out "$O" --window-start 200us --window-end 100us
row "trace finer than the budget" iv --out "$O" --dt-out 1e-15
row "RK4 step below the budget" osc --out "$O" --method rk4 --dt 1e-15
row "checkpoint is a directory" eval --checkpoint "$T" --data "$DATA"
row "checkpoint is a device" eval --checkpoint /dev/zero --data "$DATA"
row "empty --windows item" infer --out "$O" --data "$DATA" --windows ,
row "repeated --windows item" infer --out "$O" --data "$DATA" --windows 10us,0.01ms
row "chips: not an E series" chips --out "$T/o" --data "$DATA" --e-series E7
row "chips: no chips" chips --out "$T/o" --data "$DATA" --chips 0
row "--image beyond the test set" train --data "$DATA" --image 99999 --out "$T/o"
row "MNIST data under --dataset fashion" train --data "$DATA" --dataset fashion --out "$T/o"
row "paper with a missing data directory" paper --quick --data "$T/none" --out "$T/o"
row "report with a missing device file" report --quick --device-file "$T/none.txt" --out "$T/o"
row "output in a missing root" osc --out /proc/none/x.csv
# fit (issue 13): measured data files
printf 'temp_k,r_ohm,branch\n300,1000,heating\n310,900,heating\n' > "$T/rt.csv"
printf 'temp_k,r_ohm,branch\n300,1000,heating\n310,-3,heating\n' > "$T/rt_neg.csv"
printf 't_s,v_in_v,v_osc_v\n0,11,0\n2e-6,11,1\n1e-6,11,2\n' > "$T/trace_back.csv"
printf 't_s,i_in_a,v_osc_v\n0,1e-3,0\n1e-6,1e-3,1\n' > "$T/trace_i.csv"
row "fit without data" fit --out "$O"
row "fit with a missing R-T file" fit --out "$O" --rt "$T/none.csv"
row "fit --fix with an unknown key" fit --out "$O" --rt "$T/rt.csv" --fix nope=1
row "fit --bounds outside the model's range" fit --out "$O" --rt "$T/rt.csv" --bounds t_c=1:5000
row "negative resistance in an R-T file" fit --out "$O" --rt "$T/rt_neg.csv"
row "waveform times not increasing" fit --out "$O" --trace "$T/trace_back.csv"
row "fit --t-amb against --fix t_amb" fit --out "$O" --rt "$T/rt.csv" --t-amb 325K --fix t_amb=300
row "--measured R-T file with a negative resistance" rt --out "$O" --measured "$T/rt_neg.csv"
row "--iv-series without --measured" iv --out "$O" --iv-series 1k
row "--measured waveform driven by a current, run driven by a voltage" osc --out "$O" --measured "$T/trace_i.csv"
# full disk: writes fail past 16 KiB (ulimit -f; SIGXFSZ ignored, so write() returns EFBIG)
rm -f "$O"
msg=$( (trap '' XFSZ; ulimit -f 16; "$BIN" osc --out "$O" 2>&1 >/dev/null) | head -n 2 | tr '\n' ' ')
(trap '' XFSZ; ulimit -f 16; "$BIN" osc --out "$O" >/dev/null 2>&1); rc=$?
left=no; [ -e "$O" ] && left=YES
printf '| %s | `%s` | %s | %s | %s |\n' "disk full (write fails)" "ulimit -f 16; vo2snn osc --out T/out.csv" "$rc" "$(echo "$msg" | sed "s#$T#T#g; s/ *$//")" "$left"
rm -rf "$T"
