#!/usr/bin/env python3
"""Puts a sweep's derived table into a Markdown document, between the lines
`<!-- sweep NAME begin -->` and `<!-- sweep NAME end -->` (build target update-experiments).
Usage: splice_derived.py DOC.md SWEEP.json. Exit 1 when the markers are missing."""
import json, sys

doc, report = sys.argv[1], sys.argv[2]
r = json.load(open(report, encoding="utf-8"))
begin, end = f"<!-- sweep {r['name']} begin -->", f"<!-- sweep {r['name']} end -->"
text = open(doc, encoding="utf-8").read()
if begin not in text or end not in text:
    sys.exit(f"{doc}: no '{begin}' ... '{end}' markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
# The derived table's own headings (## in NAME.md) sit two levels lower here, under a ### section.
derived = "\n".join("##" + line if line.startswith("#") else line for line in (r.get("derived") or "").split("\n"))
body = f"\n```sh\n{r['command']}\n```\n\n{derived}\n"
open(doc, "w", encoding="utf-8").write(head + begin + body + end + tail)
