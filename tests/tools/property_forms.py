#!/usr/bin/env python3
"""Where each property of `tcpclose check --list-properties` is defined (issue 18), checked.

Every property must be registered in FORMS below, with each of its forms: the file that defines
it and the pattern that marks the definition there. The test prints the table, and fails when
a property has no entry, when a registered form is missing, or when a definition appears
anywhere else in core/, model/, proofs/ or tools/ (a second copy of a rule). A property written
once as a template over a value domain (TEMPLATES) may be called from several places: a file
whose sites all go through its template uses the one definition. KNOWN_COPIES lists the copies
issue 18 still has to remove (none since 2026-12-06); the list may only shrink.

Usage: property_forms.py ROOT TCPCLOSE        Exit: 0 as registered, 1 a form missing or a
new copy, 2 usage.
"""
import os
import re
import subprocess
import sys

CONCRETE = "model/include/tcpclose/model/properties.hpp"
RESPONSE = "model/include/tcpclose/model/response.hpp"
SMT = "proofs/src/system.cpp"
# A concrete definition sets the property's bit in a verdict; an SMT one sets its monitor.
CONCRETE_DEF = re.compile(r"(?:bad|violated)\s*\|=\s*bit\(Property::(\w+)\)")
SMT_MONITOR = {"NoStaleDelivery": "bad_stale", "TimeWaitDuration": "bad_tw"}
SMT_DEF = re.compile(r"\bn\.(bad_stale|bad_tw)\s*(==|=)(?!=)")
# A property written once as a template over a value domain: its one definition, and a call of
# it. A file whose verdict or monitor sites are all such calls instantiates the definition
# there (kind 'use'); it does not define the property again.
TEMPLATES = {
    "NoStaleDelivery": (re.compile(r"\bB stale_delivery\("), re.compile(r"\bstale_delivery\((?!const)")),
    "BothClosed": (re.compile(r"\bboth_closed_overdue\(const D& d"), re.compile(r"\bmodel::both_closed_overdue\(")),
    # the checker (over model::Plain) and the proofs' step (System::trans over Z3 terms,
    # System::apply over plain values) since 2026-12-07
    "TimeWaitDuration": (re.compile(r"\bTwExit<D> time_wait_exit\("), re.compile(r"\btime_wait_exit\((?:Plain\{\}|d),")),
}

# property -> [(form, file)]: every file that may define it, and what that form is.
FORMS = {
    "NoStaleDelivery": [("one definition, over a value domain (model::stale_delivery)", CONCRETE),
                        ("checker, per transition", CONCRETE), ("SMT relation, System::trans", SMT)],
    "TimeWaitDuration": [("one definition, over a value domain (model::time_wait_exit)", CONCRETE),
                         ("checker, per transition", CONCRETE),
                         ("SMT relation, System::trans and apply (the proofs' step, over two domains)", SMT)],
    "ReliableTermination": [("checker, per transition", CONCRETE)],
    "StreamIntegrity": [("checker, per transition", CONCRETE)],
    "UniqueTcb": [("checker, per transition", CONCRETE)],
    "BothClosed": [("checker, terminal states", CONCRETE),
                   ("checker, liveness half (the doomed-state sweep)", "model/src/explorer.cpp"),
                   ("bounded response, over any value domain (the pair tests)", RESPONSE),
                   ("SMT relation, System::trans (the template over Z3 terms)", SMT)],
    "NoDeadlock": [("checker, terminal states", CONCRETE)],
    "NoStaleData": [("checker, per transition", CONCRETE)],
    "NoDesync": [("checker, per transition", CONCRETE)],
    "NewConnectionSurvives": [("checker, per transition", CONCRETE)],
    "NoHalfOpen": [("checker, terminal states", CONCRETE)],
}
# (property, file, kind): copies that issue 18's "one world" removes (System::apply, the
# concrete twin of System::trans). Remove an entry when its copy goes; never add one.
KNOWN_COPIES = set()


def camel(name):
    return "".join(part.capitalize() for part in name.split("-"))


def sources(root):
    for top in ("core", "model", "proofs", "tools"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".cpp", ".hpp", ".h")):
                    path = os.path.join(d, f)
                    yield os.path.relpath(path, root), open(path, encoding="utf-8").read()


def definitions(root):
    """(property, file, kind) for every definition found: kind 'trans' or 'apply' for the SMT
    monitors (an equation is the relation's, an assignment the concrete twin's), else 'def'."""
    found = []
    for rel, text in sources(root):
        here = []
        for m in CONCRETE_DEF.finditer(text):
            here.append((m.group(1), rel, "def"))
        for m in SMT_DEF.finditer(text):
            prop = next(p for p, v in SMT_MONITOR.items() if v == m.group(1))
            here.append((prop, rel, "trans" if m.group(2) == "==" else "apply"))
        for prop, (define, call) in TEMPLATES.items():
            sites = [x for x in here if x[0] == prop]
            calls = len(call.findall(text))
            if sites and calls >= len(sites):  # every site goes through the one definition
                here = [x for x in here if x[0] != prop] + [(prop, rel, "use")] * len(sites)
            elif calls and not sites:
                here.append((prop, rel, "use"))
            here += [(prop, rel, "def")] * len(define.findall(text))
        found += here
    return found


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, tool = argv[1], argv[2]
    listed = subprocess.run([tool, "check", "--list-properties"], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in listed.splitlines() if line.strip()]
    problems = []
    found = definitions(root)
    for name in names:
        prop = camel(name)
        if prop not in FORMS:
            problems.append(f"{name}: not registered in property_forms.py's FORMS")
            continue
        files = {f for _, f in FORMS[prop]}
        mine = [(f, k) for p, f, k in found if p == prop]
        for form, f in FORMS[prop]:
            if not any(g == f and k in ("def", "trans", "use") for g, k in mine):
                problems.append(f"{name}: its form '{form}' is not in {f}")
        for f, k in mine:
            if f not in files or (k == "apply" and (prop, f, k) not in KNOWN_COPIES):
                problems.append(f"{name}: a second definition in {f} ({k}): define it once (issue 18)")
        print(f"{name}:")
        for form, f in FORMS[prop]:
            print(f"  {form}: {f}")
        for p, f, k in sorted(KNOWN_COPIES):
            if p == prop:
                print(f"  known copy, to go with issue 18's one world: {f} (System::{k})")
    for p, f, k in KNOWN_COPIES:
        if (p, f, k) not in found:
            problems.append(f"{p}: the known copy in {f} ({k}) is gone: remove it from KNOWN_COPIES")
    if len(names) != len(FORMS):
        problems.append(f"FORMS has {len(FORMS)} properties, check lists {len(names)}")
    for p in problems:
        print("property_forms: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
