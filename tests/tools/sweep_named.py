#!/usr/bin/env python3
"""The named experiments of `tcpclose sweep` (docs/experiments.md) give the verdicts the docs
state, on grids small enough for the default suite (each a few seconds to about 20 s). A control
per experiment runs a broken world (a mutant or a knob) and requires the opposite verdict, so each
assertion can fail.
Usage: sweep_named.py TCPCLOSE [--sanitized]
--sanitized (the ASan+UBSan build, where every search runs about 12 times slower): the three
minimal-time-wait-factors grids, the minimal-time-wait-restart grid, rfc1337's F1 points and its
fine-clock grid, two-losses at loss 3, syn-reopen with the ISN clock or the fine TSval clock,
linux-time-wait's timestamps per TSval clock, and the controls of abort-instead-of-close (10.6 M
states), fin-wait-2-slow-peer (no timeout) and linux-time-wait's FIN-WAIT-2 timeout are left out; they run no sweep code the other points do not, and the
default build asserts their verdicts (here, 2026-12-06: 80 s in the default build, 110 s after the
TSval-clock checks of syn-reopen and linux-time-wait were added, 20 s with
--sanitized; in a fresh clone's ASan phase 723 s without the cut, 380 s with its first half)."""
import json, re, subprocess, sys

tool = sys.argv[1]
SANITIZED = "--sanitized" in sys.argv[2:]
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)

