#!/usr/bin/env python3
"""docs/experiments.md against the checked-in reports it is made from (issue 17), with no search run:
for each docs/experiments/NAME.json, the binary re-derives the experiment's own table from the
report's rows (`sweep --experiment NAME --resume`, every row already done) and it must equal the
report's `derived`; and splicing each report into docs/experiments.md (tools/splice_derived.py,
as the update-experiments target does) must leave the document unchanged, so no hand edit and no
stale table sits between the markers. Every report's plot is checked in beside it.
Usage: experiments_doc.py TCPCLOSE DOCS_DIR SPLICER WORK_DIR"""
import glob, json, os, shutil, subprocess, sys

tool, docs, splicer, work = sys.argv[1:5]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


doc = os.path.join(docs, "experiments.md")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
copy = os.path.join(work, "experiments.md")
shutil.copyfile(doc, copy)
reports = sorted(glob.glob(os.path.join(docs, "experiments", "*.json")))
if len(reports) < 10:
    fail(f"only {len(reports)} reports in {docs}/experiments")
for report in reports:
    j = json.load(open(report, encoding="utf-8"))
    name = j["name"]
    if not os.path.isfile(os.path.join(docs, "experiments", name + ".svg")):
        fail(f"{name}: no {name}.svg beside its report")
    if any(r["status"] != "done" for r in j["rows"]):
        fail(f"{name}: the checked-in report has rows not done")
        continue
    out = os.path.join(work, name)
    p = subprocess.run([tool, "sweep", "--experiment", j["experiment"], "--resume", report, "--out", out,
                        "--no-progress", "--no-plot"], capture_output=True, text=True, timeout=120)
    n = len(j["rows"])
    if p.returncode != 0 or f"{n} of {n} points already done" not in p.stderr:
        fail(f"{name}: re-deriving ran points or failed (exit {p.returncode}): {p.stderr.strip()[-300:]}")
        continue
    again = json.load(open(os.path.join(out, name + ".json"), encoding="utf-8"))
    if again.get("derived") != j.get("derived"):
        fail(f"{name}: the binary derives another table from the report's rows than the report holds "
             f"(run the update-experiments target)")
    s = subprocess.run([sys.executable, splicer, copy, report], capture_output=True, text=True)
    if s.returncode != 0:
        fail(f"{name}: {s.stderr.strip()}")
if open(copy, encoding="utf-8").read() != open(doc, encoding="utf-8").read():
    fail("docs/experiments.md differs from its reports spliced in (a hand edit or a stale table between "
         "'<!-- sweep NAME begin/end -->' markers); diff it with " + copy)
print(f"{len(reports)} reports, {len(failures)} failures")
sys.exit(1 if failures else 0)
