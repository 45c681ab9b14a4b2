"""The hostile corpus (issue 15, CTest label `robustness`, run under the asan preset too): a
fixed-seed set of malformed scripts, special files, bad flag values, full and closed output
streams and signals at random points. Each run must end by itself (no hang: 60 s), by exit
(no signal: not killed by SIGSEGV, SIGABRT, ...), with one of the documented exit codes.
Usage: hostile.py TCPCLOSE WORKDIR [SEED]"""
import os
import random
import signal
import subprocess
import sys
import time

TOOL, WORK = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 15)
os.makedirs(WORK, exist_ok=True)
failures = []
runs = 0

VALID = b"""// profile: reference
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 65535
   +0 > S. 0:0(0) ack 1 <...>
 +.01 < . 1:1(0) ack 1 win 65535
   +0 accept(3, ..., ...) = 4
 +.01 close(4) = 0
   +0 > F. 1:1(0) ack 1
"""


def run(args, allowed, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, what=None):
    global runs
    runs += 1
    what = what or " ".join(a if len(a) < 40 else a[:37] + "..." for a in args)
    try:
        p = subprocess.run([TOOL] + args, stdout=stdout, stderr=subprocess.PIPE, stdin=stdin, timeout=60)
    except subprocess.TimeoutExpired:
        failures.append(f"hang: {what}")
        return
    if p.returncode < 0:
        failures.append(f"signal {-p.returncode}: {what}: {p.stderr[-300:]!r}")
    elif p.returncode not in allowed:
        failures.append(f"exit {p.returncode} (allowed {sorted(allowed)}): {what}: {p.stderr[-300:]!r}")


def script(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


REPLAY_CODES = {0, 1, 2, 4}
# Malformed scripts: mutations of a valid one, and junk.
for i in range(60):
    lines = VALID.split(b"\n")
    k = rng.randrange(len(lines))
    op = rng.randrange(8)
    if op == 0: lines[k] = lines[k][: rng.randrange(len(lines[k]) + 1)]                        # truncated
    elif op == 1: lines[k] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80)))   # junk bytes
    elif op == 2: lines[k] = lines[k].replace(b"0", b"99999999999999999999999", 1)            # huge number
    elif op == 3: lines.insert(k, lines[k])                                                   # repeated line
    elif op == 4: lines[k] = b"+" * rng.randrange(1, 5000)                                     # long odd line
    elif op == 5: lines[k] = lines[k] + b"\x00" + lines[k]                                     # NUL inside
    elif op == 6: del lines[k]                                                                # missing line
    else: lines[k] = lines[k].replace(b"<", b">").replace(b"=", b"== -1 E")                   # flipped
    run(["replay", script(f"mut{i}.pkt", b"\n".join(lines))], REPLAY_CODES)
for i in range(10):
    run(["replay", "--json", script(f"junk{i}.pkt", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))))],
        REPLAY_CODES)
run(["replay", script("long.pkt", b"0 " + b"x" * (1 << 20) + b"\n")], REPLAY_CODES)
run(["replay", script("big.pkt", b"// " + b"y" * (5 << 20))], {2})      # above the 4 MiB limit
run(["replay", script("empty.pkt", b"")], {2})
# Special files and odd paths.
fifo = os.path.join(WORK, "fifo.pkt")
if not os.path.exists(fifo):
    os.mkfifo(fifo)
loop = os.path.join(WORK, "loop.pkt")
if not os.path.lexists(loop):
    os.symlink(loop, loop)
for path in ["/dev/null", "/dev/zero", "/dev/urandom", WORK, fifo, loop, os.path.join(WORK, "missing.pkt"),
             script("caf\xe9.pkt".encode("latin-1").decode("latin-1"), VALID)]:
    run(["replay", "--json", path], REPLAY_CODES, what=f"replay --json {path}")
# Bad flag values: exit 2 naming the flag, never a run.
for flag in ["--max-states", "--max-memory", "--progress-every", "--threads", "--msl", "--time-wait", "--loss"]:
    for value in ["nan", "-1", "inf", "18446744073709551617", "", "1e999", "0x10", "abc"]:
        run(["check", flag, value, "--scenario", "abort", "--max-states", "50000", "--no-progress"], {0, 2, 3},
            what=f"check {flag} {value!r}")
for flag in ["--timeout", "--depth", "--slots", "--progress-every"]:
    for value in ["nan", "-1", "inf", "0", "1e999"]:
        run(["prove", "--engine", "bmc", "--depth", "1", flag, value], {0, 1, 2, 3}, what=f"prove {flag} {value!r}")
# Full and closed output streams: exit 5 when nothing failed, never a signal.
with open("/dev/full", "wb") as full:
    for cmd in (["table"], ["mutants"], ["profiles"], ["replay", script("valid.pkt", VALID)],
                ["check", "--scenario", "abort", "--max-states", "20000", "--no-progress", "--json"]):
        run(cmd, {3, 5}, stdout=full, what=" ".join(cmd) + " > /dev/full")
# Progress lines into a full or closed stderr: best effort, the run goes on to its verdict.
for err in ("full", "closed"):
    runs += 1
    with open("/dev/full", "wb") as full:
        p = subprocess.run([TOOL, "check", "--progress-every", "0", "--scenario", "abort", "--max-states", "50000"],
                           stdout=subprocess.DEVNULL, stderr=full if err == "full" else subprocess.DEVNULL,
                           timeout=60, close_fds=True,
                           preexec_fn=(lambda: os.close(2)) if err == "closed" else None)
    if p.returncode != 3:
        failures.append(f"check with progress into a {err} stderr: exit {p.returncode} (expected 3, incomplete)")
r, w = os.pipe()
os.close(r)
p = subprocess.run([TOOL, "table"], stdout=w, stderr=subprocess.PIPE, timeout=60,
                   preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
os.close(w)
runs += 1
if p.returncode != 5:
    failures.append(f"table into a closed pipe: exit {p.returncode}")
# Signals at random points of runs that take seconds.
BIG = ["check", "--no-progress", "--incarnations", "5", "--loss", "3", "--dup", "3", "--in-flight", "4",
       "--scenario", "active-close"]
for i in range(6):
    cmd = BIG if i % 2 == 0 else ["prove", "--no-progress", "--timeout", "120"]
    sig = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
    runs += 1
    p = subprocess.Popen([TOOL] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.05, 2.0))
    p.send_signal(sig)
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        failures.append(f"hang after {sig.name}: {' '.join(cmd[:2])}")
        continue
    if rc not in (0, 1, 3):
        failures.append(f"{sig.name} at a random point of {' '.join(cmd[:2])}: exit {rc}")

print(f"{runs} hostile runs, {len(failures)} failures")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
