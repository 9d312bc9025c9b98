# SPDX-License-Identifier: GPL-2.0-or-later
"""The zcnic test bed: boot a guest on zcnic, serve its requests, collect.

A run creates (and always removes) a network namespace with a tap in it,
starts QEMU inside that namespace, and talks to the guest over its second
serial port. The guest drives: it prints KTAP lines, and asks the host to
run traffic tools or touch the device through QMP with "@@" lines (see
harness/guest/init and README.md, "How a guest test talks to the host").
"""

import json
import os
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import ctypes

import ktap

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BOOT_SECS = 300         # from QEMU's start to the guest's first step
STEP_MARGIN = 60        # the guest runner adds this to each test's timeout
PR_SET_PDEATHSIG = 1

HOST_V4 = "198.18.0.1"
GUEST_V4 = "198.18.0.2"
HOST_V6 = "fd00:5a43::1"
GUEST_V6 = "fd00:5a43::2"
GUEST_MAC = "52:54:00:5a:43:02"
PEER_MAC = "52:54:00:5a:43:03"
TAP = "zctap0"
# the bench topology's comparison NICs: (tap, host address, guest address,
# guest MAC, QEMU device). virtio-net without vhost: QEMU moves its frames,
# as it does zcnic's.
BENCH_NICS = [("zctap1", "198.18.1.1", "198.18.1.2", "52:54:00:5a:43:12", "virtio-net-pci"),
              ("zctap2", "198.18.2.1", "198.18.2.2", "52:54:00:5a:43:22", "e1000e")]


def log(msg):
    print(f"[zcnic] {msg}", file=sys.stderr, flush=True)


class BedError(Exception):
    pass


def run_timeout(ntests, test_timeout):
    """The whole run's deadline: boot, every test's own deadline, collection."""
    return BOOT_SECS + ntests * (test_timeout + STEP_MARGIN) + 120


