#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""scripts/accel.sh, which decides KVM or TCG for a guest kernel, against a
stand-in QEMU that boots, stops with a KVM internal error, aborts, or hangs;
and the bed's QEMU command line for each accelerator."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "../.."))
ACCEL = os.path.join(TOP, "scripts/accel.sh")

sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "harness"))
from cases import case, run  # noqa: E402
import bed as bedlib  # noqa: E402

# FAKE_KVM: boots (prints the root-mount panic), internal-error (QEMU's
# message, then hangs as QEMU does with the VM stopped), abort (exits at
# once), hang (prints nothing). Every run is logged to FAKE_LOG.
STANDIN = r'''#!/usr/bin/env python3
import os, sys, time
argv = sys.argv[1:]
if argv == ["--version"]:
    print("QEMU emulator version 10.0.13 (stand-in)")
    sys.exit(0)
with open(os.environ["FAKE_LOG"], "a") as f:
    f.write(" ".join(argv) + "\n")
console = argv[argv.index("-serial") + 1].split(":", 1)[1]
with open(argv[argv.index("-pidfile") + 1], "w") as f:
    f.write(f"{os.getpid()}\n")
mode = os.environ["FAKE_KVM"]
if mode == "boots":
    with open(console, "w") as f:
        f.write("Linux version 7.3\nVFS: Unable to mount root fs on unknown-block(0,0)\n")
elif mode == "internal-error":
    print("KVM internal error. Suberror: 1", file=sys.stderr, flush=True)
elif mode == "abort":
    print("qemu-system-x86_64: error: failed to set MSR 0x10a", file=sys.stderr)
    sys.exit(134)
while True:
    time.sleep(0.1)
'''


class Probe:
    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        self.qemu = os.path.join(d, "qemu-system-x86_64")
        with open(self.qemu, "w") as f:
            f.write(STANDIN)
        os.chmod(self.qemu, 0o755)
        self.kernel = os.path.join(d, "vmlinuz")
        with open(self.kernel, "w") as f:
            f.write("a kernel image\n")
        self.kvm = os.path.join(d, "kvm")   # a file stands in for /dev/kvm
        open(self.kvm, "w").close()
        self.log = os.path.join(d, "runs")
        self.cache = os.path.join(d, "cache")
        os.mkdir(self.cache)

    def run(self, mode, accel=None, kvm=None):
        env = dict(os.environ, FAKE_KVM=mode, FAKE_LOG=self.log, ZCNIC_CACHE=self.cache,
                   ZCNIC_KVM_DEV=kvm or self.kvm, ZCNIC_ACCEL_PROBE_SECS="3")
        env.pop("ZCNIC_ACCEL", None)
        if accel is not None:
            env["ZCNIC_ACCEL"] = accel
        p = subprocess.run([ACCEL, self.qemu, self.kernel], env=env, capture_output=True,
                           text=True, timeout=30)
        return p.returncode, p.stdout.strip(), p.stderr

    def boots(self):
        try:
            with open(self.log) as f:
                return len(f.read().splitlines())
        except FileNotFoundError:
            return 0

    def close(self):
        subprocess.run(["pkill", "-KILL", "-f", self.dir.name], check=False)
        self.dir.cleanup()


def probe_case(mode, want, why):
    p = Probe()
    try:
        rc, out, err = p.run(mode)
        assert rc == 0 and out == want, f"{mode}: printed {out!r}, exit {rc}, want {want} ({err})"
        assert why in err, f"{mode}: the reason is missing: {err}"
        assert p.boots() == 1, f"{p.boots()} probe boots"
        assert "-accel kvm" in open(p.log).read()
        # the verdict is cached: a second call boots nothing
        rc, out2, err = p.run(mode)
        assert out2 == want and p.boots() == 1 and "cached" in err, (out2, p.boots(), err)
        # a different kernel image is probed again
        with open(p.kernel, "a") as f:
            f.write("rebuilt\n")
        p.run(mode)
        assert p.boots() == 2, "a changed kernel image was not probed again"
    finally:
        p.close()


@case
def a_kernel_that_boots_under_kvm_gets_kvm():
    probe_case("boots", "kvm", "reached its root mount")


@case
def a_kvm_internal_error_means_tcg():
    probe_case("internal-error", "tcg", "KVM internal error")


@case
def a_qemu_that_dies_under_kvm_means_tcg():
    probe_case("abort", "tcg", "failed to set MSR 0x10a")


@case
def a_probe_that_never_gets_there_means_tcg():
    probe_case("hang", "tcg", "did not reach its root mount in 3 s")


@case
def no_kvm_device_means_tcg_without_a_probe():
    p = Probe()
    try:
        rc, out, err = p.run("boots", kvm=os.path.join(p.dir.name, "absent"))
        assert (rc, out) == (0, "tcg") and "cannot be opened" in err, (rc, out, err)
        assert p.boots() == 0
    finally:
        p.close()


@case
def zcnic_accel_forces_either_and_rejects_anything_else():
    p = Probe()
    try:
        assert p.run("hang", accel="kvm")[1] == "kvm"
        assert p.run("boots", accel="tcg")[1] == "tcg"
        assert p.boots() == 0, "a forced accelerator was probed"
        rc, out, err = p.run("boots", accel="fast")
        assert rc != 0 and out == "" and "expected kvm, tcg or auto" in err, (rc, out, err)
    finally:
        p.close()


@case
def the_bed_command_line_follows_the_accelerator():
    with tempfile.TemporaryDirectory() as d:
        for topo in ("host", "loop", "bench"):
            for accel, want, hold in (("tcg", ["-accel", "tcg,thread=multi", "-cpu", "max"], True),
                                      ("kvm", ["-accel", "kvm", "-cpu", "host"], False)):
                b = bedlib.Bed("qemu", "vmlinuz", "", "root.img", d, topology=topo, accel=accel)
                b.payload = "payload.img"
                cmd = b.qemu_cmdline()
                os.rmdir(b.tmp)
                i = cmd.index("-accel")
                assert cmd[i:i + 4] == want, (accel, cmd)
                if topo == "loop":
                    # flow control toward a slow receiver is a TCG allowance
                    assert any("x-nobuf=hold" in a for a in cmd) == hold, (accel, cmd)


run()
