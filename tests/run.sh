#!/bin/sh
# Runs each test binary; each prints "ok NAME", "SKIP NAME: why" and "FAIL NAME: why"
# lines and exits non-zero on failure. Prints the closing tally
# "N passed, N failed, N skipped": a SKIP is never counted as a pass, and the skipped
# tests are listed again above the tally. With VO2SNN_REQUIRE_DEPS=1 (as .ci/run sets it)
# a test that would skip for want of a tool scripts/setup.sh installs fails instead
# (tests/check.h, CHECK_SKIP_DEP); optional data such as Fashion-MNIST still skips.
passed=0; failed=0; skipped=0; skips=""
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
  s=$(printf '%s\n' "$out" | grep -c '^SKIP ')
  if [ "$s" -gt 0 ]; then skips="$skips$(printf '%s\n' "$out" | grep '^SKIP ' | sed "s|^SKIP |  ${t##*/}: |")
"; fi
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $t: exited with status $rc"; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
if [ "$skipped" -gt 0 ]; then printf 'skipped:\n%s' "$skips"; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
