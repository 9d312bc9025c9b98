# SPDX-License-Identifier: GPL-2.0-or-later
"""KTAP result parsing, expected skips and kernel-log scanning for the
zcnic harness.

The parser is strict on purpose: a green run must not hide a failure. A
plan ("1..N") with fewer than N results names each missing one as a
failure, at every nesting level; "Bail out!" is a failure; "not ok ...
# SKIP" is a failure; subtests whose parent never printed its result (a
crash, a hang, a truncated file) are kept and their parent fails.
"""

import fnmatch
import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What makes a guest run fail even when every test passed: one list, read
# by the host scan here and by the guest runner (harness/guest/lib.sh reads
# the same file, one extended regular expression a line).
KERNEL_PATTERNS_FILE = os.path.join(TOP, "harness", "kernel-log-patterns")


def _load_kernel_patterns(path=KERNEL_PATTERNS_FILE):
    with open(path) as f:
        lines = [ln.rstrip("\n") for ln in f]
    return [re.compile(ln) for ln in lines if ln and not ln.startswith("#")]


KERNEL_BAD = _load_kernel_patterns()

RESULT = re.compile(r"^(?P<indent>\s*)(?P<ok>ok|not ok)\s+(?P<num>\d+)\b\s*-?\s*"
                    r"(?P<name>[^#]*?)\s*(?:#\s*(?P<directive>.*))?$")
PLAN = re.compile(r"^(?P<indent>\s*)1\.\.(?P<n>\d+)\s*(?:#.*)?$")
BAIL = re.compile(r"^(?P<indent>\s*)Bail out!\s*(?P<why>.*)$")
SKIP = re.compile(r"^SKIP\b[:\s]*(?P<why>.*)$", re.IGNORECASE)

NO_RESULT = "no result line (the test crashed, hung or its output was cut)"


class Result:
    __slots__ = ("name", "status", "reason")

    def __init__(self, name, status, reason=""):
        self.name = name
        self.status = status        # "pass", "fail" or "skip"
        self.reason = reason

    def __repr__(self):
        return f"Result({self.name!r}, {self.status!r}, {self.reason!r})"

    def __eq__(self, other):
        return (isinstance(other, Result) and
                (self.name, self.status, self.reason) == (other.name, other.status, other.reason))


class _Node:
    """One result line and the subtests printed before it."""

    def __init__(self, name, status, reason, children=None):
        self.name, self.status, self.reason = name, status, reason
        self.children = children or []


class _Doc:
    """The results at one indentation: a plan (if printed) and results."""

    def __init__(self):
        self.plan = None
        self.nodes = []
        self.bailed = None

    def close(self, names=None):
        """Add a failure for a bail-out and for every planned result that
        never came, named after names[k-1] when given."""
        if self.bailed is not None:
            self.nodes.append(_Node("bail-out", "fail", "Bail out! " + self.bailed))
        if self.plan is None:
            return
        got = sum(1 for n in self.nodes if n.name != "bail-out")
        for k in range(got + 1, self.plan + 1):
            name = names[k - 1] if names and k <= len(names) else f"missing-{k}"
            self.nodes.append(_Node(name, "fail", f"never ran: plan 1..{self.plan}, "
                                    f"result {k} missing"))


def _node_of(m, name, children):
    directive = (m.group("directive") or "").strip()
    skip = SKIP.match(directive)
    if skip and m.group("ok") == "not ok":
        return _Node(name, "fail", "not ok with a SKIP directive: " + skip.group("why"), children)
    if skip:
        return _Node(name, "skip", skip.group("why").strip(), children)
    if m.group("ok") == "ok":
        return _Node(name, "pass", "", children)
    return _Node(name, "fail", directive, children)


