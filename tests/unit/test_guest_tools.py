#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest helpers that run on the host as well: ksft-iperf3, the selftests'
iperf3, against a stand-in iperf3 that exits, lingers, blocks or deadlocks
when it gets SIGTERM."""

import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, "../../harness/guest/ksft-iperf3")

sys.path.insert(0, HERE)
from cases import case, run  # noqa: E402

# The stand-in: prints "ready", then on SIGTERM does what argv[1] says.
# "deadlock" takes a lock it already holds from the handler: the one thread
# left waits in a futex for good, as iperf3 does when SIGTERM lands inside
# its report's locks.
STANDIN = r'''
import os, signal, sys, threading, time
mode = sys.argv[1]
lock = threading.Lock()
def on_term(sig, frame):
    if mode == "deadlock":
        lock.acquire()
        lock.acquire()
    elif mode == "linger":
        time.sleep(3)
        sys.exit(0)
    elif mode == "block":
        os.read(0, 1)
    sys.exit(1)
signal.signal(signal.SIGTERM, on_term)
print("ready", sys.argv[2:], flush=True)
if mode == "exit3":
    sys.exit(3)
while True:
    time.sleep(0.1)
'''


class Shim:
    """ksft-iperf3 running the stand-in in MODE, with its own deadlock log."""

    def __init__(self, mode, *args):
        self.dir = tempfile.TemporaryDirectory()
        standin = os.path.join(self.dir.name, "iperf3")
        with open(standin + ".py", "w") as f:
            f.write(STANDIN)
        with open(standin, "w") as f:
            f.write(f"#!/bin/sh\nexec {sys.executable} {standin}.py \"$@\"\n")
        os.chmod(standin, 0o755)
        self.log = os.path.join(self.dir.name, "deadlocks")
        env = dict(os.environ, ZCNIC_IPERF3=standin, ZCNIC_IPERF3_DEADLOCKS=self.log)
        # stdin: a pipe nobody writes, so "block" blocks in read()
        self.proc = subprocess.Popen([SHIM, mode, *args], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().startswith("ready"), "the stand-in did not start"

    def deadlocks(self):
        try:
            with open(self.log) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def finish(self, timeout):
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def close(self):
        if self.proc.poll() is None:
            # the shim, then the stand-in it left behind
            self.proc.kill()
            subprocess.run(["pkill", "-KILL", "-f", self.dir.name], check=False)
            self.proc.communicate()
        self.dir.cleanup()


@case
def output_arguments_and_exit_status_pass_through():
    s = Shim("exit3", "-c", "2001:db8::1", "-J")
    try:
        rc, _, err = s.finish(10)
        assert rc == 3, f"exit status {rc}, want the stand-in's 3 ({err})"
        assert s.deadlocks() == []
    finally:
        s.close()


@case
def a_deadlocked_sigterm_handler_is_killed_and_counted():
    s = Shim("deadlock", "-c", "x", "-P", "16")
    try:
        s.proc.send_signal(signal.SIGTERM)
        rc, _, err = s.finish(15)
        assert rc == 1, f"exit status {rc}"
        assert "deadlocked in its SIGTERM handler" in err, err
        assert len(s.deadlocks()) == 1 and s.deadlocks()[0].endswith("deadlock -c x -P 16"), s.deadlocks()
    finally:
        s.close()


@case
def a_slow_but_live_exit_is_waited_for():
    s = Shim("linger")
    try:
        t0 = time.monotonic()
        s.proc.send_signal(signal.SIGTERM)
        rc, _, err = s.finish(15)
        assert rc == 0, f"exit status {rc} ({err})"
        assert time.monotonic() - t0 >= 2.5, "the shim did not wait for the stand-in"
        assert s.deadlocks() == [], s.deadlocks()
    finally:
        s.close()


@case
def a_process_blocked_elsewhere_is_left_alone():
    # one thread, but in read(), not a futex: the selftest must see it hang
    s = Shim("block")
    try:
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(4)
        assert s.proc.poll() is None, "the shim ended a process that was not deadlocked"
        assert s.deadlocks() == [], s.deadlocks()
    finally:
        s.close()


run()
