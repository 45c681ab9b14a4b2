#!/usr/bin/env python3
"""Checks `tcpclose sweep` end to end (issue 17), on small grids of a few seconds each:
each row is what `tcpclose check --json` says for that point; --jobs does not change a result;
--out writes the four reports; a stop keeps the finished rows (exit 3) and --resume runs only the
rest; the minimal-time-wait table agrees with the rows it is derived from; bad input is exit 2
naming the option; every field of --json is documented in docs/json.md.
Usage: sweep.py TCPCLOSE WORKDIR DOC_JSON_MD"""
import csv, json, os, re, shutil, signal, subprocess, sys, time

tool, work, doc = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)

def sweep(args, code=None):
    p = subprocess.run([tool, "sweep", "--no-progress"] + args, capture_output=True, text=True)
    if code is not None and p.returncode != code:
        fail(f"sweep {' '.join(args)}: exit {p.returncode}, expected {code}\n{p.stderr}")
    return p

SMALL = ["--msl", "1", "--time-wait", "0..2", "--scenario", "active-close", "--property", "reliable-termination",
         "--loss", "0,1", "--threads", "1"]

# 1. A row is check's own answer for its point.
p = sweep(SMALL + ["--json"], 0)
rows = json.loads(p.stdout)["rows"]
if len(rows) != 6:
    fail(f"expected 6 rows (3 TIME-WAIT x 2 loss), got {len(rows)}")
for row in rows[:2]:
    pt = row["point"]
    c = subprocess.run([tool, "check", "--json", "--no-progress", "--threads", "1", "--msl", "1", "--scenario",
                        "active-close", "--property", "reliable-termination", "--time-wait", pt["--time-wait"],
                        "--loss", pt["--loss"]], capture_output=True, text=True)
    j = json.loads(c.stdout)
    if (row["states"], row["verdict"], row["exit_code"]) != (j["states"], j["verdict"], c.returncode):
        fail(f"row {pt} says {row['states']} {row['verdict']}, check says {j['states']} {j['verdict']}")

# 2. --jobs 2 gives the same rows.
p2 = sweep(SMALL + ["--json", "--jobs", "2"], 0)
key = lambda r: (json.dumps(r["point"], sort_keys=True), r["states"], r["verdict"], json.dumps(r["properties"]), json.dumps(r["shortest"]))
if sorted(map(key, json.loads(p2.stdout)["rows"])) != sorted(map(key, rows)):
    fail("--jobs 2 gave other rows than --jobs 1")

# 3. --out writes the reports; the CSV and the JSON agree.
out = os.path.join(work, "out")
sweep(SMALL + ["--out", out, "--name", "small"], 0)
for ext in ("csv", "md", "json", "svg"):
    if not os.path.isfile(os.path.join(out, "small." + ext)):
        fail(f"--out did not write small.{ext}")
if os.path.isfile(os.path.join(out, "small.svg")) and "<svg" not in open(os.path.join(out, "small.svg")).read():
    fail("small.svg is not an SVG")
# A name and a directory with a quote in them (gnuplot's single-quoted strings) still give a plot.
quoted = os.path.join(work, "it's")
sweep(["--msl", "1", "--time-wait", "1,2", "--scenario", "active-close", "--property", "reliable-termination",
       "--out", quoted, "--name", "Linux's"], 0)
if not os.path.isfile(os.path.join(quoted, "Linux's.svg")):
    fail("a name with a quote: no Linux's.svg")
with open(os.path.join(out, "small.csv")) as f:
    csv_rows = list(csv.DictReader(f))
if [int(r["states"]) for r in csv_rows] != [r["states"] for r in rows]:
    fail("the CSV's states differ from --json's")

# 4. A stop keeps the finished rows and exits 3; --resume runs only the rest.
slow = ["--msl", "2", "--time-wait", "0..3", "--scenario", "half-close", "--property", "reliable-termination",
        "--loss", "0", "--threads", "1", "--out", os.path.join(work, "stop"), "--name", "s"]
