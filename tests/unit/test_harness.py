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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import case, run  # noqa: E402


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
            "        ok 3 t.c # SKIP odd\n"
            "        # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:2 error:0\n"
            "    ok 1 drivers/net:stats.py\n"
            "        not ok 1 p.x\n        # Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n"
            "    not ok 2 drivers/net/hw:pp_alloc_fail.py\n")
    listed = [ktap.ExpectedSkip("ksft", "ksft:ksft/drivers/net:stats.py/t.b", "no pause frames here", 1)]
    rows = ksft_table.rows_of(text, "debug", listed)
    assert rows == [("drivers/net:stats.py", "debug", "pass", "1 passed, 0 failed, 2 skipped",
                     "t.b: no pause frames here; t.c: **unexpected** (odd)"),
                    ("drivers/net/hw:pp_alloc_fail.py", "debug", "**fail**", "0 passed, 1 failed, 0 skipped", "")], rows
    assert ksft_table.table(rows).splitlines()[2].startswith("| `drivers/net:stats.py` | debug | pass |")
    # an XFAIL (the selftest could not set up its case) is shown as one
    x = ksft_table.rows_of("        ok 1 n.t # XFAIL no backlog\n"
                           "        # Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0\n"
                           "    ok 1 drivers/net:netpoll_basic.py\n", "stock", listed)
    assert x == [("drivers/net:netpoll_basic.py", "stock", "pass", "0 passed, 0 failed, 0 skipped, 1 XFAIL",
                  "n.t: XFAIL, the test says: no backlog")], x


def names(results):
    return [(x.name, x.status) for x in results]


@case
def bail_out_is_a_failure_and_the_rest_is_missing():
    # a g_assert in the qtest: GLib prints "Bail out!" and aborts
    r = ktap.parse("TAP version 14\n# random seed: R\n1..3\nok 1 /x86_64/zcnic/a\n"
                   "Bail out! ERROR:zcnic-test.c:12:test_b: assertion failed\n", expand=True)
    assert names(r) == [("/x86_64/zcnic/a", "pass"), ("bail-out", "fail"),
                        ("missing-2", "fail"), ("missing-3", "fail")], r
    assert "assertion failed" in r[1].reason


@case
def truncated_output_fails_on_its_plan():
    # a time-out kill mid-line: the plan promised 5
    r = ktap.parse("1..5\nok 1 a\nok 2 b\nnot o", expand=True)
    assert names(r) == [("a", "pass"), ("b", "pass"), ("missing-3", "fail"),
                        ("missing-4", "fail"), ("missing-5", "fail")], r
    assert r[2].reason.startswith("never ran: plan 1..5")


@case
def plan_mismatch_at_every_depth_is_named():
    text = ("KTAP version 1\n1..2\n    KTAP version 1\n    1..3\n"
            "        1..2\n        ok 1 x\n    ok 1 inner\n    ok 2 other\n"
            "ok 1 outer\nok 2 plain\n")
    r = ktap.parse(text, expand=True)
    assert names(r) == [("outer/inner/x", "pass"), ("outer/inner/missing-2", "fail"),
                        ("outer/other", "pass"), ("outer/missing-3", "fail"), ("plain", "pass")], r


@case
def crash_mid_test_keeps_its_subtests_and_names_it():
    # the guest died while "zcrx" ran: its own result never came
    text = ("KTAP version 1\n1..3\nok 1 smoke\n    KTAP version 1\n    1..4\n"
            "    ok 1 setup\n    not ok 2 case-a\n")
    r = ktap.parse(text, prefix="g:", expand=True, names=["smoke", "zcrx", "refill"])
    assert names(r) == [("g:smoke", "pass"), ("g:zcrx/setup", "pass"), ("g:zcrx/case-a", "fail"),
                        ("g:zcrx/missing-3", "fail"), ("g:zcrx/missing-4", "fail"),
                        ("g:zcrx", "fail"), ("g:refill", "fail")], r
    assert r[5].reason == ktap.NO_RESULT and r[6].reason.startswith("never ran"), r


