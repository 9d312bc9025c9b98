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
        r"DMA-API:",
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


def parse(text, prefix=""):
    """Top-level results of a KTAP/TAP document: a list of Result.

    Only results at the smallest indentation count; nested subtests are the
    tests' own detail. A SKIP directive makes a skip, TODO/XFAIL a pass.
    """
    found = []
    for line in text.splitlines():
        m = RESULT.match(line)
        if m:
            found.append((len(m.group("indent")), m))
    if not found:
        return []
    top = min(i for i, _ in found)
    results = []
    for indent, m in found:
        if indent != top:
            continue
        directive = (m.group("directive") or "").strip()
        name = prefix + (m.group("name").strip() or f"test-{m.group('num')}")
        if directive.upper().startswith("SKIP"):
            results.append(Result(name, "skip", directive[4:].strip()))
        elif m.group("ok") == "ok":
            results.append(Result(name, "pass"))
        else:
            results.append(Result(name, "fail", directive))
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
