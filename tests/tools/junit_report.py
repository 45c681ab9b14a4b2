#!/usr/bin/env python3
"""Parses `tcpclose check --junit` back with xml.etree and checks its structure: counts that
match the cases, one case per scenario x property checked (plus one per vacuity guard), the
violated property as a <failure> whose body is the text counterexample, the unreached guard as a
vacuous <failure>. Usage: junit_report.py TCPCLOSE WORKDIR"""
import os, subprocess, sys
import xml.etree.ElementTree as ET

tool, work = sys.argv[1], sys.argv[2]
xml = os.path.join(work, "report.xml")
args = ["check", "--no-progress", "--threads", "2", "--time-wait", "0", "--scenario", "active-close",
        "--property", "reliable-termination", "--property", "stream-integrity", "--dup", "0", "--delay", "0"]
p = subprocess.run([tool] + args + ["--junit", xml], capture_output=True, text=True)
if p.returncode != 1:
    sys.exit(f"exit {p.returncode}, expected 1:\n{p.stdout}{p.stderr}")
text = p.stdout
root = ET.parse(xml).getroot()  # raises on malformed XML
errors = []
def expect(cond, what):
    if not cond:
        errors.append(what)

expect(root.tag == "testsuites", f"root is <{root.tag}>")
suites = root.findall("testsuite")
expect([s.get("name") for s in suites] == ["tcpclose.check.active-close"], "one suite per scenario")
cases = root.findall("testsuite/testcase")
names = [c.get("name") for c in cases]
expect(names == ["reliable-termination", "stream-integrity", "guard time-wait-reached", "guard fin-into-time-wait"],
       f"cases are {names}")
for s in [root] + suites:
    cs = s.findall(".//testcase")
    for attr, tag in [("failures", "failure"), ("errors", "error"), ("skipped", "skipped")]:
        expect(int(s.get(attr)) == sum(1 for c in cs if c.find(tag) is not None), f"{s.tag} {attr} miscounted")
    expect(int(s.get("tests")) == len(cs), f"{s.tag} tests miscounted")
    float(s.get("time"))
for c in cases:
    expect(c.get("classname") == "tcpclose.check.active-close", f"classname {c.get('classname')}")
    expect(float(c.get("time")) >= 0, "negative time")
by = {c.get("name"): c for c in cases}
f = by["reliable-termination"].find("failure")
expect(f is not None and f.get("type") == "violated", "reliable-termination is not a violated failure")
if f is not None:
    body = f.text or ""
    # The body is the text trace exactly as the text output prints it ('->', quotes and all).
    start = text.index("#1 ")
    trace = text[start:text.index("\n", text.index("violated: reliable-termination", start)) + 1]
    expect(trace in body, "the failure's body is not the text counterexample")
    expect("A's application" in body or "->" in body, "escaped characters did not round-trip")
    expect(f.get("message", "").startswith("reliable-termination violated: "), "failure message")
expect(len(list(by["stream-integrity"])) == 0, "stream-integrity holds: the case must pass")
for g in ["guard time-wait-reached", "guard fin-into-time-wait"]:
    v = by[g].find("failure")
    expect(v is not None and v.get("type") == "vacuous", f"{g} is not a vacuous failure (TIME-WAIT 0)")
if errors:
    sys.exit("\n".join(errors))
print(f"ok: {len(cases)} cases")
