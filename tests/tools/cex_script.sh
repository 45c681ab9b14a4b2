#!/bin/sh
# Counterexamples as packetdrill scripts (`check --trace-format packetdrill`, docs/conformance.md
# "Counterexamples as scripts"). Usage: cex_script.sh TCPCLOSE WORKDIR MODE [TOOL]
# MODE replay: the linux profile's no-stale-delivery counterexample from A's side passes the replay
#   under linux (the translation's consistency); with tcp_rfc1337=1 set in it the replay fails at the
#   bind() that the surviving TIME-WAIT refuses (so the check can fail); B's side is refused with
#   exit 6 and no file; and each seeded mutant's counterexample, from each side, passes the replay
#   under its profile and mutant.
# MODE dryrun: Google's packetdrill (TOOL) accepts every script of the replay mode (--dry_run).
# MODE kernel: the linux script passes on this machine's kernel (TOOL = kernel-run) 5 runs of 5,
#   and fails with tcp_rfc1337=1. dryrun and kernel print "SKIPPED: ..." when they cannot run.
set -u
tcpclose=$1; work=$2; mode=$3; tool=${4:-}
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$work"
stale=$work/stale-A.pkt
control=$work/stale-A-rfc1337.pkt

# The linux profile's own counterexample: A's TIME-WAIT ended by an exact-sequence RST
# (tcp_rfc1337=0), then A's connect() on the same 4-tuple.
make_stale() {
  rm -f "$stale" "$control"
  "$tcpclose" check --no-progress --threads 2 --profile linux --scenario reopen-connect --property no-stale-delivery \
    --trace-format packetdrill --view A --trace-out "$stale" > "$work/stale.txt" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || { cat "$work/stale.txt"; fail "check exited $rc, expected 1 (violated)"; }
  [ -s "$stale" ] || fail "$stale was not written"
  # The negative control: the same script with Linux's RFC 1337 protection on.
  sed 's/^--tolerance_usecs=10000$/&\n`sysctl -q net.ipv4.tcp_rfc1337=1`/' "$stale" > "$control"
  grep -q '^`sysctl -q net.ipv4.tcp_rfc1337=1`$' "$control" || fail "the control has no sysctl line"
}

# name|exit from A|exit from B|args...: counterexamples of the seeded mutants and of linux's
# FIN-WAIT-2 timeout, each written from A and B. Exit 6: the script is refused (the second
# handshake of no-window-check from A has a new peer ISN, which packetdrill numbers from).
sweep_cases="time-wait-zero|1|1|--mutant time-wait-zero --property reliable-termination --scenario active-close
rst-kills-time-wait|1|1|--mutant rst-kills-time-wait --property time-wait-duration --scenario active-close
time-wait-one-msl|1|1|--mutant time-wait-one-msl --property time-wait-duration --scenario active-close
no-reack-in-time-wait|1|1|--mutant no-reack-in-time-wait --property reliable-termination --scenario active-close
no-time-wait-restart|1|1|--mutant no-time-wait-restart --property time-wait-duration --scenario active-close
no-window-check|6|1|--mutant no-window-check --property no-stale-delivery --scenario reopen-syn
syn-reopens-any|1|1|--mutant syn-reopens-any --property time-wait-duration --scenario reopen-syn
linux-fin-wait-2|1|1|--profile linux --property reliable-termination --scenario active-close"

