#!/usr/bin/env python3
"""Parses `tcpclose prove --junit` back with xml.etree: one suite per property, one case per
engine; a refuted mutant is a <failure type="violated"> whose body is the replayed trace, and a
bounded BMC run passes. Then checks that docs/json.md's prove table and `prove --json` list the
same fields. Usage: prove_junit.py TCPCLOSE WORKDIR DOC"""
import json, os, re, subprocess, sys
import xml.etree.ElementTree as ET

tool, work, doc = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
errors = []
def expect(cond, what):
    if not cond:
        errors.append(what)

outputs = []  # the --json objects of every run, for the schema check below
# The adversarial world these runs were written for (prove's default is the checker's world).
ADVERSARIAL = ["--loss", "any", "--delay", "any", "--late-timers"]
def run(args, want, xml):
    p = subprocess.run([tool, "prove", "--json", "--no-progress"] + args + ADVERSARIAL + ["--junit", xml],
                       capture_output=True, text=True)
    if p.returncode != want:
        sys.exit(f"exit {p.returncode}, expected {want}:\n{p.stdout}{p.stderr}")
    outputs.append((json.loads(p.stdout), want))
    return ET.parse(xml).getroot()  # raises on malformed XML

bad = run(["--engine", "bmc", "--depth", "5", "--property", "time-wait-duration", "--mutant", "time-wait-one-msl"],
          1, os.path.join(work, "violated.xml"))
expect(bad.get("tests") == "1" and bad.get("failures") == "1", f"counts {bad.attrib}")
cases = bad.findall("testsuite/testcase")
expect([(c.get("classname"), c.get("name")) for c in cases] == [("tcpclose.prove.time-wait-duration", "bmc")],
       f"cases {[c.attrib for c in cases]}")
f = cases[0].find("failure") if cases else None
expect(f is not None and f.get("type") == "violated", "the violation is a <failure type=violated>")
expect(f is not None and "2msl timer fires" in (f.text or ""), "the failure carries the trace")

ok = run(["--engine", "bmc", "--depth", "1"], 0, os.path.join(work, "bounded.xml"))
expect(ok.get("failures") == "0" and ok.get("errors") == "0", f"bounded run counts {ok.attrib}")
expect(len(ok.findall("testsuite")) == 2, "one suite per property")

unknown = run(["--engine", "kind", "--depth", "8", "--property", "no-stale-delivery", "--timeout", "1"], 3,
              os.path.join(work, "unknown.xml"))
expect(unknown.get("errors") == "1", f"an unknown result is a JUnit error: {unknown.attrib}")

# A report that cannot be written: the JSON still comes, exit 5 (all proved), report_errors says why.
p = subprocess.run([tool, "prove", "--json", "--no-progress", "--engine", "bmc", "--depth", "1", "--junit", "/dev/full"],
                   capture_output=True, text=True)
expect(p.returncode == 5, f"--junit /dev/full: exit {p.returncode}, expected 5")
outputs.append((json.loads(p.stdout), 5))
# A signal: the engine running is interrupted, no further one starts, exit 3, "interrupted".
import signal, time
q = subprocess.Popen([tool, "prove", "--json", "--no-progress", "--timeout", "300"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
time.sleep(1.5)
q.send_signal(signal.SIGTERM)
out, _ = q.communicate(timeout=30)
expect(q.returncode == 3, f"SIGTERM: exit {q.returncode}, expected 3")
stopped = json.loads(out)
expect(stopped.get("interrupted") == "SIGTERM", f"SIGTERM: interrupted is {stopped.get('interrupted')!r}")
outputs.append((stopped, 3))

# The prove --json schema in docs/json.md, both ways.
documented, in_prove = set(), False
for line in open(doc, encoding="utf-8"):
    if line.startswith("# ") and in_prove and "prove --json" not in line:
        break  # the next schema (sweep) is checked by tools.sweep_grid_resume_and_reports
    in_prove = in_prove or line.startswith("# `tcpclose prove --json`")
    m = re.match(r"\| `([^`]+)` \|", line)
    if in_prove and m:
        documented.add(m.group(1))
expect(len(documented) >= 15, f"only {len(documented)} prove fields documented")
seen = set()
for d, want in outputs:
    expect(d.get("exit_code") == want, "exit_code repeats the exit code")
    for k, v in d.items():
        seen.add(k)
        if isinstance(v, list):
            for x in v:
                if isinstance(x, dict):  # a list of objects: its members (a list of strings has none)
                    seen.update(f"{k}[].{kk}" for kk in x)
expect(not (documented - seen), f"documented but never output: {sorted(documented - seen)}")
expect(not (seen - documented), f"output but not documented: {sorted(seen - documented)}")

if errors:
    sys.exit("prove --junit: " + "; ".join(errors))
print("prove --junit and --json: 3 runs checked")
