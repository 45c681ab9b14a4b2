"""Runs `tcpclose table` with SIGPIPE ignored and stdout a pipe whose reader is already closed:
every write fails with EPIPE. Issue 15: that was an abort (exit 134); it must be exit 5 with a
message on stderr, and no signal. Usage: closed_stdout.py TCPCLOSE"""
import os
import signal
import subprocess
import sys

r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "table", "--profile", "linux"], stdout=w, stderr=subprocess.PIPE,
                   preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN), timeout=60)
os.close(w)
err = p.stderr.decode(errors="replace")
if p.returncode != 5 or "could not be written" not in err:
    sys.exit(f"expected exit 5 and 'could not be written', got {p.returncode}: {err}")
print("exit 5:", err.strip().splitlines()[-1])