case "$mode" in
replay)
  make_stale
  out=$("$tcpclose" replay --profile linux "$stale" 2>&1) || { echo "$out"; fail "the replay does not pass $stale"; }
  echo "$out" | head -1
  # What the script must hold: A's TIME-WAIT takes the RST at RCV.NXT, then the same port connects again.
  grep -q '< R 2:2(0) win 0' "$stale" || fail "no exact-sequence RST into TIME-WAIT in $stale"
  [ "$(grep -c '^ *+[0-9.]* bind(3, \.\.\., \.\.\.) = 0$' "$stale")" -eq 2 ] || fail "expected two bind() = 0 in $stale"
  out=$("$tcpclose" replay --profile linux "$control" 2>&1)
  rc=$?
  [ "$rc" -eq 1 ] || { echo "$out"; fail "the control exited $rc, expected 1 (mismatch)"; }
  echo "$out" | grep -q 'bind() returned -1 EADDRINUSE' || { echo "$out"; fail "the control fails elsewhere than bind()"; }
  echo "control: $(echo "$out" | head -1)"
  # B's side needs a second connection from one listener on one 4-tuple: refused, nothing written.
  rm -f "$work/stale-B.pkt"
  "$tcpclose" check --no-progress --threads 2 --profile linux --scenario reopen-connect --property no-stale-delivery \
    --trace-format packetdrill --trace-out "$work/stale-B.pkt" > /dev/null 2> "$work/stale-B.err"
  rc=$?
  [ "$rc" -eq 6 ] || { cat "$work/stale-B.err"; fail "B's side exited $rc, expected 6"; }
  grep -q "no script from B's side: .*second connection on the same 4-tuple" "$work/stale-B.err" || fail "no reason given"
  [ ! -e "$work/stale-B.pkt" ] || fail "a script was written for B's side"
  echo "$sweep_cases" | while IFS='|' read -r name rc_a rc_b args; do
    for view in A B; do
      f=$work/$name-$view.pkt
      want=$rc_a; [ "$view" = B ] && want=$rc_b
      rm -f "$f"
      # shellcheck disable=SC2086
      "$tcpclose" check --no-progress --threads 2 $args --trace-format packetdrill --view $view --trace-out "$f" \
        > /dev/null 2> "$work/sweep.err"
      rc=$?
      [ "$rc" -eq "$want" ] || { cat "$work/sweep.err"; fail "$name from $view: check exited $rc, expected $want"; }
      if [ "$want" -eq 6 ]; then
        grep -q "no script from $view's side: " "$work/sweep.err" || fail "$name from $view: no reason given"
        [ ! -e "$f" ] || fail "$name from $view: a refused script was written"
        echo "refused $name from $view: $(sed 's/.*: //' "$work/sweep.err" | head -c 120)"
        continue
      fi
      profile=$(sed -n 's,^// profile: ,,p' "$f")
      mutant=$(sed -n 's,^// MUTANT \([a-z0-9-]*\):.*,\1,p' "$f")
      set -- --profile "$profile"
      [ -n "$mutant" ] && set -- "$@" --mutant "$mutant"
      out=$("$tcpclose" replay "$@" "$f" 2>&1) || { echo "$out"; fail "the replay does not pass $f"; }
      echo "$out" | head -1
    done
  done || exit 1
  echo "ok: every script passes the replay; the rfc1337 control fails at bind(); B's side exits 6"
  ;;
dryrun)
  [ -x "$tool" ] || { echo "SKIPPED: $tool is absent"; exit 0; }
  n=0
  for f in "$work"/*.pkt; do
    [ -e "$f" ] || { echo "SKIPPED: no scripts in $work (run the replay mode first)"; exit 0; }
    "$tool" --dry_run "$f" > "$work/dry.out" 2>&1 || { cat "$work/dry.out"; fail "packetdrill refuses $f"; }
    n=$((n + 1))
  done
  echo "ok: packetdrill --dry_run accepts all $n scripts"
  ;;
kernel)
  [ -x "$tool" ] || { echo "SKIPPED: $tool is absent"; exit 0; }
  [ "$(id -u)" -eq 0 ] || { echo "SKIPPED: kernel-run needs root"; exit 0; }
  unshare -n true 2> /dev/null || { echo "SKIPPED: no network namespaces here"; exit 0; }
  make_stale
  # One retry, as the generated suite's kernel run does: timing on a loaded 2-core machine is noisy.
  "$tool" --runs 5 "$stale" || "$tool" --runs 5 "$stale" || fail "the kernel does not pass $stale (twice)"
  if "$tool" --runs 1 "$control" > "$work/control.out" 2>&1; then
    cat "$work/control.out"; fail "the kernel passes the script with tcp_rfc1337=1: the check cannot fail"
  fi
  grep -q 'bind call: Expected result 0 but got -1 with errno 98' "$work/control.out" ||
    { cat "$work/control.out"; fail "with tcp_rfc1337=1 the kernel fails elsewhere than bind()"; }
  echo "ok: the kernel passes the counterexample 5/5 and refuses bind() with tcp_rfc1337=1"
  ;;
*) fail "unknown mode $mode" ;;
esac
