#!/bin/sh
# bench_infer.sh -- circuit-level inference of `vo2snn infer` (fast and reference engines)
# against Brian2 (Debian's python3-brian 2.5, cpp_standalone with OpenMP) simulating the same
# 784-128-10 network of VO2 relaxation-oscillator neurons on the same test images
# (bench/brian2_net.py). Same work on both sides:
#   * the input layer's 256 grey-level V_spike waveforms computed once, outside the timed region,
#     by each simulator itself (vo2snn: when the network is built; Brian2: a 256-neuron run);
#   * layers coupled on the 100 ns grid (vo2snn --dt-grid; Brian2's synaptic sums on a 100 ns clock);
#   * every hidden and output neuron the full device-and-circuit model for 50 us per image;
#   * the same N test images, the same threads; simulation time only (vo2snn: `seconds` of its
#     JSON, the image loop; Brian2: the binary's network-run time, no compilation or loading).
# Brian2's neuron dt is the largest of DTS whose spike counts (and those of every smaller dt in
# DTS) match its finest dt's (the sweep is printed); vo2snn's integrators are adaptive.
#
#   apt-get install python3-brian python3-numpy g++
#   sh bench/bench_infer.sh [DATA_DIR]        # default ../shared/data/mnist; ~8-9 min idle
#
# Environment: WORK (/tmp/b2bench), CKPT ($WORK/train/checkpoint.vsck, trained if missing),
# N_IMAGES (100, timed images, both sides), N_SWEEP (20, images of the dt sweep),
# DTS ("5 10 25 50 100", ns, each dividing 100), DT (ns: skip the choice, use this dt),
# TOL_PCT (1: a dt keeps the spike counts when the hidden and output spikes of the sweep images
# are within TOL_PCT % of the finest dt's and every class is the same), REPEATS (3 alternating
# timed rounds), THREADS (2), B2_ONE_THREAD (1: also Brian2 and vo2snn on 1 thread),
# PY (/usr/bin/python3), IDLE_PCT (15), IDLE_MAX_S (60).
set -eu
cd "$(dirname "$0")/.."
DATA=${1:-../shared/data/mnist}
WORK=${WORK:-/tmp/b2bench}
CKPT=${CKPT:-$WORK/train/checkpoint.vsck}
N_IMAGES=${N_IMAGES:-100}
N_SWEEP=${N_SWEEP:-20}
DTS=${DTS:-"5 10 25 50 100"}
TOL_PCT=${TOL_PCT:-1}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-2}
B2_ONE_THREAD=${B2_ONE_THREAD:-1}
PY=${PY:-/usr/bin/python3}
IDLE_PCT=${IDLE_PCT:-15}
IDLE_MAX_S=${IDLE_MAX_S:-60}
mkdir -p "$WORK"
LOG=$WORK/bench_infer.log
: >"$LOG"

json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# CPU busy fraction (%) over 3 s from /proc/stat
busy_pct() {
    a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
    sleep 3
    b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
    echo "$a $b" | awk '{t=$3-$1; i=$4-$2; p=0; if (t > 0) p=100*(t-i)/t; printf "%.0f", p}'
}
NOT_IDLE=0
wait_idle() {
    t0=$(date +%s)
    while :; do
        p=$(busy_pct)
        [ "$p" -lt "$IDLE_PCT" ] && return 0
        if [ $(( $(date +%s) - t0 )) -ge "$IDLE_MAX_S" ]; then
            echo "  warning: CPUs still ${p} % busy after ${IDLE_MAX_S} s; timing anyway" >&2
            NOT_IDLE=$((NOT_IDLE + 1))
            return 0
        fi
    done
}

echo "== build" >&2
make -s -j2 >/dev/null
"$PY" -c 'import brian2' 2>/dev/null || { echo "bench_infer.sh: $PY cannot import brian2 (apt-get install python3-brian)" >&2; exit 1; }
if [ ! -f "$CKPT" ]; then
    echo "== training a checkpoint into $(dirname "$CKPT")" >&2
    ./build/vo2snn train --data "$DATA" --out "$(dirname "$CKPT")" --no-plot >>"$LOG" 2>&1
fi

# vo2snn ENGINE THREADS N: one infer run; prints its inference seconds (JSON 'seconds')
run_vo2snn() {
    OMP_NUM_THREADS=$2 ./build/vo2snn infer --checkpoint "$CKPT" --data "$DATA" --limit "$3" --threads "$2" \
        --engine "$1" --no-plot --json --out "$WORK/infer_$1_$3" >"$WORK/infer_$1_$3.json" 2>>"$LOG"
    json_get "$WORK/infer_$1_$3.json" seconds
}
# brian2 DIR: run the compiled binary; prints its network-run seconds
run_brian2() {
    (cd "$1" && ./main >/dev/null 2>>"$LOG")
    awk '{print $1}' "$1/results/last_run_info.txt"
}

