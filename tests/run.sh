#!/bin/sh
# Runs each test binary; each prints "ok NAME", "SKIP NAME: why" and "FAIL NAME: why"
# lines and exits non-zero on failure. Prints the closing tally
# "N passed, N failed, N skipped".
passed=0; failed=0; skipped=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  s=$(printf '%s\n' "$out" | grep -c '^SKIP ')
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $t: exited with status $rc"; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