def die_with_parent():
    """preexec_fn: the child gets SIGKILL when the harness dies, however it
    dies (SIGKILL, a CI time-out), so no QEMU or traffic tool outlives it.
    The setting survives exec (ip netns exec execs QEMU in place)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setsid()


def netns_pids(name):
    out = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def remove_netns(name):
    """Kill what still runs in namespace NAME, then delete it."""
    for _ in range(50):
        pids = netns_pids(name)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
    subprocess.run(["ip", "netns", "del", name], capture_output=True)


class Qmp:
    """A minimal QMP client over a unix socket."""

    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise BedError(f"QMP socket {path} did not appear")
                time.sleep(0.1)
        self.buf = b""
        self._read()                       # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                msg = json.loads(line)
                if "event" not in msg:
                    return msg
            self.sock.settimeout(30)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BedError("QMP connection closed")
            self.buf += chunk

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        reply = self._read()
        if "error" in reply:
            raise BedError(f"QMP {name}: {reply['error'].get('desc')}")
        return reply.get("return")

    def close(self):
        self.sock.close()


class Bed:
    """One guest boot in one topology."""

    def __init__(self, qemu, kernel, initrd, rootimg, logdir, topology="host",
                 verbose=False, timeout=1800, cpus=2, mem=2048, qemu_args=(),
                 append="", plan=(), iommu=False, accel="tcg", shell=False):
        self.qemu = qemu
        # make shell: the guest's third serial port is QEMU's stdio, the
        # terminal the harness runs in, and the harness keeps quiet
        self.shell = shell
        self.accel = accel
        self.iommu = iommu
        self.append = append
        self.kernel = kernel
        self.initrd = initrd
        self.rootimg = rootimg
        self.logdir = logdir
        self.topology = topology
        self.verbose = verbose
        self.timeout = timeout
        self.cpus = cpus
        self.mem = mem
        self.qemu_args = list(qemu_args)
        self.plan = list(plan)
        self.started = time.monotonic()
        self.netns = f"zcnic{os.getpid()}"
        self.proc = None
        self.qmp = None
        self.jobs = {}
        self.tmp = tempfile.mkdtemp(prefix="zcnic-bed-")
        self.step = "boot"
        self.step_deadline = None
        self.output = []
        self.exit_code = None
        os.makedirs(logdir, exist_ok=True)
        self.console = os.path.join(logdir, "console.log")
        self.klog = os.path.join(logdir, "guest-dmesg.log")
        self.results_path = os.path.join(logdir, "results.ktap")

    # -- network namespace ------------------------------------------------
    def _ip(self, *args, check=True):
        return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)

    def _ns(self, *args, check=True):
        return subprocess.run(["ip", "netns", "exec", self.netns, *args],
                              check=check, capture_output=True, text=True)

    @staticmethod
    def remove_stale_namespaces():
        """Namespaces left by a harness that was killed outright: their
        processes are killed first, then the namespace goes."""
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith("zcnic") and name[5:].isdigit():
                if not os.path.exists(f"/proc/{name[5:]}"):
                    remove_netns(name)

    def setup_net(self):
        self.remove_stale_namespaces()
        self._ip("netns", "add", self.netns)
        self._ns("ip", "link", "set", "lo", "up")
        if self.topology in ("host", "bench"):
            self._ns("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0")
            self._ns("sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0")
            self._ns("ip", "tuntap", "add", "dev", TAP, "mode", "tap")
            self._ns("ip", "addr", "add", f"{HOST_V4}/24", "dev", TAP)
            self._ns("ip", "addr", "add", f"{HOST_V6}/64", "dev", TAP, "nodad")
            self._ns("ip", "link", "set", TAP, "up")
        if self.topology == "bench":
            for tap, host, _, _, _ in BENCH_NICS:
                self._ns("ip", "tuntap", "add", "dev", tap, "mode", "tap")
                self._ns("ip", "addr", "add", f"{host}/24", "dev", tap)
                self._ns("ip", "link", "set", tap, "up")

    def teardown_net(self):
        remove_netns(self.netns)

    # -- guest payload disk ------------------------------------------------
    def make_payload(self, files, env):
        """files: {guest path under /zcnic: host path}; env: variables for the guest."""
        root = os.path.join(self.tmp, "payload")
        os.makedirs(root)
        for dst, src in files.items():
            path = os.path.join(root, dst)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, path, symlinks=True)
            else:
                shutil.copy2(src, path)
        with open(os.path.join(root, "env"), "w") as f:
            for k, v in env.items():
                f.write(f"{k}={shlex.quote(str(v))}\n")
        size = sum(os.lstat(os.path.join(d, n)).st_size for d, _, ns in os.walk(root) for n in ns)
        mb = size // (1 << 20) + 32
        img = os.path.join(self.tmp, "payload.img")
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "zcnic-payload", "-E", "root_owner=0:0",
                        "-d", root, img, f"{mb}M"], check=True, capture_output=True)
        self.payload = img

    # -- QEMU ------------------------------------------------------------
    def qemu_cmdline(self):
        append = ("console=ttyS0,115200 root=/dev/vda rw rootwait init=/usr/local/sbin/zcnic-init "
                  "panic=-1 loglevel=5 mitigations=off net.ifnames=0 "
                  "systemd.unit=none")
        if self.iommu:
            # every DMA address the driver hands the NIC is translated, and
            # an unmap takes effect at once (no deferred IOTLB flush)
            append += " intel_iommu=on iommu.strict=1"
        if self.append:
            append += " " + self.append
        if self.accel == "kvm":
            # only after scripts/accel.sh saw this kernel boot under KVM
            cpu = ["-accel", "kvm", "-cpu", "host"]
        else:
            cpu = ["-accel", "tcg,thread=multi", "-cpu", "max"]
        cmd = [self.qemu, "-M", "q35"] + cpu + [
               "-smp", str(self.cpus), "-m", str(self.mem), "-display", "none",
               "-nodefaults", "-no-reboot"]
        if self.iommu:
            # before the PCI devices, whose DMA it then translates
            cmd += ["-device", "intel-iommu,intremap=off"]
        cmd += [
               "-kernel", self.kernel, "-append", append,
               "-drive", f"file={self.rootimg},if=virtio,format=raw,snapshot=on",
               "-drive", f"file={self.payload},if=virtio,format=raw,readonly=on",
               "-chardev", f"file,id=con,path={self.console}", "-serial", "chardev:con",
               "-chardev", f"socket,id=ctl,path={self.tmp}/ctl.sock,server=on,wait=off",
               "-serial", "chardev:ctl",
               "-qmp", f"unix:{self.tmp}/qmp.sock,server=on,wait=off",
               "-device", "virtio-rng-pci"]
        if self.shell:
            # ttyS2: signal=off leaves Ctrl-C to the guest's shell
            cmd += ["-chardev", "stdio,id=sh,signal=off", "-serial", "chardev:sh"]
        if self.initrd:
            cmd += ["-initrd", self.initrd]
        if self.topology in ("host", "bench"):
            cmd += ["-netdev", f"tap,id=n0,ifname={TAP},script=no,downscript=no",
                    "-device", f"zcnic,id=nic0,netdev=n0,mac={GUEST_MAC}"]
        if self.topology == "bench":
            # the NICs zcnic is compared with, each on a tap of its own (no
            # option ROM: the guest boots its kernel directly)
            for i, (tap, _, _, mac, model) in enumerate(BENCH_NICS, 1):
                cmd += ["-netdev", f"tap,id=n{i},ifname={tap},script=no,downscript=no,vhost=off",
                        "-device", f"{model},id=nic{i},netdev=n{i},mac={mac},romfile="]
        elif self.topology == "loop":
            # 16 queue pairs: rss_ctx.py asks for 2 + 2 * contexts queues.
            # Under TCG, x-nobuf=hold: a port short of buffers holds frames
            # back, as a link with flow control would, instead of counting
            # misses that the selftests read as errors (TCG makes the
            # receiver slow). With KVM the port drops and counts them, as a
            # NIC does.
            opts = "queues=16" + (",x-nobuf=hold" if self.accel == "tcg" else "")
            cmd += ["-netdev", "hubport,id=p0,hubid=0",
                    "-device", f"zcnic,id=nic0,netdev=p0,mac={GUEST_MAC},{opts}",
                    "-netdev", "hubport,id=p1,hubid=0",
                    "-device", f"zcnic,id=nic1,netdev=p1,mac={PEER_MAC},{opts}"]
        elif self.topology not in ("host", "bench"):
            raise BedError(f"unknown topology {self.topology!r} (host, loop or bench)")
        return cmd + self.qemu_args

    def start(self):
        cmd = ["ip", "netns", "exec", self.netns] + self.qemu_cmdline()
        with open(os.path.join(self.logdir, "qemu-cmdline.txt"), "w") as f:
            f.write(shlex.join(cmd) + "\n")
        self.qemu_stderr = open(os.path.join(self.logdir, "qemu-stderr.log"), "w")
        if self.shell:
            # the terminal is the guest's ttyS2; QEMU's own messages go to the log
            io = {"stdin": None, "stdout": None, "stderr": self.qemu_stderr}
        else:
            io = {"stdin": subprocess.DEVNULL, "stdout": self.qemu_stderr,
                  "stderr": subprocess.STDOUT}
        self.proc = subprocess.Popen(cmd, preexec_fn=die_with_parent, **io)
        ctl_path = f"{self.tmp}/ctl.sock"
        deadline = time.monotonic() + 30
        while not os.path.exists(ctl_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._qemu_failed()
            time.sleep(0.05)
        try:
            self.ctl = socket.socket(socket.AF_UNIX)
            self.ctl.connect(ctl_path)
            self.qmp = Qmp(f"{self.tmp}/qmp.sock")
        except (OSError, BedError, ValueError):
            # QEMU created its sockets, then stopped at an option it refused
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                raise BedError("QEMU does not answer on its QMP socket.\ncommand: " +
                               shlex.join(self.qemu_cmdline()))
            self._qemu_failed()

    def _qemu_failed(self):
        self.qemu_stderr.flush()
        with open(os.path.join(self.logdir, "qemu-stderr.log")) as f:
            err = f.read().strip()
        raise BedError(f"QEMU failed to start (exit status {self.proc.poll()}).\ncommand: " +
                       shlex.join(self.qemu_cmdline()) + "\nerror: " + (err or "(none)"))

    def console_tail(self, n=30):
        try:
            with open(self.console, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no console output)"

    # -- requests from the guest -------------------------------------------
    TOOLS = {
        "traffic": lambda: os.environ.get("ZCNIC_HOST_TRAFFIC", "zcnic-traffic"),
        "ping": lambda: "ping",
        "ip": lambda: "ip",
        "ethtool": lambda: "ethtool",
        "sleep": lambda: "sleep",
    }

    def _tool_argv(self, args):
        if not args or args[0] not in self.TOOLS:
            raise BedError(f"unknown host tool {args[:1]} (have: {', '.join(self.TOOLS)})")
        return ["ip", "netns", "exec", self.netns, self.TOOLS[args[0]](), *args[1:]]

    def _finish_job(self, job, timeout):
        proc, out = job
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return 124, "timeout"
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
        out.close()
        return proc.returncode, text

    def handle_request(self, rid, words):
        """Run one guest request; returns (rc, one-line text)."""
        op, args = words[0], words[1:]
        if op == "run":
            p = subprocess.run(self._tool_argv(args), capture_output=True, text=True, timeout=600)
            text = (p.stdout + p.stderr).strip()
            return p.returncode, text
        if op == "bg":
            name, argv = args[0], self._tool_argv(args[1:])
            out = tempfile.TemporaryFile()
            self.jobs[name] = (subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                                preexec_fn=die_with_parent), out)
            return 0, f"started {name}"
        if op == "wait":
            job = self.jobs.pop(args[0], None)
            if not job:
                return 2, f"no job {args[0]}"
            return self._finish_job(job, float(args[1]) if len(args) > 1 else 600)
        if op == "kill":
            job = self.jobs.pop(args[0], None)
            if job:
                job[0].terminate()
                return self._finish_job(job, 10)
            return 2, f"no job {args[0]}"
        if op == "cpu":
            # QEMU's CPU time so far (all its threads), for cost per byte
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            return 0, f"{(int(fields[11]) + int(fields[12])) / ticks:.2f}"
        if op == "qom-get":
            return 0, json.dumps(self.qmp.cmd("qom-get", path=args[0], property=args[1]))
        if op == "qom-set":
            self.qmp.cmd("qom-set", path=args[0], property=args[1], value=json.loads(args[2]))
            return 0, "ok"
        if op == "qmp":
            return 0, json.dumps(self.qmp.cmd(args[0], **json.loads(" ".join(args[1:]) or "{}")))
        raise BedError(f"unknown request {op!r}")

    def _reply(self, rid, rc, text):
        flat = " ".join(text.split("\n")[-3:]).replace("\r", " ")
        self.ctl.sendall(f"@@reply {rid} {rc} {flat}\n".encode())

    def _line(self, line, results):
        if line.startswith("@@"):
            words = line[2:].split()
            if not words:
                return
            kind = words[0]
            if kind == "step":
                self.step = words[1] if len(words) > 1 else "?"
                secs = float(words[2]) if len(words) > 2 else 600
                self.step_deadline = time.monotonic() + secs
                self.progress()
            elif kind == "host" and len(words) >= 3:
                rid = words[1]
                try:
                    rc, text = self.handle_request(rid, words[2:])
                except (BedError, subprocess.SubprocessError, OSError, ValueError) as e:
                    rc, text = 2, f"host error: {e}"
                if self.verbose:
                    log(f"host request {' '.join(words[2:])} -> {rc} {text[-200:]}")
                self._reply(rid, rc, text)
            elif kind == "klog":
                self.klog_file.write(line[len("@@klog "):] + "\n")
            elif kind == "exit":
                self.exit_code = int(words[1]) if len(words) > 1 else 1
            return
        results.write(line + "\n")
        results.flush()
        self.output.append(line)
        if self.verbose:
            print(f"  | {line}", flush=True)

    def progress(self):
        """One line a step, so a long run shows where it is without V=1."""
        if self.shell:
            return
        took = int(time.monotonic() - self.started)
        if self.step in self.plan:
            where = f"test {self.plan.index(self.step) + 1} of {len(self.plan)}: {self.step}"
        else:
            where = self.step
        log(f"guest: {where} ({took // 60}m{took % 60:02d}s elapsed)")

    def serve(self):
        """Serve the guest until it exits; returns its KTAP text."""
        deadline = time.monotonic() + self.timeout
        self.step_deadline = time.monotonic() + BOOT_SECS
        buf = b""
        self.klog_file = open(self.klog, "w")
        with open(self.results_path, "w") as results:
            while self.exit_code is None:
                now = time.monotonic()
                if now > deadline or now > self.step_deadline:
                    raise BedError(f"guest timed out in step '{self.step}' "
                                   f"(logs: {self.logdir}); last console lines:\n"
                                   + self.console_tail())
                r, _, _ = select.select([self.ctl], [], [], 1.0)
                if self.proc.poll() is not None and not r:
                    raise BedError(f"QEMU exited ({self.proc.returncode}) during step "
                                   f"'{self.step}' (logs: {self.logdir}); last console lines:\n"
                                   + self.console_tail())
                if not r:
                    continue
                chunk = self.ctl.recv(65536)
                if not chunk:
                    if self.exit_code is None:
                        raise BedError(f"guest control channel closed in step '{self.step}'; "
                                       "last console lines:\n" + self.console_tail())
                    break
                buf += chunk
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    self._line(raw.decode(errors="replace").rstrip("\r"), results)
        self.klog_file.close()
        return "\n".join(self.output)

    def stop(self):
        for proc, out in self.jobs.values():
            proc.kill()
            out.close()
        self.jobs.clear()
        if self.qmp:
            try:
                self.qmp.close()
            except OSError:
                pass
        if self.proc and self.proc.poll() is None:
            try:
                # a guest that finished powers off by itself
                self.proc.wait(timeout=30 if self.exit_code is not None else 0.1)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if hasattr(self, "qemu_stderr"):
            self.qemu_stderr.close()

    def kernel_problems(self):
        bad = []
        for path in (self.console, self.klog):
            try:
                with open(path, errors="replace") as f:
                    bad += ktap.scan_kernel_log(f.read())
            except OSError:
                pass
        return sorted(set(bad))

    def close(self):
        self.stop()
        self.teardown_net()
        shutil.rmtree(self.tmp, ignore_errors=True)
