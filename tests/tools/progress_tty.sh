#!/bin/sh
# On a terminal (a pseudo-terminal made by script(1)), long check runs draw one live line
# redrawn with \r and cleared at the end, and print no plain progress lines.
# Usage: progress_tty.sh TCPCLOSE WORKDIR
set -u
tool=$1; out=$2/progress-tty.out
command -v script > /dev/null || { echo "script(1) (util-linux) is missing"; exit 1; }
# --progress-every 0 reports after every BFS level, so the test does not depend on the speed.
script -qec "'$tool' check --threads 1 --scenario abort --progress-every 0 --max-states 200000" /dev/null > "$out" 2>&1
rc=$?
cr=$(printf '\r'); esc=$(printf '\033')
fail() { echo "FAIL: $*"; od -c "$out" | head -40; exit 1; }
[ "$rc" -eq 3 ] || fail "exit $rc, expected 3 (--max-states)"
grep -q "${cr}\[1/1\] abort  [0-9.]*[kMG]* states  [0-9.]*[kMG]*/s  queue [0-9.]*[kMG]*  depth [0-9]*  mem [0-9.]* GiB  0:0[0-9]${esc}\[K" "$out" ||
  fail "no live line"
grep -q "${cr}${esc}\[K" "$out" || fail "the live line is never cleared"
! grep -q "^progress:" "$out" || fail "plain progress lines on a terminal"
grep -q "^scenario .*states" "$out" || fail "no table after the progress line"
echo "ok: live line drawn and cleared"
