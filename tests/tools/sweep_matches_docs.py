#!/usr/bin/env python3
"""Re-runs the MSL 1 half of `tcpclose sweep --experiment minimal-time-wait` and requires its
rows (states, verdicts, shortest counterexamples) to be exactly those checked in to
docs/experiments/minimal-time-wait.json, which `cmake --build build --target update-experiments`
writes (the whole experiment takes minutes; this slice about a minute and a half).
Usage: sweep_matches_docs.py TCPCLOSE CHECKED_IN.json"""
import json, subprocess, sys

tool, checked_in = sys.argv[1], sys.argv[2]
old = json.load(open(checked_in, encoding="utf-8"))
p = subprocess.run([tool, "sweep", "--no-progress", "--json", "--jobs", "2", "--experiment", "minimal-time-wait",
                    "--msl", "1"], capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"sweep exited {p.returncode}:\n{p.stderr}")
new = json.loads(p.stdout)

def key(point):
    return json.dumps({k: v for k, v in point.items() if k != "--msl"}, sort_keys=True)

want = {key(r["point"]): r for r in old["rows"] if r["point"].get("--msl") == "1"}
got = {key(r["point"]): r for r in new["rows"]}
if not want:
    sys.exit(f"{checked_in} has no MSL 1 rows")
bad = 0
for k, w in want.items():
    g = got.get(k)
    fields = ("status", "verdict", "states", "properties", "shortest")
    if g is None or any(g[f] != w[f] for f in fields):
        bad += 1
        print(f"{k}: checked in {[w[f] for f in fields]}, now {[g[f] for f in fields] if g else 'missing'}")
if set(got) != set(want):
    bad += 1
    print(f"points differ: {sorted(set(got) ^ set(want))}")
print(f"{len(want)} rows compared, {bad} differ")
sys.exit(1 if bad else 0)