echo "== vo2snn on the sweep images (untimed, for the spike counts)" >&2
for e in fast reference; do run_vo2snn "$e" "$THREADS" "$N_SWEEP" >/dev/null; done

echo "== Brian2 dt sweep, $N_SWEEP images, $THREADS threads (generate + compile each, compile excluded)" >&2
for d in $DTS; do
    "$PY" bench/brian2_net.py --checkpoint "$CKPT" --data "$DATA" --images "$N_SWEEP" --dt "${d}e-9" \
        --threads "$THREADS" --repeats 1 --work "$WORK" --dir "$WORK/sweep_dt$d" >"$WORK/sweep_dt$d.json" 2>>"$LOG"
    echo "   dt $d ns done" >&2
done
DT_SEL=$("$PY" - "$WORK" "$N_SWEEP" "$TOL_PCT" "${DT:-}" $DTS <<'EOF'
import csv, json, sys
work, n, tol, forced, dts = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5:]
def vo(e):
    return list(csv.DictReader(open(f"{work}/infer_{e}_{n}/images.csv")))
vf, vr = vo("fast"), vo("reference")
b = {d: json.load(open(f"{work}/sweep_dt{d}.json")) for d in dts}
ref = b[dts[0]]
out = open(f"{work}/sweep.txt", "w")
print(f"Brian2 spike counts against its neuron dt ({n} images, summed; same class: of {n} images)", file=out)
print(f"{'':22s}{'input':>8s}{'hidden':>8s}{'output':>8s}{'accuracy':>10s}{'same class as':>15s}"
      f"{'':>10s}{'net run s/img':>15s}{'same count':>12s}", file=out)
print(f"{'':62s}{'dt ' + dts[0] + ' ns':>11s}{'vo2snn fast':>13s}{'':15s}{'as dt ' + dts[0] + ' ns':>12s}", file=out)
for lab, rows in (("vo2snn fast", vf), ("vo2snn reference", vr)):
    s = [sum(int(r[k]) for r in rows) for k in ("input_spikes", "hidden_spikes", "output_spikes")]
    acc = sum(r["spike_pred"] == r["label"] for r in rows) / n
    same = sum(a["spike_pred"] == c["spike_pred"] for a, c in zip(rows, vf))
    print(f"{lab:22s}{s[0]:8d}{s[1]:8d}{s[2]:8d}{100 * acc:9.1f}%{'':>11s}{same:13d}", file=out)
choice, stop = None, None
for d in dts:
    j = b[d]
    s = [sum(j["spikes_input"]), sum(j["spikes_hidden"]), sum(j["spikes_output"])]
    same0 = sum(p == q for p, q in zip(j["predicted"], ref["predicted"]))
    samev = sum(p == int(r["spike_pred"]) for p, r in zip(j["predicted"], vf))
    # hidden and output neurons (of every image) whose spike count equals the finest dt's
    pairs = [(a, c) for x, y in ((j["hidden_counts"], ref["hidden_counts"]), (j["output_counts"], ref["output_counts"]))
             for ra, rc in zip(x, y) for a, c in zip(ra, rc)]
    same_n = sum(a == c for a, c in pairs) / len(pairs)
    print(f"{'Brian2 dt ' + d + ' ns':22s}{s[0]:8d}{s[1]:8d}{s[2]:8d}{100 * j['accuracy']:9.1f}%{same0:11d}{samev:13d}"
          f"{j['network_run_s_median'] / n:15.4g}{100 * same_n:11.1f}%", file=out)
    r0 = [sum(ref["spikes_hidden"]), sum(ref["spikes_output"])]
    ok = all(abs(a - c) <= tol / 100 * c for a, c in zip(s[1:], r0)) and same0 == n
    if ok and stop is None:
        choice = d
    elif not ok and stop is None:
        stop = d
print("(same count as dt " + dts[0] + " ns: hidden and output neurons x images whose spike count is the same)", file=out)
print(f"largest dt whose hidden and output spikes (and those of every smaller dt) are within {tol:g} % of "
      f"dt {dts[0]} ns with every class the same: {choice} ns" + (f" (overridden: DT={forced})" if forced else ""), file=out)
print(forced or choice or dts[0])
EOF
)
cat "$WORK/sweep.txt"
echo
echo "== Brian2 at dt $DT_SEL ns, $N_IMAGES images: generate + compile ($THREADS threads$( [ "$B2_ONE_THREAD" = 1 ] && echo ' and 1 thread'))" >&2
B2T="$THREADS"; [ "$B2_ONE_THREAD" = 1 ] && [ "$THREADS" != 1 ] && B2T="$THREADS 1"
for t in $B2T; do
    "$PY" bench/brian2_net.py --checkpoint "$CKPT" --data "$DATA" --images "$N_IMAGES" --dt "${DT_SEL}e-9" \
        --threads "$t" --repeats 1 --work "$WORK" --dir "$WORK/brian2_t$t" >"$WORK/brian2_t$t.json" 2>>"$LOG"
