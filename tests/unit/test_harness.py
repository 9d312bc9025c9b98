#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The harness's KTAP parsing and kernel-log verdicts, on fixed inputs."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness"))
import ktap  # noqa: E402
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "ksft_table", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness/ksft-table.py"))
ksft_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ksft_table)

cases = []


def case(fn):
    cases.append(fn)
    return fn


@case
def nested_results_do_not_count():
    r = ktap.parse("KTAP version 1\n1..2\n    ok 1 sub\n    not ok 2 sub2\nnot ok 1 smoke\nok 2 b # SKIP no hw\n")
    assert [(x.name, x.status) for x in r] == [("smoke", "fail"), ("b", "skip")], r


@case
def expanded_results_name_subtests():
    text = ("1..3\n    ok 1 ping\n    not ok 2 tcp # exit 1\nnot ok 1 smoke\n"
            "    ok 1 a\nnot ok 2 slow # timed out\nok 3 plain\n")
    r = ktap.parse(text, prefix="g:", expand=True)
    assert [(x.name, x.status) for x in r] == [
        ("g:smoke/ping", "pass"), ("g:smoke/tcp", "fail"),
        ("g:slow/a", "pass"), ("g:slow", "fail"), ("g:plain", "pass")], r


@case
def gtest_tap_names_and_directives():
    r = ktap.parse("TAP version 13\nok 1 /x86_64/zcnic/split # 1s\nnot ok 2 /x86_64/zcnic/rss\n")
    assert [(x.name, x.status) for x in r] == [("/x86_64/zcnic/split", "pass"),
                                                ("/x86_64/zcnic/rss", "fail")], r


@case
def kernel_noise_between_results_is_ignored():
    r = ktap.parse("[   1.0] zcnic 0000:00:02.0: link up\nok 1 a\n[   2.0] random\n")
    assert len(r) == 1 and r[0].status == "pass"


@case
def kernel_log_verdicts():
    bad = ktap.scan_kernel_log(
        "[ 1.0] ok\n[ 2.0] WARNING: CPU: 1 PID: 9 at net/core/page_pool.c:100\n"
        "[ 3.0] BUG: KASAN: slab-out-of-bounds\nunreferenced object 0xffff8880 (size 64):\n")
    assert len(bad) == 3, bad
    assert ktap.scan_kernel_log("[ 1.0] zcnic: link up\n[ 1.1] warning-free\n") == []
    # DMA-API debug: its boot lines are fine, a report about a device is not
    assert ktap.scan_kernel_log("[ 0.5] DMA-API: preallocated 65536 debug entries\n"
                                "[ 0.5] DMA-API: debugging enabled by kernel config\n") == []
    assert len(ktap.scan_kernel_log(
        "[ 9.0] DMA-API: zcnic 0000:00:03.0: device driver failed to check map error\n"
        "[ 9.1] DMA-API: debugging out of memory - disabling\n")) == 2


@case
def ksft_table_rows_carry_kernel_and_skips():
    text = ("    KTAP version 1\n        ok 1 t.a\n        ok 2 t.b # SKIP no pause\n"
            "        # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0\n"
            "    ok 1 drivers/net:stats.py\n"
            "        not ok 1 p.x\n        # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n"
            "    not ok 2 drivers/net/hw:pp_alloc_fail.py\n")
    rows = ksft_table.rows_of(text, "debug")
    assert rows == [("drivers/net:stats.py", "debug", "pass", "1 passed, 0 failed, 1 skipped", "t.b: no pause"),
                    ("drivers/net/hw:pp_alloc_fail.py", "debug", "**fail**", "0 passed, 1 failed, 0 skipped", "")], rows
    assert ksft_table.table(rows).splitlines()[2].startswith("| `drivers/net:stats.py` | debug | pass |")


@case
def totals_line_format():
    rs = [ktap.Result("a", "pass"), ktap.Result("b", "fail"), ktap.Result("c", "skip")]
    assert ktap.totals_line(rs) == "1 passed, 1 failed, 1 skipped"
    assert ktap.totals_line(rs[:2]) == "1 passed, 1 failed"


print("KTAP version 1")
print(f"1..{len(cases)}")
failed = 0
for i, fn in enumerate(cases, 1):
    try:
        fn()
        print(f"ok {i} {fn.__name__}")
    except AssertionError as e:
        failed += 1
        print(f"not ok {i} {fn.__name__}\n# {e}")
sys.exit(1 if failed else 0)
