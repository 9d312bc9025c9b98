#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The harness's KTAP parsing and kernel-log verdicts, on fixed inputs."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness"))
import ktap  # noqa: E402

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
