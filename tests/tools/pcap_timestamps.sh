#!/bin/sh
# With --timestamps on, the pcap's segments carry the RFC 7323 option and tshark reads it: every
# segment but a RST has a TSval; a TSval is the capture's base (1000) plus the tick it was sent
# at, so it lies between base + now - MSL and base + now (now = the frame's whole seconds), and
# the stale segment of the one-MSL TIME-WAIT counterexample is older than its delivery. TSecr
# is 0 (the model does not keep it). Usage: pcap_timestamps.sh TCPCLOSE WORKDIR
set -u
tool=$1; work=$2
pcap=$work/ts.pcap
rm -f "$pcap"
"$tool" check --no-progress --timestamps on --msl 2 --time-wait 2 --property no-stale-delivery \
  --scenario reopen-connect --trace-format pcap --trace-out "$pcap" > "$work/ts.txt"
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: check exited $rc, expected 1"; cat "$work/ts.txt"; exit 1; }
f=$work/ts.fields
tshark -r "$pcap" -o tcp.check_checksum:TRUE -T fields -E separator=' ' -e frame.number -e frame.time_relative \
  -e tcp.flags -e tcp.hdr_len -e tcp.checksum.status -e tcp.options.timestamp.tsval \
  -e tcp.options.timestamp.tsecr > "$f" 2> "$work/ts.tshark-err" ||
  { cat "$work/ts.tshark-err"; echo "FAIL: tshark could not read $pcap"; exit 1; }
cat "$f"
fail() { echo "FAIL: $*"; exit 1; }
[ "$(wc -l < "$f")" -ge 5 ] || fail "fewer than 5 frames"
awk '$5 != 1 { exit 1 }' "$f" || fail "a TCP checksum is not good"
# A RST (flag 0x04) may carry no option; every other segment has it, in a 32-byte header.
awk '{ rst = index("4567cdef", substr($3, length($3), 1)) > 0 }
     !rst && !($4 == 32 && $6 != "" && $7 == 0) { exit 1 }' "$f" ||
  fail "a segment other than a RST lacks the timestamps option, its 32-byte header or TSecr 0"
awk '$6 != "" { now = int($2); if ($6 > 1000 + now || $6 < 1000 + now - 2) exit 1 }' "$f" ||
  fail "a TSval is not base + the tick it was sent at, at most MSL (2) ticks before its delivery"
awk '$6 != "" && $6 < 1000 + int($2) { old = 1 } END { exit !old }' "$f" ||
  fail "no segment arrives older than its delivery tick (the stale one)"
echo "ok: $(wc -l < "$f") frames with TSvals"