def sweep(args):
    p = subprocess.run([tool, "sweep", "--no-progress", "--json", "--jobs", "2"] + args, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"sweep {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
        return {"rows": [], "derived": ""}
    return json.loads(p.stdout)

def row(j, **point):
    # A value given once on the command line is fixed, not an axis: it is not in the point.
    for r in j["rows"]:
        if all(r["point"].get("--" + k.replace("_", "-"), v) == v for k, v in point.items()):
            return r
    fail(f"no row {point} in {[r['point'] for r in j['rows']]}")
    return {"properties": {}, "shortest": {}}

def expect(r, prop, verdict, what):
    got = r["properties"].get(prop)
    if got != verdict:
        fail(f"{what}: {prop} is {got}, expected {verdict}")

HAZARDS = ["no-stale-data", "no-desync", "new-connection-survives"]

# rfc1337, at loss 0 (the default grid's worlds with no loss: 0.3 M and 5.1 M states): an RST that
# kills TIME-WAIT shows H1, H2 and H3; F1 (--rfc1337 on) removes all three, and the derived verdict
# says so. Control: the mutant rst-kills-time-wait undoes F1, and the verdict must say so too.
# F2 (--timestamps on, an acceptable RST still kills TIME-WAIT; 0.7 M states): the RST that an old ACK
# provokes carries no TSval, so H3 stays, and the derived verdict names what F2 leaves. F1 and F2
# together hold as F1 alone does (the control is F2 alone, above, where H3 is violated). The tick
# TSval clock here; the fine one below.
base = ["--experiment", "rfc1337", "--profile", "reference", "--loss", "0", "--ts-clock", "tick"]
# Under --sanitized F2 alone: F1's points (5.1 M states, and 10.5 M with F2) only in the default build.
j = j2 = sweep(base + ["--rfc1337", "off"] if SANITIZED else base)
if not SANITIZED:
    for p in HAZARDS:
        expect(row(j, rfc1337="off", timestamps="off"), p, "violated", "rfc1337 off")
        expect(row(j, rfc1337="on", timestamps="off"), p, "holds", "rfc1337 on (F1)")
    if "**F1 removes them all**" not in j["derived"]:
        fail(f"rfc1337: the derived verdict does not say F1 removes them all:\n{j['derived']}")
expect(row(j2, rfc1337="off", timestamps="on"), "new-connection-survives", "violated", "rfc1337 off, timestamps on (F2)")
if "**F2 does not remove" not in j2["derived"]:
    fail(f"rfc1337: the derived verdict does not say what F2 leaves:\n{j2['derived']}")
if not SANITIZED:
    for p in HAZARDS:
        expect(row(j, rfc1337="on", timestamps="on"), p, "holds", "rfc1337 on, timestamps on (F1 and F2)")
    if "rfc1337=on: with timestamps off no hazard" not in j["derived"]:
        fail(f"rfc1337: the derived verdict does not judge F2 on top of F1:\n{j['derived']}")
j = sweep(["--experiment", "rfc1337", "--profile", "reference", "--loss", "0", "--timestamps", "off", "--ts-clock", "tick",
           "--mutant", "rst-kills-time-wait"])
for p in HAZARDS:
    expect(row(j, rfc1337="on"), p, "violated", "rfc1337 on with the mutant rst-kills-time-wait")
if "**F1 does not remove H1, H2, H3**" not in j["derived"]:
    fail(f"rfc1337 with the mutant: the derived verdict does not say F1 fails:\n{j['derived']}")
# F2 with the fine TSval clock, in the smallest world (no loss, duplicate or delay: 3.3 M states for
# the fine point): every segment is newer than the last one its host sent, so PAWS stops H1 and
# only H1, as RFC 1337 says; with the tick clock (the control, same grid) F2 leaves H1 too. The keep
# rule runs the fine clock only there: no fine point with timestamps off or with F1. Not under
# --sanitized: model.Timestamps.TheFineClockLetsPawsStopRfc1337sFirstHazard searches that world there.
if not SANITIZED:
    j = sweep(["--experiment", "rfc1337", "--profile", "reference", "--rfc1337", "off", "--timestamps", "off,on", "--loss", "0",
               "--dup", "0", "--delay", "0"])
    if sorted((r["point"]["--timestamps"], r["point"]["--ts-clock"]) for r in j["rows"]) != [("off", "tick"), ("on", "fine"), ("on", "tick")]:
        fail(f"rfc1337: the fine clock should run only with timestamps on, got {[r['point'] for r in j['rows']]}")
    expect(row(j, timestamps="on", ts_clock="fine"), "no-stale-data", "holds", "F2 with the fine clock (H1)")
    expect(row(j, timestamps="on", ts_clock="tick"), "no-stale-data", "violated", "F2 with the tick clock (H1)")
    if "with it on (fine clock) H2, H3 -> **F2 removes H1, not H2, H3**" not in j["derived"]:
        fail(f"rfc1337: the derived verdict does not say the fine clock's F2 leaves H2 and H3 only:\n{j['derived']}")

# abort-instead-of-close, with an ISN clock (0.3 M and 1.7 M states, a few seconds): nothing old
# reaches the next incarnation; without loss no TCB is left, with one lost RST the peer keeps its
# TCB. Control, with adversarial ISNs at loss 1 (10.6 M states, about 30 s): the aborted
# incarnation's RST does reach and kill the next connection.
j = sweep(["--experiment", "abort-instead-of-close", "--isn", "clock"])
for loss in ("0", "1"):
    expect(row(j, loss=loss), "no-stale-delivery", "holds", f"abort, ISN clock, loss {loss}")
    expect(row(j, loss=loss), "new-connection-survives", "holds", f"abort, ISN clock, loss {loss}")
expect(row(j, loss="0"), "no-half-open", "holds", "abort, ISN clock, loss 0")
expect(row(j, loss="1"), "no-half-open", "violated", "abort, ISN clock, loss 1 (a lost RST)")
if not SANITIZED:
    j = sweep(["--experiment", "abort-instead-of-close", "--isn", "adversarial", "--loss", "1"])
    expect(row(j, loss="1"), "no-stale-delivery", "violated", "abort, adversarial ISNs")
    expect(row(j, loss="1"), "new-connection-survives", "violated", "abort, adversarial ISNs")

# fin-wait-2-slow-peer at timeouts 2 and 6 (each under 2 s; the control without the timeout, 5.1 M
# states, about 12 s): with the timeout the slow peer is reset and the next connection is killed,
# the shortest counterexample growing with the timeout; without it everything holds (not under
# --sanitized: the control's 5.1 M states take about a minute there).
j = sweep(["--experiment", "fin-wait-2-slow-peer", "--fin-wait2-timeout", "2,6"] + (["--fin-wait2", "orphan"] if SANITIZED else []))
for t in ("2", "6"):
    for p in ("reliable-termination", "no-stale-delivery", "new-connection-survives"):
        expect(row(j, fin_wait2="orphan", fin_wait2_timeout=t), p, "violated", f"fin-wait-2 timeout {t}")
for p in ("reliable-termination", "no-stale-delivery", "new-connection-survives")[:0 if SANITIZED else 3]:
    expect(row(j, fin_wait2="none"), p, "holds", "no fin-wait-2 timeout")
short = [row(j, fin_wait2="orphan", fin_wait2_timeout=t)["shortest"].get("reliable-termination", 0) for t in ("2", "6")]
if not short[0] < short[1]:
    fail(f"fin-wait-2: the slow peer's reset should need more steps with a longer timeout, got {short}")
if len(j["rows"]) != (2 if SANITIZED else 3):
    fail(f"fin-wait-2: expected 3 rows (none once, orphan at 2 and 6; 2 with --sanitized), got {len(j['rows'])}")

# linux-time-wait: under the reference profile with the ISN clock (3.4 M and 1.2 M states, a few
# seconds), Linux's one-tick TIME-WAIT lets a late ACK reset the peer and the RFC's four ticks do not;
# under linux at four ticks with adversarial ISNs (loss 0, each under 10 s) an old segment reaches
# the next incarnation through the RST that ends TIME-WAIT, then through the FIN-WAIT-2 timeout;
# control: without both (--rfc1337 on --fin-wait2 none) it holds.
j = sweep(["--experiment", "linux-time-wait", "--profile", "reference", "--isn", "clock", "--timestamps", "off"])
expect(row(j, time_wait="1"), "reliable-termination", "violated", "reference, TIME-WAIT 60 s")
expect(row(j, time_wait="1"), "no-stale-delivery", "holds", "reference, TIME-WAIT 60 s, ISN clock")
for p in ("reliable-termination", "no-stale-delivery"):
    expect(row(j, time_wait="4"), p, "holds", "reference, TIME-WAIT 240 s")
if "**fixed by the longer TIME-WAIT**" not in j["derived"]:
    fail(f"linux-time-wait: the derived verdict does not say the longer TIME-WAIT fixes it:\n{j['derived']}")
base = ["--experiment", "linux-time-wait", "--profile", "linux", "--isn", "adversarial", "--time-wait", "4", "--loss", "0",
        "--property", "no-stale-delivery", "--timestamps", "off"]
for extra, verdict in (([], "violated"), (["--rfc1337", "on"], "violated"), (["--rfc1337", "on", "--fin-wait2", "none"], "holds"))[
        :2 if SANITIZED else 3]:
    j = sweep(base + extra)
    expect(j["rows"][0] if j["rows"] else {"properties": {}}, "no-stale-delivery", verdict, f"linux, TIME-WAIT 240 s {extra}")

# linux-time-wait with timestamps, per TSval clock (linux profile, 240 s, adversarial ISNs: 1.2 M,
# 3.0 M and 3.9 M states, about 14 s): PAWS keeps no old segment out on either clock, since the one
# that gets in is a RST, which carries no TSval. Not under --sanitized (about a minute there).
if not SANITIZED:
    j = sweep(["--experiment", "linux-time-wait", "--profile", "linux", "--time-wait", "4", "--isn", "adversarial"])
    if sorted((r["point"]["--timestamps"], r["point"]["--ts-clock"]) for r in j["rows"]) != [("off", "tick"), ("on", "fine"), ("on", "tick")]:
        fail(f"linux-time-wait: the fine clock should run only with timestamps on, got {[r['point'] for r in j['rows']]}")
    for ts, c in (("off", "tick"), ("on", "tick"), ("on", "fine")):
        expect(row(j, timestamps=ts, ts_clock=c), "no-stale-delivery", "violated", f"linux-time-wait linux 240 s, timestamps {ts} {c}")
    if "violated without timestamps, violated with them (tick clock), violated with them (fine clock) -> " \
            "**timestamps do not keep them out**." not in j["derived"]:
        fail(f"linux-time-wait: the derived verdict does not say timestamps keep nothing out:\n{j['derived']}")

# tw-reuse, ISN clock (0.3 M, 0.8 M and 1.0 M states, under 10 s): TIME-WAIT kept to its end holds
# everything; a takeover by tcp_tw_reuse (delay) or by bind() before connect() (bound) resets the
# peer still in LAST-ACK, nothing else; with adversarial ISNs (0.2 M states) the peer's old RST also
# reaches the next connection.
j = sweep(["--experiment", "tw-reuse", "--isn", "clock", "--timestamps", "off"])
for p in ("no-stale-delivery", "new-connection-survives", "reliable-termination"):
    expect(row(j, tw_reuse="off"), p, "holds", "tw-reuse off")
for m in ("delay", "bound"):
    expect(row(j, tw_reuse=m), "reliable-termination", "violated", f"tw-reuse {m}, ISN clock")
    expect(row(j, tw_reuse=m), "no-stale-delivery", "holds", f"tw-reuse {m}, ISN clock")
if "**breaks reliable-termination**" not in j["derived"]:
    fail(f"tw-reuse: the derived verdict does not name what the takeover breaks:\n{j['derived']}")
j = sweep(["--experiment", "tw-reuse", "--isn", "adversarial", "--tw-reuse", "delay", "--timestamps", "off"])
for p in ("no-stale-delivery", "new-connection-survives"):
    expect(j["rows"][0] if j["rows"] else {"properties": {}}, p, "violated", "tw-reuse delay, adversarial ISNs")

# minimal-time-wait-factors, ISN clock (each point 0.4 M to 3 M states, a few seconds): at loss 1 the
# peer's RTO sets the minimum (RTO 2: TIME-WAIT 5 resets the peer, 6 is the derived minimum), and
# without backoff the peer gives up within TIME-WAIT 4 where with it TIME-WAIT 4 is enough; with
# adversarial ISNs and no loss an old segment reaches the next incarnation at TIME-WAIT 3, which the
# ISN clock keeps out (a control for each: the other side of the same axis).
if not SANITIZED:
    j = sweep(["--experiment", "minimal-time-wait-factors", "--isn", "clock", "--msl", "2", "--rto", "2", "--loss", "1",
               "--rto-backoff", "on", "--time-wait", "4..7"])
    expect(row(j, time_wait="5"), "reliable-termination", "violated", "factors, RTO 2, loss 1, TIME-WAIT 5")
    expect(row(j, time_wait="6"), "reliable-termination", "holds", "factors, RTO 2, loss 1, TIME-WAIT 6")
    if not re.search(r"^\| 6 \| 4 \| more than 2 MSL is needed \| reliable-termination", j["derived"], re.M):
        fail(f"minimal-time-wait-factors: the derived minimum for RTO 2, loss 1 is not 6:\n{j['derived']}")
    j = sweep(["--experiment", "minimal-time-wait-factors", "--isn", "clock", "--msl", "2", "--rto", "1", "--loss", "1",
               "--rto-backoff", "on,off", "--time-wait", "4"])
    expect(row(j, rto_backoff="on"), "reliable-termination", "holds", "factors, backoff on, loss 1, TIME-WAIT 4")
    expect(row(j, rto_backoff="off"), "reliable-termination", "violated", "factors, backoff off, loss 1, TIME-WAIT 4")
    j = sweep(["--experiment", "minimal-time-wait-factors", "--isn", "adversarial,clock", "--msl", "2", "--rto", "1", "--loss", "0",
               "--rto-backoff", "on", "--time-wait", "3"])
    expect(row(j, isn="adversarial"), "no-stale-delivery", "violated", "factors, adversarial ISNs, TIME-WAIT 3")
    expect(row(j, isn="clock"), "no-stale-delivery", "holds", "factors, ISN clock, TIME-WAIT 3")

# minimal-time-wait-restart, adversarial ISNs, no loss (about 7 M states a point, 5 s): at TIME-WAIT 4
# (2 MSL) an old segment reaches the next incarnation when TIME-WAIT restarts only on a FIN, and not
# when it restarts on any ACK (each the other's control).
if not SANITIZED:
    j = sweep(["--experiment", "minimal-time-wait-restart", "--msl", "2", "--isn", "adversarial", "--rto", "1",
               "--rto-backoff", "on", "--loss", "0", "--time-wait-restart", "fin,ack", "--time-wait", "4"])
    expect(row(j, time_wait_restart="fin"), "no-stale-delivery", "violated", "restart on FIN, TIME-WAIT 4")
    expect(row(j, time_wait_restart="ack"), "no-stale-delivery", "holds", "restart on ACK, TIME-WAIT 4")

# two-losses, at loss 2 and 3 (3 M to 6 M states, a few seconds each): with adversarial ISNs an old
# segment reaches the next incarnation, with the ISN clock it does not (each the other's control),
# and the derived verdict says where. Under --sanitized loss 2 alone, where --loss is no axis and
# there is no verdict across losses to derive.
j = sweep(["--experiment", "two-losses", "--loss", "2" if SANITIZED else "2,3", "--isn", "adversarial,clock", "--mutant", "none"])
expect(row(j, loss="2", isn="adversarial"), "no-stale-delivery", "violated", "two-losses, adversarial ISNs, loss 2")
expect(row(j, loss="2", isn="clock"), "no-stale-delivery", "holds", "two-losses, ISN clock, loss 2")
if not SANITIZED and "- isn=adversarial: **at loss 2, 3**." not in j["derived"]:
    fail(f"two-losses: the derived verdict does not say adversarial ISNs fail at loss 2 and 3:\n{j['derived']}")
if not SANITIZED and "- isn=clock: **never** (holds at loss 2, 3)." not in j["derived"]:
    fail(f"two-losses: the derived verdict does not say the ISN clock holds:\n{j['derived']}")

# syn-reopen, timestamps on, reopening on a newer TSval (RFC 6191; 1.9 M and 4.1 M states with the
# tick clock, 2.1 M and 5.0 M with the fine one): with adversarial ISNs an old RST reaches the
# reopened incarnation, with the ISN clock it does not, on either TSval clock (the fine clock's SYN
# needs no tick to be newer: 20 steps, not 21). Under --sanitized adversarial ISNs and the tick clock
# alone (the clock's 4.1 M states take about a minute there).
j = sweep(["--experiment", "syn-reopen", "--syn-reopen", "timestamps"] +
          (["--isn", "adversarial", "--ts-clock", "tick"] if SANITIZED else ["--isn", "adversarial,clock"]))
expect(row(j, isn="adversarial", ts_clock="tick"), "no-stale-delivery", "violated", "syn-reopen timestamps, adversarial ISNs")
if not SANITIZED:
    for c in ("tick", "fine"):
        expect(row(j, isn="adversarial", ts_clock=c), "no-stale-delivery", "violated", f"syn-reopen timestamps, adversarial, {c}")
        expect(row(j, isn="clock", ts_clock=c), "no-stale-delivery", "holds", f"syn-reopen timestamps, ISN clock, {c}")
    if row(j, isn="adversarial", ts_clock="fine")["shortest"].get("no-stale-delivery") != 20:
        fail(f"syn-reopen: the fine clock's counterexample should take 20 steps: {row(j, isn='adversarial', ts_clock='fine')}")
    if "- ts-clock=tick: **at isn adversarial**; holds at isn clock." not in j["derived"] or \
            "The fine TSval clock against the tick clock: **no verdict changes**." not in j["derived"]:
        fail(f"syn-reopen: the derived verdict does not name adversarial ISNs and an unchanged verdict:\n{j['derived']}")

# profiles, one row per scenario (--per-scenario), on the small scenarios (0.5 M to 1.9 M states, about
# a second each): Linux's orphaned FIN-WAIT-2 timeout breaks reliable-termination in a plain close, and
# smoltcp (no such timeout) keeps it: each the other's control. The rows are the scenarios given, not
# the experiment's "all", and the derived verdict names the scenarios per profile.
j = sweep(["--experiment", "profiles", "--profile", "linux,smoltcp", "--scenario", "early-close,active-close"])
if sorted((r["point"].get("--profile"), r["point"].get("--scenario")) for r in j["rows"]) != sorted(
        (p, s) for p in ("linux", "smoltcp") for s in ("early-close", "active-close")):
    fail(f"profiles: expected a row per profile and scenario, got {[r['point'] for r in j['rows']]}")
for s in ("early-close", "active-close"):
    expect(row(j, profile="linux", scenario=s), "reliable-termination", "violated", f"profiles, linux, {s}")
    expect(row(j, profile="smoltcp", scenario=s), "reliable-termination", "holds", f"profiles, smoltcp, {s}")
if "- linux: **reliable-termination** in early-close, active-close; holds everywhere: no-stale-delivery," \
        not in j["derived"] or \
        "- smoltcp: **every property holds**." not in j["derived"]:
    fail(f"profiles: the derived verdict does not name linux's scenarios and smoltcp's none:\n{j['derived']}")
# --per-scenario on a plain grid: "all" stands for the default check's eight scenarios, a row each (cut
# at one state: each point is incomplete, exit 3, in well under a second); without the option the
# same grid is one run of them all. And the option is refused where points do not run check.
ALL = ["active-close", "simultaneous-close", "half-close", "early-close", "abort", "reopen-connect",
       "reopen-connect-reuseaddr", "reopen-syn"]
for per, rows in ((["--per-scenario"], ALL), ([], [None])):
    p = subprocess.run([tool, "sweep", "--no-progress", "--json", "--scenario", "all", "--max-states", "1"] + per,
                       capture_output=True, text=True)
    got = [r["point"].get("--scenario") for r in json.loads(p.stdout)["rows"]] if p.stdout else None
    if p.returncode != 3 or got != rows:
        fail(f"sweep --scenario all {per}: expected exit 3 and rows {rows}, got {p.returncode}, {got}: {p.stderr}")
p = subprocess.run([tool, "sweep", "--no-progress", "--per-scenario", "--run", "prove", "--slots", "1"],
                   capture_output=True, text=True)
if p.returncode != 2 or "--per-scenario: only for points that run check" not in p.stderr:
    fail(f"--per-scenario --run prove: expected exit 2 and a message, got {p.returncode}: {p.stderr}")

# ephemeral-ports (`tcpclose ports`, a simulation: the whole grid takes seconds): 2 ports and a
# TIME-WAIT of 8 ticks give 2 / (4 + 8) connections a tick and the first failure at the third
# attempt, with Linux's errno: EADDRINUSE from bind(0) (Config::ports_exhausted), EADDRNOTAVAIL from
# connect() without bind(); tcp_tw_reuse lifts the rate to 2 / (4 + 1). Control: a stack that frees the port when
# TIME-WAIT begins never runs out, and the verdict must say it disagrees.
def ports_row(j, **point):
    r = row(j, **point)
    return r.get("values", {}), r.get("verdict")
j = sweep(["--experiment", "ephemeral-ports", "--ephemeral", "2", "--time-wait", "0,8"])
for pick in ("bind0", "autobind"):
    v, verdict = ports_row(j, pick=pick, tw_reuse="off", time_wait="8")
    near = abs(float(v.get("rate", "nan")) - 2 / 12) * 160 <= 2  # the window's edges cut at most E = 2
    if (v.get("predicted_rate"), v.get("first_failure"), verdict, near) != ("0.167", "2", "agrees", True):
        fail(f"ephemeral-ports {pick} E=2 T=8: {v} {verdict}")
    errno_counts = (int(v.get("eaddrinuse", "0")) > 0, int(v.get("eaddrnotavail", "0")) > 0)
    if errno_counts != ((True, False) if pick == "bind0" else (False, True)):
        fail(f"ephemeral-ports {pick} E=2 T=8: failures by errno {v}")
v, verdict = ports_row(j, pick="autobind", tw_reuse="on", time_wait="8")
if (v.get("rate"), verdict) != ("0.400", "agrees"):
    fail(f"ephemeral-ports autobind tw-reuse on E=2 T=8: {v} {verdict}")
if "6 of 6 points agree" not in j["derived"] or "EADDRNOTAVAIL" not in j["derived"]:
    fail(f"ephemeral-ports: the derived table does not say all points agree, or lacks the bind() table:\n{j['derived']}")
j = sweep(["--experiment", "ephemeral-ports", "--ephemeral", "2", "--time-wait", "8", "--tw-reuse", "off",
           "--variant", "release-at-time-wait"])
for r in j["rows"]:
    if r.get("verdict") != "disagrees":
        fail(f"ephemeral-ports with release-at-time-wait: {r['point']} {r.get('verdict')}, expected disagrees")

print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
