#!/usr/bin/env python3
"""Checks that docs/json.md and `tcpclose check --json` list the same fields.
Usage: json_fields.py DOC TCPCLOSE WORKDIR. Runs five checks (violated with --trace-out,
holding with the liveness half, incomplete, incomplete with an unwritable --junit, violated with
--timestamps on); every documented field must appear in at least
one output, and every field of every output must be documented. Exit 1 on any difference."""
import json, os, re, subprocess, sys

doc, tool, work = sys.argv[1], sys.argv[2], sys.argv[3]
documented = set()
for line in open(doc, encoding="utf-8"):
    if line.startswith("# `tcpclose prove --json`"):
        break  # the prove schema below is checked by proofs.cli.junit_report_parses_back
    m = re.match(r"\| `([^`]+)` \|", line)
    if m:
        documented.add(m.group(1))
if len(documented) < 20:
    sys.exit(f"{doc}: found only {len(documented)} documented fields; is the table format intact?")

runs = [
    (["--msl", "2", "--time-wait", "2", "--property", "no-stale-delivery", "--scenario", "reopen-connect", "--loss", "0", "--dup", "0",
      "--trace-out", os.path.join(work, "json-fields.txt")], 1),
    (["--scenario", "early-close", "--property", "both-closed", "--loss", "0", "--dup", "0", "--delay", "0"], 0),
    (["--scenario", "half-close", "--max-states", "1000"], 3),
    (["--scenario", "half-close", "--max-states", "1000", "--junit", "/dev/full"], 3),  # report_errors
    # --timestamps on: the segments' timestamps and ts_val (the one-MSL world's old FIN, PAWS off)
    (["--msl", "2", "--time-wait", "2", "--loss", "0", "--dup", "0", "--delay", "1", "--scenario", "reopen-connect",
      "--timestamps", "on", "--paws", "off", "--property", "no-stale-data"], 1),
]
seen = set()

def walk(v, path):
    if path:
        seen.add(path)
    if isinstance(v, dict):
        keyed = path + ".*" in documented  # an object keyed by names (properties, guards)
        for k, x in v.items():
            walk(x, path + ".*" if keyed else (path + "." + k if path else k))
    elif isinstance(v, list):
        for x in v:
            # trace steps are documented once, under trace[]
            walk(x, "trace[]" if path.endswith("trace") else path + "[]")

for args, code in runs:
    p = subprocess.run([tool, "check", "--json", "--no-progress", "--threads", "2"] + args,
                       capture_output=True, text=True)
    if p.returncode != code:
        sys.exit(f"check {' '.join(args)} exited {p.returncode}, expected {code}:\n{p.stderr}")
    out = json.loads(p.stdout)
    if out.get("version") != 1:
        sys.exit(f"version is {out.get('version')!r}, expected 1")
    if out["exit_code"] != code:
        sys.exit(f"exit_code is {out['exit_code']}, the process exited {code}")
    for sc in out["scenarios"]:
        live = sc["liveness"]
        if live["checked"] and not 0 <= live["seconds"] <= sc["seconds"]:
            sys.exit(f"{sc['scenario']}: liveness.seconds {live['seconds']} is not within the search's {sc['seconds']}")
    walk(out, "")

# Array fields are recorded both as "a" and as "a[]" (the element); only the former is documented.
seen = {s for s in seen if not s.endswith("[]")}
undocumented = sorted(seen - documented)
missing = sorted(documented - seen)
if undocumented:
    print(f"in the output but not in {doc}:", *undocumented, sep="\n  ")
if missing:
    print(f"in {doc} but in no output:", *missing, sep="\n  ")
if undocumented or missing:
    sys.exit(1)
print(f"{len(documented)} documented fields, all present; no undocumented field")