@case
def not_ok_with_skip_is_a_failure_and_skip_reasons_parse():
    r = ktap.parse("1..4\nnot ok 1 a # SKIP no hw\nok 2 b # SKIP: no pause frames\n"
                   "ok 3 c # skip\nok 4 d # 12s\n")
    assert names(r) == [("a", "fail"), ("b", "skip"), ("c", "skip"), ("d", "pass")], r
    assert r[1].reason == "no pause frames" and r[2].reason == "", r
    assert "SKIP" in r[0].reason, r


@case
def unexpected_skips_fail_and_listed_passes_are_reported():
    listed = [ktap.ExpectedSkip("ksft", "ksft:ksft/*:stats.py/stats.check_fec*", "no FEC", 7)]
    rs = [ktap.Result("ksft: ksft:ksft/drivers/net:stats.py/stats.check_fec", "skip", "FEC"),
          ktap.Result("ksft: ksft:ksft/drivers/net:stats.py/stats.check_fec_hist", "pass"),
          ktap.Result("ksft: ksft:ksft/drivers/net:hds.py/hds.get", "skip", "no HDS"),
          ktap.Result("guest: guest:zcrx/zcrx-ipv4", "skip", "no queue API")]
    out, notes = ktap.apply_expected_skips("ksft", rs, listed, prefix="ksft: ")
    assert [(r.status) for r in out] == ["skip", "pass", "fail", "fail"], out
    assert "unexpected skip (no HDS)" in out[2].reason, out
    assert len(notes) == 1 and "check_fec_hist" in notes[0] and ":7" in notes[0], notes
    # the checked-in list parses and every line names a level and a reason
    assert all(e.why for e in ktap.load_expected_skips())


@case
def guest_and_host_read_one_kernel_log_pattern_list():
    import subprocess
    log = ("[ 1.0] WARNING: CPU: 0 PID: 1 at x\n[ 1.1] BUG: KASAN: use-after-free\n"
           "[ 1.2] Oops: 0000 [#1]\n[ 1.3] DMA-API: zcnic 0000:00:03.0: device driver frees\n"
           "[ 1.4] DMA-API: preallocated 65536 debug entries\n[ 1.5] zcnic: link up\n"
           "[ 1.6] ref_tracker: netdev@x has 1/1 users\n[ 1.7] Kernel panic - not syncing\n")
    pat = subprocess.run(["grep", "-Ev", "^(#|$)", ktap.KERNEL_PATTERNS_FILE],
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(os.environ.get("TMPDIR", "/tmp"), f"zcnic-pat-{os.getpid()}"), "w") as f:
        f.write(pat)
    try:
        guest = subprocess.run(["grep", "-E", "-f", f.name], input=log, capture_output=True,
                               text=True).stdout.splitlines()
    finally:
        os.unlink(f.name)
    host = ktap.scan_kernel_log(log)
    assert [ln.strip() for ln in guest] == host, (guest, host)
    assert len(host) == 6, host