def _tree(text, names=None):
    """The top-level nodes of a KTAP/TAP document."""
    docs = {}                   # indent -> _Doc still open

    def orphan(i):
        """Document i belongs to a result that never came: hang it, as a
        failure, on the nearest shallower document."""
        doc = docs.pop(i)
        doc.close()
        parent = docs[max(j for j in docs if j < i)]
        parent.nodes.append(_Node(f"missing-{len(parent.nodes) + 1}", "fail",
                                  NO_RESULT, doc.nodes))

    def take_children(indent):
        deeper = sorted(i for i in docs if i > indent)
        if not deeper:
            return []
        # the nearest deeper document holds this result's subtests; any
        # deeper still belonged to a subtest that never printed its result
        for i in reversed(deeper[1:]):
            orphan(i)
        doc = docs.pop(deeper[0])
        doc.close()
        return doc.nodes

    seen_any = False
    for line in text.splitlines():
        m = RESULT.match(line)
        if m:
            indent = len(m.group("indent"))
            children = take_children(indent)
            name = m.group("name").strip() or f"test-{m.group('num')}"
            docs.setdefault(indent, _Doc()).nodes.append(_node_of(m, name, children))
            seen_any = True
            continue
        m = PLAN.match(line)
        if m:
            indent = len(m.group("indent"))
            doc = docs.setdefault(indent, _Doc())
            if doc.plan is None:
                doc.plan = int(m.group("n"))
            seen_any = True
            continue
        m = BAIL.match(line)
        if m:
            doc = docs.setdefault(len(m.group("indent")), _Doc())
            doc.bailed = m.group("why").strip() or "(no reason given)"
            seen_any = True
    if not seen_any:
        return []
    top = min(docs)
    # end of input: documents deeper than the top belong to results that
    # were never printed
    for i in sorted((i for i in docs if i > top), reverse=True):
        orphan(i)
    doc = docs[top]
    if names:
        # an unfinished top-level test takes its planned name
        for k, node in enumerate(doc.nodes, 1):
            if node.name.startswith("missing-") and node.reason == NO_RESULT and k <= len(names):
                node.name = names[k - 1]
    doc.close(names)
    return doc.nodes


def _flatten(nodes, prefix, expand, out):
    for n in nodes:
        name = prefix + n.name
        if not expand or not n.children:
            out.append(Result(name, n.status, n.reason))
            continue
        before = len(out)
        _flatten(n.children, name + "/", True, out)
        # a failed parent whose subtests all passed (a timeout, a kernel
        # warning, an exit status) is a failure of its own, and so is one
        # that never printed its result
        if n.status == "fail" and (n.reason == NO_RESULT or
                                   not any(r.status == "fail" for r in out[before:])):
            out.append(Result(name, "fail", n.reason))


def parse(text, prefix="", expand=False, names=None):
    """Results of a KTAP/TAP document: a list of Result.

    Only top-level results count unless expand is set: then each test that
    printed subtests is replaced by its leaves, at any depth (named
    "test/subtest/case"). names: the planned top-level tests in order, to
    name the ones that never reported.
    """
    out = []
    _flatten(_tree(text, names), prefix, expand, out)
    return out


# -- expected skips ----------------------------------------------------------

EXPECTED_SKIPS_FILE = os.path.join(TOP, "tests", "expected-skips")


class ExpectedSkip:
    __slots__ = ("level", "pattern", "why", "line")

    def __init__(self, level, pattern, why, line):
        self.level, self.pattern, self.why, self.line = level, pattern, why, line

    def matches(self, level, name):
        return fnmatch.fnmatchcase(level, self.level) and fnmatch.fnmatchcase(name, self.pattern)


def load_expected_skips(path=EXPECTED_SKIPS_FILE):
    """The checked-in list: "LEVEL TEST-GLOB WHY..." a line, # comments.
    WHY says why an emulated NIC legitimately skips it."""
    skips = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                raise ValueError(f"{path}:{lineno}: expected LEVEL TEST-GLOB WHY")
            skips.append(ExpectedSkip(parts[0], parts[1], parts[2], lineno))
    return skips


def apply_expected_skips(level, results, expected, prefix=""):
    """Turn every skip that is not on the list into a failure. Returns
    (results, notes): notes name listed skips that passed this time."""
    out, notes = [], []
    for r in results:
        short = r.name[len(prefix):] if prefix and r.name.startswith(prefix) else r.name
        listed = next((e for e in expected if e.matches(level, short)), None)
        if r.status == "skip" and not listed:
            out.append(Result(r.name, "fail", f"unexpected skip ({r.reason or 'no reason given'}); "
                              "not in tests/expected-skips"))
            continue
        if r.status == "pass" and listed:
            notes.append(f"{r.name} passed although tests/expected-skips:{listed.line} "
                         "lists it as a skip: remove that line")
        out.append(r)
    return out, notes


# -- kernel log --------------------------------------------------------------

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
