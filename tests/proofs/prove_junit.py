#!/usr/bin/env python3
"""Parses `tcpclose prove --junit` back with xml.etree: one suite per property, one case per
engine; a refuted mutant is a <failure type="violated"> whose body is the replayed trace, and a
bounded BMC run passes. Usage: prove_junit.py TCPCLOSE WORKDIR"""
import os, subprocess, sys
import xml.etree.ElementTree as ET

tool, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
errors = []
def expect(cond, what):
    if not cond:
        errors.append(what)

def run(args, want, xml):
    p = subprocess.run([tool, "prove"] + args + ["--junit", xml], capture_output=True, text=True)
    if p.returncode != want:
        sys.exit(f"exit {p.returncode}, expected {want}:\n{p.stdout}{p.stderr}")
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

if errors:
    sys.exit("prove --junit: " + "; ".join(errors))
print("prove --junit: report parses back, 2 runs checked")