def load_summarize():
    spec = importlib.util.spec_from_file_location(
        "summarize", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness/summarize.py"))
    summarize = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(summarize)
    return summarize


@case
def summary_counts_an_exit_status_with_no_failed_result():
    import io
    import tempfile
    summarize = load_summarize()
    with tempfile.TemporaryDirectory() as d:
        # every result passed, then the program aborted (a g_assert) or its
        # time-out killed it
        for level, rc in (("qtest", 134), ("unit", 124)):
            with open(os.path.join(d, f"{level}.ktap"), "w") as f:
                f.write("1..1\nok 1 a\n")
            with open(os.path.join(d, f"{level}.rc"), "w") as f:
                f.write(f"{rc}\n")
        out = io.StringIO()
        assert summarize.summarize(d, ["qtest", "unit"], [], out) == 1
        text = out.getvalue()
        assert "FAIL qtest: exit-status # killed by SIGABRT" in text, text
        assert "FAIL unit: exit-status # killed by its time-out" in text, text
        assert text.splitlines()[-1] == "2 passed, 2 failed", text


@case
def junit_has_every_level_its_failures_and_times():
    import io
    import tempfile
    import xml.etree.ElementTree as ET
    summarize = load_summarize()
    expected = [ktap.ExpectedSkip("guest", "smoke/listed", "a reason", 1)]
    with tempfile.TemporaryDirectory() as d:
        files = {
            "unit": "1..2\nok 1 a\nnot ok 2 b # broke\n",
            "guest": ("1..2\nok 1 load-driver\n    1..3\n    ok 1 x\n"
                      "    ok 2 listed # SKIP no device\n    ok 3 stray # SKIP no reason\n"
                      "ok 2 smoke # 65s\n"),
        }
        for level, text in files.items():
            with open(os.path.join(d, f"{level}.ktap"), "w") as f:
                f.write(text)
            with open(os.path.join(d, f"{level}.rc"), "w") as f:
                f.write("0\n")
        with open(os.path.join(d, "guest.secs"), "w") as f:
            f.write("300\n")
        assert summarize.summarize(d, ["unit", "guest"], expected, io.StringIO()) == 1
        root = ET.parse(os.path.join(d, "junit.xml")).getroot()
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        assert sorted(suites) == ["guest", "guest/smoke", "unit"], sorted(suites)
        unit = suites["unit"]
        assert (unit.get("tests"), unit.get("failures")) == ("2", "1")
        assert unit.find("testcase[@name='b']/failure").get("message") == "broke"
        assert suites["guest"].get("time") == "300"
        smoke = suites["guest/smoke"]
        assert smoke.get("time") == "65", smoke.attrib
        # the listed skip stays a skip; the unlisted one is a failure
        assert smoke.find("testcase[@name='listed']/skipped") is not None
        assert smoke.find("testcase[@name='stray']/failure") is not None
        assert (smoke.get("tests"), smoke.get("failures"), smoke.get("skipped")) == ("3", "1", "1")


@case
def summary_shows_what_a_failed_test_printed():
    import io
    import tempfile
    summarize = load_summarize()
    with tempfile.TemporaryDirectory() as d:
        # a guest test prints its output after "not ok"; a selftest its
        # checks before; a passing neighbour's output is not shown
        detail = ("ok 1 load-driver\n"
                  "    # noise of the passing test\n    ok 1 quiet\n"
                  "    not ok 2 tso-guest-to-host\n    # TSO on: 5 frames\n    # device sent 4\n"
                  "    ok 3 after\n    # unrelated\n"
                  "ok 2 smoke\n"
                  "        # Check failed 1 != 2\n        not ok 1 ping.test_v4\n"
                  "        # the next case's retry\n        ok 2 ping.test_v6\n"
                  "    not ok 1 drivers/net:ping.py\nnot ok 3 ksft\n")
        os.makedirs(os.path.join(d, "guest"))
        with open(os.path.join(d, "guest", "results.ktap"), "w") as f:
            f.write(detail)
        with open(os.path.join(d, "guest.ktap"), "w") as f:
            f.write("1..4\nok 1 guest:smoke/quiet\nnot ok 2 guest:smoke/tso-guest-to-host\n"
                    "ok 3 guest:smoke/after\nnot ok 4 guest:ksft/drivers/net:ping.py/ping.test_v4\n")
        with open(os.path.join(d, "guest.rc"), "w") as f:
            f.write("1\n")
        out = io.StringIO()
        assert summarize.summarize(d, ["guest"], [], out) == 1
        lines = out.getvalue().splitlines()
        at = lines.index(next(ln for ln in lines if "FAIL guest: guest:smoke/tso" in ln))
        assert lines[at + 1:at + 3] == ["    | TSO on: 5 frames", "    | device sent 4"], lines
        assert lines[at + 3].startswith("FAIL guest: guest:ksft/drivers/net:ping.py/ping.test_v4"), lines
        assert lines[at + 4] == "    | Check failed 1 != 2", lines
        assert not any("noise" in ln or "unrelated" in ln or "retry" in ln for ln in lines), lines


@case
def totals_line_format():
    rs = [ktap.Result("a", "pass"), ktap.Result("b", "fail"), ktap.Result("c", "skip")]
    assert ktap.totals_line(rs) == "1 passed, 1 failed, 1 skipped"
    assert ktap.totals_line(rs[:2]) == "1 passed, 1 failed"


run()
