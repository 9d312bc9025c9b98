# SPDX-License-Identifier: GPL-2.0-or-later
"""KTAP result parsing and kernel-log scanning for the zcnic harness."""

import re

# What makes a guest run fail even when every test passed.
KERNEL_BAD = [
    re.compile(p) for p in (
        r"WARNING:",
        r"\bBUG:",
        r"kernel BUG at",
        r"Oops[:\s]",
        r"general protection fault",
        r"KASAN:",
        r"unreferenced object 0x",   # kmemleak
        r"ref_tracker:",
        r"possible recursive locking",
        r"INFO: suspicious RCU usage",
        r"Kernel panic",
        r"UBSAN:",
        # DMA-API debug: a report names the driver and device; the rest
        # of its lines are boot-time information unless it gave up
        r"DMA-API: \S+ \S+: ",
        r"DMA-API: .*(out of memory|disabl|exceeded|ENOMEM)",
    )
]

RESULT = re.compile(r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+(?P<num>\d+)\s*-?\s*(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$")


class Result:
    __slots__ = ("name", "status", "reason")

    def __init__(self, name, status, reason=""):
        self.name = name
        self.status = status        # "pass", "fail" or "skip"
        self.reason = reason

    def __repr__(self):
        return f"Result({self.name!r}, {self.status!r}, {self.reason!r})"


def _result(m, name):
    directive = (m.group("directive") or "").strip()
    if directive.upper().startswith("SKIP"):
        return Result(name, "skip", directive[4:].strip())
    if m.group("ok") == "ok":
        return Result(name, "pass")
    return Result(name, "fail", directive)


def parse(text, prefix="", expand=False):
    """Results of a KTAP/TAP document: a list of Result.

    Only results at the smallest indentation count, unless expand is set:
    then each top-level test that printed subtests is replaced by them
    (named "test/subtest"), and a failed test whose subtests all passed (a
    timeout, a kernel warning) is kept as a failure too. A SKIP directive
    makes a skip.
    """
    found = []
    for line in text.splitlines():
        m = RESULT.match(line)
        if m:
            found.append((len(m.group("indent")), m))
    if not found:
        return []
    top = min(i for i, _ in found)
    sub = sorted({i for i, _ in found if i > top})
    child = sub[0] if sub else None
    results = []
    pending = []
    for indent, m in found:
        name = m.group("name").strip() or f"test-{m.group('num')}"
        if indent == child and expand:
            pending.append(_result(m, name))
            continue
        if indent != top:
            continue
        parent = _result(m, prefix + name)
        if pending:
            results += [Result(f"{parent.name}/{r.name}", r.status, r.reason) for r in pending]
            if parent.status == "fail" and not any(r.status == "fail" for r in pending):
                results.append(parent)
        else:
            results.append(parent)
        pending = []
    return results


def scan_kernel_log(text):
    """Lines of a kernel log that must fail the run."""
    bad = []
    for line in text.splitlines():
        if any(p.search(line) for p in KERNEL_BAD):
            bad.append(line.strip())
    return bad


def totals(results):
    p = sum(r.status == "pass" for r in results)
    f = sum(r.status == "fail" for r in results)
    s = sum(r.status == "skip" for r in results)
    return p, f, s


def totals_line(results):
    p, f, s = totals(results)
    line = f"{p} passed, {f} failed"
    if s:
        line += f", {s} skipped"
    return line
