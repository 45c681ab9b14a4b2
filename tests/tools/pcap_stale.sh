#!/bin/sh
# Writes the one-MSL TIME-WAIT counterexample as a pcap and reads it back with tshark: the
# flags, the relative sequence numbers, good checksums, and the stale ACK of incarnation 1
# completing incarnation 2's handshake. Usage: pcap_stale.sh TCPCLOSE WORKDIR
set -u
tool=$1; work=$2
pcap=$work/stale.pcap
rm -f "$pcap"
"$tool" check --no-progress --threads 2 --msl 2 --time-wait 2 --property no-stale-delivery \
  --scenario reopen-connect --trace-format pcap --trace-out "$pcap" > "$work/stale.txt"
rc=$?
fail() { echo "FAIL: $*"; echo "--- tshark:"; cat "$work/stale.fields"; exit 1; }
[ "$rc" -eq 1 ] || { echo "FAIL: check exited $rc, expected 1"; cat "$work/stale.txt"; exit 1; }
[ -s "$pcap" ] || { echo "FAIL: $pcap was not written"; exit 1; }
# One line per frame: frame, time, ip.id, src, sport, dport, stream, flags, rel seq, rel ack, len, checksums.
tshark -r "$pcap" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.relative_sequence_numbers:TRUE \
  -T fields -E separator=' ' -e frame.number -e frame.time_relative -e ip.id -e ip.src -e tcp.srcport \
  -e tcp.dstport -e tcp.stream -e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len -e tcp.checksum.status \
  -e ip.checksum.status > "$work/stale.fields" 2> "$work/stale.tshark-err" ||
  { cat "$work/stale.tshark-err"; echo "FAIL: tshark could not read $pcap"; exit 1; }
cat "$work/stale.fields"
# ip.id is printed in hex; the file gets a 14th column with it in decimal (incarnation x 1000 + step).
awk 'function hex(s,  i, v) { v = 0; for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
     { print $0, hex($3) }' "$work/stale.fields" > "$work/stale.fields2" && mv "$work/stale.fields2" "$work/stale.fields"
f=$work/stale.fields
steps=$(sed -n 's/.*shortest counterexample (\([0-9]*\) steps).*/\1/p' "$work/stale.txt")
[ -n "$steps" ] || fail "no counterexample in the text output"
# Every frame: the documented addresses and ports, and good IP and TCP checksums (status 1).
awk '!($4 == "192.0.2.1" && $5 == 21 && $6 == 23) && !($4 == "192.0.2.2" && $5 == 23 && $6 == 21) { exit 1 }' "$f" ||
  fail "a frame is not between 192.0.2.1:21 and 192.0.2.2:23"
awk '$12 != 1 || $13 != 1 { exit 1 }' "$f" || fail "a checksum is not good"
# The first connection's handshake, with relative sequence numbers: SYN 0, SYN-ACK 0 ack 1, ACK 1 ack 1.
awk 'NR == 1 && !($8 == "0x0002" && $9 == 0 && $7 == 0 && int($14 / 1000) == 1) { exit 1 }' "$f" ||
  fail "frame 1 is not incarnation 1's SYN (ip.id 1xxx), seq 0, in stream 0"
awk 'NR == 2 && !($8 == "0x0012" && $9 == 0 && $10 == 1) { exit 1 }' "$f" || fail "frame 2 is not SYN-ACK seq 0 ack 1"
awk 'NR == 3 && !($8 == "0x0010" && $9 == 1 && $10 == 1) { exit 1 }' "$f" || fail "frame 3 is not ACK seq 1 ack 1"
# Both FINs of the first connection, in stream 0.
[ "$(awk '$7 == 0 && $8 == "0x0011"' "$f" | wc -l)" -eq 2 ] || fail "expected one FIN-ACK each way in stream 0"
# The second connection: a SYN of incarnation 2 (ip.id 2xxx) starts stream 1, after two ticks (>= 2 s).
awk '$8 == "0x0002" && $7 == 1 && int($14 / 1000) == 2 && $2 >= 2 { found = 1 } END { exit !found }' "$f" ||
  fail "no SYN of incarnation 2 in stream 1 at t >= 2 s"
# The stale segment: the last frame, the trace's last step, sent by incarnation 1 (ip.id 1000 + steps),
# an ACK that tshark places in the new stream at relative seq 2, ack 1: it completes the new handshake.
want_id=$((1000 + steps))
tail -n 1 "$f" | awk -v id="$want_id" '!($14 == id && $7 == 1 && $8 == "0x0010" && $9 == 2 && $10 == 1) { exit 1 }' ||
  fail "the last frame is not incarnation 1's stale ACK (ip.id $want_id) in stream 1 at seq 2 ack 1"
echo "ok: $(wc -l < "$f") frames, stale ACK $want_id in the new connection"