done
echo "== vo2snn on the $N_IMAGES images (warm-up and spike counts)" >&2
for e in fast reference; do run_vo2snn "$e" "$THREADS" "$N_IMAGES" >/dev/null; done
cp "$WORK/infer_fast_$N_IMAGES/images.csv" "$WORK/images_fast.csv"
cp "$WORK/infer_reference_$N_IMAGES/images.csv" "$WORK/images_reference.csv"

: >"$WORK/times.txt"
r=1
while [ "$r" -le "$REPEATS" ]; do
    for t in $B2T; do
        for e in fast reference; do
            wait_idle
            s=$(run_vo2snn "$e" "$t" "$N_IMAGES")
            echo "vo2snn_${e}_$t $s" >>"$WORK/times.txt"
            echo "  round $r: vo2snn $e, $t thread(s), $N_IMAGES images: $s s" >&2
        done
        wait_idle
        s=$(run_brian2 "$WORK/brian2_t$t")
        echo "brian2_$t $s" >>"$WORK/times.txt"
        echo "  round $r: Brian2 dt $DT_SEL ns, $t thread(s), $N_IMAGES images: network run $s s" >&2
    done
    r=$((r + 1))
done

"$PY" - "$WORK" "$N_IMAGES" "$DT_SEL" "$THREADS" "$B2T" "$NOT_IDLE" "$REPEATS" <<'EOF'
import csv, json, statistics, sys
work, n, dt, T, b2t, not_idle, reps = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split(), \
    int(sys.argv[6]), sys.argv[7]
times = {}
for line in open(f"{work}/times.txt"):
    k, v = line.split()
    times.setdefault(k, []).append(float(v))
med = {k: statistics.median(v) for k, v in times.items()}
b = {t: json.load(open(f"{work}/brian2_t{t}.json")) for t in b2t}
vf = list(csv.DictReader(open(f"{work}/images_fast.csv")))
vr = list(csv.DictReader(open(f"{work}/images_reference.csv")))
bj = b[b2t[0]]
print(f"== vo2snn infer vs Brian2 {bj['brian2_version']} (cpp_standalone, OpenMP), {n} MNIST test images x "
      f"{bj['window_s'] * 1e6:g} us, layers coupled every {bj['dt_grid_s'] * 1e9:g} ns, grey-level input waveforms "
      f"precomputed on both sides; Brian2 neurons rk4 at dt {dt} ns; simulation time only, medians of {reps} "
      f"alternating runs")
print(f"{'':36s}{'s (N images)':>14s}{'ms/image':>10s}{'Brian2 / this':>15s}")
for t in b2t:
    bs = med[f"brian2_{t}"]
    for e in ("fast", "reference"):
        v = med[f"vo2snn_{e}_{t}"]
        print(f"{'vo2snn ' + e + ', ' + t + ' thread(s)':36s}{v:14.4g}{1e3 * v / n:10.3g}{bs / v:14.1f}x")
    print(f"{'Brian2, ' + t + ' thread(s)':36s}{bs:14.4g}{1e3 * bs / n:10.3g}"
          f"   (compile {b[t]['build_s']:.0f} s and grey-level waves {b[t]['waves_network_run_s']:.2f} s, excluded)")
print()
print("same work (all images above; spikes per image, mean):")
print(f"{'':22s}{'accuracy':>9s}{'input':>9s}{'hidden':>9s}{'output':>9s}{'same class as vo2snn fast':>27s}")
def row(lab, acc, si, sh, so, same):
    print(f"{lab:22s}{100 * acc:8.1f}%{si:9.1f}{sh:9.1f}{so:9.2f}{same:>20d} of {n}")
for lab, rows in (("vo2snn fast", vf), ("vo2snn reference", vr)):
    row(lab, sum(r["spike_pred"] == r["label"] for r in rows) / n,
        *[sum(int(r[k]) for r in rows) / n for k in ("input_spikes", "hidden_spikes", "output_spikes")],
        sum(a["spike_pred"] == c["spike_pred"] for a, c in zip(rows, vf)))
row(f"Brian2 dt {dt} ns", bj["accuracy"], sum(bj["spikes_input"]) / n, sum(bj["spikes_hidden"]) / n,
    sum(bj["spikes_output"]) / n, sum(p == int(r["spike_pred"]) for p, r in zip(bj["predicted"], vf)))
dh = [abs(h - int(r["hidden_spikes"])) for h, r in zip(bj["spikes_hidden"], vf)]
print(f"Brian2 vs vo2snn fast, hidden spikes per image: mean |difference| {statistics.mean(dh):.1f} "
      f"({100 * sum(dh) / max(1, sum(int(r['hidden_spikes']) for r in vf)):.2f} %)")
if not_idle:
    print(f"warning: {not_idle} timed run(s) started on a busy machine")
EOF
