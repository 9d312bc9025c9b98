#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make shell, driven as a user would drive it: through a pseudo-terminal.

  shell.py ZCNIC-BED-COMMAND...   (e.g. harness/zcnic-bed shell <bed args>)

Starts the command with a new pseudo-terminal as its terminal, waits for the
guest shell's prompt, types commands and reads their output back, then
exits the shell with a status of its choosing and checks that the command
returns it and leaves no QEMU behind. Prints KTAP, one result per step.
"""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness"))
import bed as bedlib  # noqa: E402

PROMPT = "zcnic-guest:"
BOOT_SECS = 300         # TCG boot, driver load and set-up
STEP_SECS = 120


class Term:
    def __init__(self, argv):
        self.master, slave = pty.openpty()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=self.log,
                                     start_new_session=True)
        os.close(slave)
        self.seen = ""

    def expect(self, pattern, secs):
        """Read until PATTERN (a regex) appears in what arrived since the
        last match; returns the text up to it, or None on time-out or EOF."""
        rx = re.compile(pattern)
        end = time.monotonic() + secs
        while True:
            m = rx.search(self.seen)
            if m:
                before, self.seen = self.seen[:m.end()], self.seen[m.end():]
                return before
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.master], [], [], min(left, 1.0))
            if not r:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return None
            if not chunk:
                return None
            self.seen += chunk.decode(errors="replace").replace("\r", "")

    def send(self, text):
        os.write(self.master, text.encode())


def main():
    argv = sys.argv[1:]
    if not argv:
        sys.exit(__doc__)
    results = []

    def result(ok, name, why=""):
        results.append((ok, name, why))
        print(f"{'ok' if ok else 'not ok'} {len(results)} {name}" + (f" # {why}" if why and not ok else ""),
              flush=True)

    print("KTAP version 1\n1..5", flush=True)
    t = Term(argv)
    got = t.expect(PROMPT, BOOT_SECS)
    result(got is not None and "zcnic guest shell" in got, "prompt-after-boot",
           "no banner and prompt within %ds" % BOOT_SECS)
    if got is None:
        os.killpg(t.proc.pid, signal.SIGTERM)
        t.proc.wait()
        for n in ("commands-run-in-the-guest", "host-side-reachable", "exit-status-returned",
                  "nothing-left-behind"):
            result(False, n, "no shell")
        sys.exit(1)

    # the guest's own answers: its NIC's driver and an arithmetic result
    # that only a shell that ran the command can print
    t.send('ethtool -i "$NETIF" | head -n 1; echo "sum=$((6 * 7))"\n')
    out = t.expect(r"sum=\d+\n", STEP_SECS)
    result(out is not None and "driver: zcnic" in out and "sum=42" in out,
           "commands-run-in-the-guest", f"got: {out!r}")

    # zcnic-host runs on the host side: the host end of the tap answers
    # with its own address, which the guest does not have
    t.send("zcnic-host run ip -o -4 addr show dev %s; echo host-$((1 + 1))-done\n" % bedlib.TAP)
    out = t.expect(r"host-2-done\n", STEP_SECS)
    want = f"inet {bedlib.HOST_V4}/"
    result(out is not None and want in out, "host-side-reachable",
           f"expected {want!r} in {out!r}")

    # the exit status of the shell is the command's, and the guest goes
    t.send("exit 3\n")
    try:
        rc = t.proc.wait(timeout=STEP_SECS)
    except subprocess.TimeoutExpired:
        os.killpg(t.proc.pid, signal.SIGTERM)
        rc = t.proc.wait()
        rc = f"still running after {STEP_SECS}s"
    result(rc == 3, "exit-status-returned", f"status {rc}, expected 3")

    time.sleep(1)
    qemus = subprocess.run(["pgrep", "-s", str(t.proc.pid), "qemu"], capture_output=True,
                           text=True).stdout.split()
    netns = [n for n in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                       text=True).stdout.split()
             if n == f"zcnic{t.proc.pid}"]
    result(not qemus and not netns, "nothing-left-behind",
           f"QEMU {qemus} and namespaces {netns} left")
    t.log.seek(0)
    sys.stderr.write(t.log.read().decode(errors="replace"))
    sys.exit(0 if all(ok for ok, _, _ in results) else 1)


if __name__ == "__main__":
    main()
