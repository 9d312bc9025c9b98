#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The runner's verdicts when things go wrong: the real harness
(harness/zcnic-bed, scripts/levels.sh, harness/summarize.py) against a
stand-in QEMU (fake-qemu) that crashes, hangs or refuses to start, and a
log directory with an earlier run's results in it. Needs root (network
namespaces); prints KTAP."""

import os
import shlex
import subprocess
import sys
import tempfile
import time
import signal

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "harness"))

sys.path.insert(0, HERE)
from cases import case, run  # noqa: E402


def bed_options(tmp):
    """What scripts/bed-args.sh would print, pointing at stand-ins."""
    gbin = os.path.join(tmp, "guest-bin")
    os.makedirs(gbin, exist_ok=True)
    for t in ("t1", "t2", "t3"):
        with open(os.path.join(gbin, t), "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
    ko = os.path.join(tmp, "zcnic.ko")
    open(ko, "w").close()
    return ["--qemu", os.path.join(HERE, "fake-qemu"), "--kernel", "/dev/null",
            "--root", "/dev/null", "--module", ko, "--guest-bin", gbin,
            "--host-traffic", "/bin/true"]


def level_script(logdir, bed=None):
    """A shell script that runs scripts/levels.sh's run_bed for level
    "guest" with the stand-ins, as scripts/run-tests.sh does, then says
    where the next level would start (it must not after an interrupt)."""
    tmp = tempfile.mkdtemp(dir=logdir)
    os.makedirs(os.path.join(tmp, "ksft"), exist_ok=True)
    return f"""
        . {shlex.quote(TOP)}/scripts/lib.sh
        LOGDIR={shlex.quote(logdir)}
        {'ZCNIC_BED=' + shlex.quote(bed) if bed else ''}
        . {shlex.quote(TOP)}/scripts/levels.sh
        bed_args() {{ printf '%q ' {' '.join(shlex.quote(a) for a in bed_options(tmp))}; }}
        selftests_dir() {{ echo {shlex.quote(tmp)}/ksft; }}
        trap_interrupts
        level_begin guest
        run_bed guest --tests 't1 t2 t3' --test-timeout 30 || interrupted
        echo "next level starts"
    """


def run_level(scenario, logdir, bed=None, stale=False):
    """level_script, then harness/summarize.py over it. Returns (what
    both printed, summarize's status)."""
    if stale:
        os.makedirs(os.path.join(logdir, "guest"), exist_ok=True)
        for p in ("guest/summary.ktap", "guest.ktap"):
            with open(os.path.join(logdir, p), "w") as f:
                f.write("KTAP version 1\n1..1\nok 1 guest:everything\n")
    env = dict(os.environ, FAKE_GUEST=scenario, ZCNIC_V="0")
    bed = subprocess.run(["bash", "-c", level_script(logdir, bed)], env=env,
                         capture_output=True, text=True, timeout=120)
    p = subprocess.run([sys.executable, os.path.join(TOP, "harness/summarize.py"), logdir, "guest"],
                       capture_output=True, text=True, timeout=60)
    return bed.stderr + p.stdout + p.stderr, p.returncode


def start_level(scenario, logdir):
    """level_script in a session of its own (a terminal's process group);
    returns once the stand-in QEMU runs."""
    def as_from_a_terminal():
        # a run started in the background (nohup ... &, some CI runners)
        # inherits SIGINT ignored; a terminal's foreground job does not
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    env = dict(os.environ, FAKE_GUEST=scenario, ZCNIC_V="0")
    proc = subprocess.Popen(["bash", "-c", level_script(logdir)], env=env, start_new_session=True,
                            preexec_fn=as_from_a_terminal,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for _ in range(300):
        if fake_qemus(logdir):
            time.sleep(0.5)
            return proc
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("the stand-in QEMU never started")


def fails_of(out):
    return [ln.split(" # ")[0][len("FAIL "):] for ln in out.splitlines() if ln.startswith("FAIL ")]


def fake_qemus(logdir):
    """This test's stand-in QEMUs (their command line names its logdir)."""
    out = subprocess.run(["pgrep", "-f", f"fake-qemu .*{logdir}/"], capture_output=True, text=True)
    return out.stdout.split()


def leftovers(logdir):
    """What a run in logdir left behind: stand-in QEMUs, and namespaces of
    harnesses that are gone (zcnicPID with PID not running; a live bed of
    another run may own the others)."""
    ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    dead = [n.split()[0] for n in ns.splitlines()
            if n.startswith("zcnic") and n.split()[0][5:].isdigit()
            and not os.path.exists(f"/proc/{n.split()[0][5:]}")]
    return dead + fake_qemus(logdir)


def assert_t2_in_flight_t3_lost(out, rc, logdir):
    f = fails_of(out)
    assert rc == 1, out
    assert "guest: guest:t2" in f and "guest: guest:t3" in f, out
    assert "guest: guest:t1" not in f, out
    assert not leftovers(logdir), leftovers(logdir)


@case
def crash_mid_test_names_the_test_in_flight_and_the_rest():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("crash", d)
        assert_t2_in_flight_t3_lost(out, rc, d)
        f = fails_of(out)
        assert "guest: guest:t2/missing-2" in f and "guest: guest:t2/missing-3" in f, out
        assert "guest:t2 # in flight when the run stopped" in out, out
        assert "guest:t3 # never ran" in out, out


@case
def hang_is_killed_at_the_step_deadline_and_named():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("hang", d)
        assert_t2_in_flight_t3_lost(out, rc, d)
        assert "guest timed out in step 't2'" in out, out


@case
def qemu_that_refuses_an_option_is_reported_with_its_command_and_error():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("bad-option", d)
        assert rc == 1, out
        # the terminal shows the command line and QEMU's own error
        assert "QEMU failed to start" in out and "command: " + os.path.join(HERE, "fake-qemu") in out, out
        assert "Property 'zcnic.bogus' not found" in out, out
        for t in ("load-driver", "t1", "t2", "t3"):
            assert f"guest: guest:{t}" in fails_of(out), out


@case
def qemu_gone_before_qmp_answers_is_an_error_not_a_traceback():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("gone-early", d)
        assert rc == 1, out
        assert "Traceback" not in out and "ConnectionResetError" not in out, out
        assert "QEMU failed to start" in out, out
        assert "failed to load the option ROM" in out, out


@case
def failed_insmod_is_a_failure_of_its_own():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("insmod", d)
        assert rc == 1 and fails_of(out) == ["guest: guest:load-driver"], out


@case
def a_passing_run_passes():
    with tempfile.TemporaryDirectory() as d:
        out, rc = run_level("pass", d)
        assert rc == 0 and fails_of(out) == [], out
        assert out.strip().splitlines()[-1] == "5 passed, 0 failed", out


@case
def stale_results_in_a_reused_logdir_never_count():
    with tempfile.TemporaryDirectory() as d:
        # the bed itself dies before writing anything
        out, rc = run_level("pass", d, bed="/bin/false", stale=True)
        assert rc == 1, out
        assert "guest: guest:everything" not in out, out
        assert any("no results" in ln for ln in out.splitlines() if ln.startswith("FAIL")), out


@case
def ctrl_c_stops_the_run_and_leaves_nothing_behind():
    with tempfile.TemporaryDirectory() as d:
        proc = start_level("hang-long", d)
        os.killpg(proc.pid, signal.SIGINT)      # what a terminal's Ctrl-C does
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130, (proc.returncode, out)
        assert "next level starts" not in out, out
        assert "interrupted" in out, out
        assert not leftovers(d), leftovers(d)


@case
def a_killed_harness_takes_qemu_with_it_and_the_next_run_cleans_up():
    with tempfile.TemporaryDirectory() as d:
        proc = start_level("hang-long", d)
        # this run's harness only: it is in the process group of proc
        bed = subprocess.run(["pgrep", "-g", str(proc.pid), "-f", "zcnic-bed run"],
                             capture_output=True, text=True).stdout.split()
        assert bed, "no zcnic-bed process"
        for pid in bed:
            os.kill(int(pid), signal.SIGKILL)   # no handler runs
        proc.communicate(timeout=60)
        for _ in range(50):
            if not fake_qemus(d):
                break
            time.sleep(0.1)
        assert not fake_qemus(d), "QEMU outlived its harness"
        assert leftovers(d), "the killed harness's namespace should still be there"
        out, rc = run_level("pass", d)
        assert rc == 0, out
        assert not leftovers(d), leftovers(d)


run(skip=None if os.geteuid() == 0 else "needs root (network namespaces)")
