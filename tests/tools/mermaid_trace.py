#!/usr/bin/env python3
"""Checks a `--trace-format mermaid` counterexample: a sequenceDiagram whose every line is a
participant, a message or a note in Mermaid's grammar, with no raw ';' or '#' (which Mermaid
reads as a statement end or an entity), that shows every segment of the text trace (deliveries
and sends as arrows, losses and duplications as notes over the network), and ends with the
violated property. Usage: mermaid_trace.py TCPCLOSE WORKDIR NAME PROPERTY CHECK-ARGS...
(CHECK-ARGS must give a violated PROPERTY and name it with --property)"""
import os, re, subprocess, sys

tool, work, name, prop = sys.argv[1:5]
out = os.path.join(work, name + ".mmd")
args = ["check", "--no-progress", "--threads", "2"] + sys.argv[5:]
p = subprocess.run([tool] + args + ["--trace-format", "mermaid", "--trace-out", out], capture_output=True, text=True)
if p.returncode != 1:
    sys.exit(f"exit {p.returncode}, expected 1:\n{p.stdout}{p.stderr}")
if f"(mermaid written to {out})" not in p.stdout:
    sys.exit("the text output does not say where the chart was written")
lines = open(out, encoding="utf-8").read().splitlines()
text = subprocess.run([tool] + args, capture_output=True, text=True).stdout

grammar = [
    r"sequenceDiagram",
    r"    participant A", r"    participant N as network", r"    participant B",
    r"    (A|B|N)->>(A|B|N): \S.*",
    r"    Note over (A|B|N|A,B): \S.*",
]
errors = []
if lines[:4] != ["sequenceDiagram", "    participant A", "    participant N as network", "    participant B"]:
    errors.append("the chart does not open with sequenceDiagram and participants A, network, B")
for i, line in enumerate(lines, 1):
    if not any(re.fullmatch(g, line) for g in grammar):
        errors.append(f"line {i} is not a participant, message or note: {line!r}")
    bare = re.sub(r"#\d+;", "", line)
    if ";" in bare or "#" in bare:
        errors.append(f"line {i} has a raw ';' or '#': {line!r}")

# Every delivered segment of the text trace is an arrow from the network, with its step number.
delivered = re.findall(r"^#(\d+)\s+net->([AB])\s+(\S+ seq=\d+(?: ack=\d+)?(?: len=\d+)?) \(inc (\d+), age", text, re.M)
if not delivered:
    errors.append("no delivered segment in the text trace")
for step, host, seg, inc in delivered:
    want = f"    N->>{host}: [{step}] {seg} (inc {inc}, age"
    if not any(l.startswith(want) for l in lines):
        errors.append(f"no arrow for step {step}: {want!r}")
# Every loss and duplication is a note over the network.
for step, what, seg, inc in re.findall(r"^#(\d+)\s+net: (lose|duplicate) (\S+ seq=\d+(?: ack=\d+)?(?: len=\d+)?) \(inc (\d+)", text, re.M):
    want = f"    Note over N: [{step}] {'lost' if what == 'lose' else 'duplicated'} {seg} (inc {inc})"
    if want not in lines:
        errors.append(f"no note for step {step}: {want!r}")
sends = re.findall(r"([AB]): [A-Z-]+ -> [A-Z-]+  \[[^]]*send ([^,\]]+)", text)
if not sends:
    errors.append("no sent segment in the text trace")
# Every segment sent ("send F. seq=..." in the text) is an arrow to the network.
for host, seg in sends:
    if not any(l.startswith(f"    {host}->>N: {seg} (inc ") for l in lines):
        errors.append(f"no arrow for {host}'s sent segment {seg!r}")
# Every state change of the text trace is in a note over its host.
changes = re.findall(r"([AB]): ([A-Z-]+) -> ([A-Z-]+)", text)
for host, a, b in changes:
    if a != b and not any(l.startswith(f"    Note over {host}: ") and f"{a} → {b}" in l for l in lines):
        errors.append(f"the state change {a} → {b} of {host} is not a note over {host}")
if not lines[-1].startswith(f"    Note over A,B: violated: {prop}: "):
    errors.append(f"the chart does not end with the violated property: {lines[-1]!r}")
if errors:
    sys.exit("\n".join(errors))
print(f"ok: {len(lines)} lines, {len(delivered)} deliveries")
