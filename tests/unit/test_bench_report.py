#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""harness/bench-report.py on made-up figures: medians, spreads and ratios
to virtio-net + recv, per-MB and per-GB costs, failures listed, and the
profile's shares taken from sample counts (not perf's rounded percentages)."""

import importlib.util
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cases import case, run  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "bench_report", os.path.join(HERE, "../../harness/bench-report.py"))
br = importlib.util.module_from_spec(spec)
spec.loader.exec_module(br)

MB = 1 << 20
RAW = f"""nics zcnic=eth0 virtio=eth1 e1000e=eth2 accel=tcg cpus=2 mb=100 reps=3
kernel 7.3.4+deb13-amd64
row=zcnic-zcrx rep=1 bytes={100 * MB} mbps=100 guest_cpu=1 qemu_cpu=2 frames=1600 irqs=100 drops=5 cqes=27200 enospc=1 copy_bytes=0
row=zcnic-zcrx rep=2 bytes={100 * MB} mbps=300 guest_cpu=1 qemu_cpu=2 frames=1600 irqs=100 drops=0 cqes=27200 enospc=0 copy_bytes=0
row=zcnic-zcrx rep=3 bytes={100 * MB} mbps=200 guest_cpu=1 qemu_cpu=2 frames=1600 irqs=100 drops=0 cqes=27200 enospc=2 copy_bytes=0
row=virtio-recv rep=1 bytes={100 * MB} mbps=100 guest_cpu=1 qemu_cpu=4 frames=1700 irqs=100 drops=0 cqes= enospc= copy_bytes=
row=virtio-recv rep=2 bytes={100 * MB} mbps=100 guest_cpu=1 qemu_cpu=4 frames=1700 irqs=100 drops=0 cqes= enospc= copy_bytes=
row=virtio-recv rep=3 bytes={100 * MB} mbps=100 guest_cpu=1 qemu_cpu=4 frames=1700 irqs=100 drops=0 cqes= enospc= copy_bytes=
udp nic=zcnic sent=1000 send_secs=0.5 delivered=500 bad=0 frames=600 drops=100 sock_drops=100 queues=rx0:300,rx1:300
FAILED row=e1000e-recv rep=1 (sender 0, receiver 1)
"""
PROFILE = """# Samples: 1K of event 'cpu-clock'
     50.00%  500  [.] 0x00007f0000001000
     30.00%  300  [.] helper_lookup_tb_ptr
     10.00%  100  [k] clear_page_erms
      5.00%   50  [.] zcnic_core_receive_iov
      5.00%   50  [.] main_loop_wait
"""


def report(raw=RAW):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "raw")
        with open(path, "w") as f:
            f.write(raw)
        times = os.path.join(d, "times")
        with open(times, "w") as f:
            f.write("edit → result\ttouch; make\t60\t50\t70\n")
        text, metrics, bmbps, bqemu = br.build(path, [("host", "test")], "make bench", times)
    return text, metrics, bmbps, bqemu


def row(text, label):
    for line in text.splitlines():
        if line.startswith(f"| {label} |"):
            return [c.strip() for c in line.strip("|").split("|")]
    raise AssertionError(f"no row {label!r} in:\n{text}")


@case
def ratios_are_to_virtio_net_and_medians_carry_their_spread():
    text, _, bmbps, bqemu = report()
    assert bmbps == 100 and bqemu == 4 / (100 * MB / 1e9), (bmbps, bqemu)
    z = row(text, "zcnic + io_uring zcrx")
    assert z[1] == "200 (100–300)", z
    assert z[2] == "2.00 (1.00–3.00)", z          # goodput × virtio-net
    assert z[5] == "0.50", z                      # QEMU CPU per GB × virtio-net
    assert z[6] == "16", z                        # frames per MB
    assert z[8] == "5" and z[10] == "3", z        # drops, CQ overflows summed
    assert z[9] == "272", z                       # CQEs per MB
    v = row(text, "virtio-net-pci (no vhost) + recv")
    assert v[2] == "1.00" and v[9] == "-", v


@case
def a_row_without_results_says_so_and_failures_are_listed():
    text, *_ = report()
    assert row(text, "e1000e + recv")[1] == "no result"
    assert "- FAILED row=e1000e-recv rep=1 (sender 0, receiver 1)" in text


@case
def udp_and_bed_times():
    text, *_ = report()
    u = row(text, "zcnic")
    assert u[1] == "2000" and u[2] == "1000" and u[3] == "50.0 %", u
    assert u[7] == "rx0:300,rx1:300", u
    assert row(text, "edit → result")[1] == "60 (50–70) s"


@case
def profile_shares_come_from_sample_counts():
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write(PROFILE)
        f.flush()
        text = br.profile_section(f.name)
    assert "(1000 samples" in text, text
    assert "| the zcnic device model (`zcnic_*`) | 5.0 % |" in text, text
    assert "| code TCG generated for the guest (unnamed addresses) | 50.0 % |" in text
    assert "| TCG's own runtime (lookups, helpers, soft MMU, translation) | 30.0 % |" in text
    assert "| the host kernel (system calls, page faults, tap) | 10.0 % |" in text
    assert "glib) | 5.0 % |" in text, text


run()