# The signal goes right after the first point's progress line, so at least two points are left.
proc = subprocess.Popen([tool, "sweep"] + slow, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
first_line = proc.stderr.readline()
proc.send_signal(signal.SIGINT)
so, se = proc.communicate(timeout=120)
se = first_line + se
if proc.returncode != 3:
    fail(f"SIGINT: exit {proc.returncode}, expected 3\n{se}")
first = json.load(open(os.path.join(work, "stop", "s.json")))
done = [r for r in first["rows"] if r["status"] == "done"]
left = [r for r in first["rows"] if r["status"] == "not run"]
if not first["interrupted"] or len(done) + len(left) != 4 or not left:
    fail(f"after SIGINT: interrupted={first['interrupted']}, {len(done)} done, {len(left)} not run")
p = sweep(slow + ["--resume", os.path.join(work, "stop", "s.json")], 0)
if f"{len(done)} of 4 points already done" not in p.stderr:
    fail(f"--resume did not reuse the {len(done)} finished rows: {p.stderr}")
final = json.load(open(os.path.join(work, "stop", "s.json")))
if any(r["status"] != "done" for r in final["rows"]) or final["interrupted"]:
    fail("--resume left rows not done")
for r in done:
    if r not in final["rows"]:
        fail(f"--resume changed a finished row: {r['point']}")
if not final["build"] or any(r["build"] != final["build"] for r in final["rows"]):
    fail(f"rows not all run by the report's build {final['build']!r}")
if "another build" in p.stderr:
    fail(f"--resume of the same build's rows: {p.stderr}")
# Rows another build ran are kept as they were, and --resume says how many.
other = json.load(open(os.path.join(work, "stop", "s.json")))
other["rows"][0]["build"] = "0123abcd"
other["rows"][-1]["status"] = "not run"
with open(os.path.join(work, "stop", "other.json"), "w") as f:
    json.dump(other, f)
p = sweep(slow + ["--resume", os.path.join(work, "stop", "other.json")], 0)
if "1 of them were run by another build" not in p.stderr:
    fail(f"--resume did not name the row another build ran: {p.stderr}")
kept = json.load(open(os.path.join(work, "stop", "s.json")))
if kept["rows"][0]["build"] != "0123abcd" or kept["rows"][-1]["build"] != kept["build"]:
    fail(f"--resume: the kept row's build or the rerun row's build is wrong")

# 4b. The points run the binary the sweep started from, even when its file is replaced mid-sweep
# (a rebuild); ps shows each point under that file's name. Control: the replacement fails any run.
copy = os.path.join(work, "tc")
shutil.copy(tool, copy)
# Six points of a fraction of a second each (loss 0, one property: also under ASan), one at a time.
sw = subprocess.Popen([copy, "sweep", "--no-progress", "--json", "--jobs", "1", "--threads", "1", "--msl", "2", "--time-wait",
                       "0..5", "--scenario", "half-close", "--property", "reliable-termination", "--loss", "0"],
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
cmdline, deadline = None, time.time() + 30
while cmdline is None and time.time() < deadline and sw.poll() is None:
    for task in os.listdir(f"/proc/{sw.pid}/task"):
        for kid in open(f"/proc/{sw.pid}/task/{task}/children").read().split():
            try:
                seen = open(f"/proc/{kid}/cmdline", "rb").read().decode().split("\0")
            except OSError:
                continue
            # A point that has exited but is not yet reaped shows an empty cmdline, and one forked
            # but not yet exec'd shows the sweep's own: neither says what the point runs.
            if len(seen) > 1 and seen[0] and seen[1] != "sweep":
                cmdline = seen
    time.sleep(0.01)
argv0 = cmdline[0] if cmdline else None
os.remove(copy)
with open(copy, "w") as f:
    f.write("#!/bin/sh\nexit 9\n")
os.chmod(copy, 0o755)
try:
    out, err = sw.communicate(timeout=300)
except subprocess.TimeoutExpired:
    sw.kill()
    out, err = sw.communicate()
    fail(f"a sweep whose binary was replaced mid-run did not end within 300 s\n{err}")
    out = '{"rows": []}'
if subprocess.run([copy], capture_output=True).returncode != 9:
    fail("the replacement of the binary does not fail (the control)")
if argv0 != copy:
    fail(f"a point's argv[0] is {argv0!r}, expected the file the sweep was started from ({copy})")
elif cmdline[cmdline.index("--time-wait") + 1] == "5":
    fail("the binary was replaced only after the last point started: nothing was run after it")
if sw.returncode != 0 or any(r["status"] != "done" for r in json.loads(out)["rows"]):
    fail(f"a sweep whose binary was replaced mid-run: exit {sw.returncode}\n{err}")

# 5. minimal-time-wait: the derived minimum is the first TIME-WAIT from which every row holds.
p = sweep(["--experiment", "minimal-time-wait", "--msl", "1", "--loss", "0", "--time-wait-restart", "ack",
           "--scenario", "active-close", "--threads", "1", "--json"], 0)
j = json.loads(p.stdout)
ok = [int(r["point"]["--time-wait"]) for r in j["rows"] if all(v == "holds" for v in r["properties"].values())]
tws = sorted(int(r["point"]["--time-wait"]) for r in j["rows"])
if tws != [0, 1, 2, 3, 4]:
    fail(f"minimal-time-wait at MSL 1 ran TIME-WAIT {tws}, expected 0..4 (MSL + 3)")
least = min(t for t in tws if all(u in ok for u in tws if u >= t)) if ok and max(tws) in ok else None
derived_min = re.findall(r"^\| [^\n]*$", j["derived"], re.M)
expect = str(least) if least is not None else "none up to 4"
if not any(f"| {expect} |" in line for line in derived_min[2:]):
    fail(f"derived table does not give the minimal safe TIME-WAIT {expect}:\n{j['derived']}")

# 6. Bad input: exit 2 naming the option.
for args, words in [
    (["--msl", "1..x"], "--msl 1..x"),
    (["--msl", "3..1"], "empty"),
    (["--msl", "1,x"], "--msl: x is not a number"),
    (["--loss", "0,9"], "--loss"),          # 9 is out of check's range: a point fails validation
    (["--trace-out", "x"], "--trace-out"),
    (["--bogus", "1"], "--bogus"),
    (["--time-wait"], "--time-wait"),
    (["--client-first=1"], "--client-first"),
    (["--experiment", "nope"], "nope"),
    (["--jobs", "0"], "--jobs"),
    (["--msl", "0..9999", "--time-wait", "0..9999"], "more than 100000 points"),
    (["--name", "a/b"], "--name"),
    (["--resume", doc], "not a JSON report"),
    (SMALL + ["--resume", os.path.join(work, "stop", "s.json")], "other fixed options"),
]:
    p = sweep(args, 2)
    if words not in p.stderr:
        fail(f"sweep {' '.join(args)}: stderr does not name {words!r}: {p.stderr!r}")

# --list-experiments: each experiment with its claim and grid, and which points a filtered one runs.
p = sweep(["--list-experiments"], 0)
names = re.findall(r"^(\S+)\n  claim: .+\n  grid: .+$", p.stdout, re.M)
for n in ["minimal-time-wait", "rfc1337", "linux-time-wait", "tw-reuse", "abort-instead-of-close",
          "fin-wait-2-slow-peer", "ephemeral-ports", "profiles"]:
    if n not in names:
        fail(f"--list-experiments does not list {n} with its claim and grid")
if "  runs only: TIME-WAIT up to MSL + 3 at each MSL; from MSL 3 on, loss 0 only" not in p.stdout:
    fail("--list-experiments does not say which points minimal-time-wait runs")

# 7. Every field of sweep --json is documented in docs/json.md's sweep section, and the reverse.
text = open(doc, encoding="utf-8").read()
sec = text.split("# `tcpclose sweep --json`", 1)
if len(sec) != 2:
    fail("docs/json.md has no '# `tcpclose sweep --json`' section")
else:
    documented = set(re.findall(r"^\| `([^`]+)` \|", sec[1].split("\n# ", 1)[0], re.M))
    seen = set()
    def walk(v, path):
        if path: seen.add(path)
        if isinstance(v, dict):
            keyed = path + ".*" in documented
            for k, x in v.items(): walk(x, path + ".*" if keyed else (path + "." + k if path else k))
        elif isinstance(v, list):
            for x in v: walk(x, path + "[]")
    walk(json.loads(sweep(SMALL + ["--json"], 0).stdout), "")
    walk(json.loads(sweep(["--experiment", "ephemeral-ports", "--ephemeral", "2", "--time-wait", "0,8", "--json"], 0).stdout), "")
    walk(j, "")
    seen = {s for s in seen if not s.endswith("[]")}
    for s in sorted(seen - documented): fail(f"sweep --json field {s} is not in docs/json.md")
    for s in sorted(documented - seen): fail(f"docs/json.md documents sweep field {s}, which no output has")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
