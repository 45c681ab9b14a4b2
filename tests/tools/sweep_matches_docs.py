#!/usr/bin/env python3
"""Re-runs a named experiment of `tcpclose sweep` (the one that wrote CHECKED_IN.json) and requires
its rows (states, verdicts, shortest counterexamples; a ports sweep's outputs) to be exactly those checked in to
docs/experiments/, which `cmake --build build --target update-experiments` writes. Optional
`--flag value` pairs narrow the re-run to the checked-in rows with those values (minimal-time-wait
re-runs its MSL 1 half, about a minute and a half; the whole experiment takes half an hour); a
value may be a list, `--scenario a,b`, for the rows with any of them (profiles' short scenarios).
Usage: sweep_matches_docs.py TCPCLOSE CHECKED_IN.json [--flag value]..."""
import json, subprocess, sys

tool, checked_in, narrow = sys.argv[1], sys.argv[2], sys.argv[3:]
if len(narrow) % 2:
    sys.exit("the narrowing options come in pairs: --flag value")
only = {f: v.split(",") for f, v in zip(narrow[0::2], narrow[1::2])}
old = json.load(open(checked_in, encoding="utf-8"))
p = subprocess.run([tool, "sweep", "--no-progress", "--json", "--jobs", "2", "--experiment", old["experiment"]] + narrow,
                   capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"sweep exited {p.returncode}:\n{p.stderr}")
new = json.loads(p.stdout)

def key(point):
    # A flag narrowed to one value is fixed in the re-run, not an axis: leave it out of both keys.
    return json.dumps({k: v for k, v in point.items() if len(only.get(k, [None, None])) > 1}, sort_keys=True)

want = {key(r["point"]): r for r in old["rows"] if all(r["point"].get(f, vs[0]) in vs for f, vs in only.items())}
got = {key(r["point"]): r for r in new["rows"]}
if not want:
    sys.exit(f"{checked_in} has no rows with {only}")
bad = 0
for k, w in want.items():
    g = got.get(k)
    fields = ("status", "verdict", "states", "properties", "shortest") + (("values",) if "values" in w else ())
    if g is None or any(g[f] != w[f] for f in fields):
        bad += 1
        print(f"{k}: checked in {[w[f] for f in fields]}, now {[g[f] for f in fields] if g else 'missing'}")
if set(got) != set(want):
    bad += 1
    print(f"points differ: {sorted(set(got) ^ set(want))}")
if not only and new.get("derived") != old.get("derived"):
    bad += 1
    print(f"the derived table differs:\n--- checked in\n{old.get('derived')}\n--- now\n{new.get('derived')}")
print(f"{old['experiment']}: {len(want)} rows compared, {bad} differ")
sys.exit(1 if bad else 0)
