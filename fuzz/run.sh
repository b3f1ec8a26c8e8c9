#!/bin/sh
# run.sh SECONDS BUILD_DIR TARGET... -- run each libFuzzer target (BUILD_DIR/fuzz_TARGET)
# for SECONDS on a copy of its seed corpus fuzz/corpus/TARGET (new inputs stay in
# BUILD_DIR/corpus/TARGET), with fuzz/dict/TARGET.dict if there is one. Every crash,
# timeout, leak or out-of-memory input is copied to fuzz/crashes/TARGET-<kind>-<sha1>
# (replayed by tests/test_fuzz_regress.c). Prints executions per target; exits 1 if
# any target found something. Called by `make fuzz`.
set -u
secs=$1 b=$2
shift 2
status=0
summary=""
mkdir -p fuzz/crashes
for t in "$@"; do
    bin=$b/fuzz_$t work=$b/corpus/$t art=$b/artifacts/$t log=$b/fuzz_$t.log
    rm -rf "$work" "$art"
    mkdir -p "$work" "$art"
    cp fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
    echo "== fuzz_$t: $secs s (log: $log)"
    "$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$art/" $( [ -f fuzz/dict/"$t".dict ] && echo "-dict=fuzz/dict/$t.dict" ) \
        "$work" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1)
    found=""
    for f in "$art"/*; do
        [ -f "$f" ] || continue
        dst=fuzz/crashes/$t-$(basename "$f")
        cp "$f" "$dst"
        found="$found $dst"
    done
    line="fuzz_$t: ${execs:-?} executions in $secs s ($cov)"
    if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
        status=1
        line="$line -- FOUND (exit $rc):${found:- see $log}"
        echo "-- last lines of $log:"
        grep -v '^#[0-9]' "$log" | tail -n 30
    fi
    echo "   $line"
    summary="$summary   $line
"
done
printf '== fuzz summary\n%s' "$summary"
exit $status
