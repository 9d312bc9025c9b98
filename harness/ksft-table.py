#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rewrite the README's table of kernel selftest results on zcnic from the
guest output of ksft runs (LOGDIR/<level>/results.ktap), each one labelled
with the guest kernel it ran on. A skipped case is explained by its line in
tests/expected-skips; one that is not listed there is marked unexpected.

  ksft-table.py README KERNEL=RESULTS_KTAP [KERNEL=RESULTS_KTAP ...]
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

BEGIN = "<!-- ksft-table-begin -->"
END = "<!-- ksft-table-end -->"
CASE = re.compile(r"^ {8}(ok|not ok) \d+ (\S+)(?:\s*#\s*(.*))?$")
PROG = re.compile(r"^ {4}(ok|not ok) \d+ (\S+)(?:\s*#\s*(.*))?$")
TOTALS = re.compile(r"^ {8}# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:\d+ skip:(\d+)")


def why_skipped(prog, case, reason, expected):
    name = f"ksft:ksft/{prog}/{case}"
    listed = next((e for e in expected if e.matches(e.level, name)), None)
    if listed:
        return f"{case}: {listed.why}"
    return f"{case}: **unexpected** ({reason})"


def rows_of(text, kernel, expected=()):
    rows, skips, xfails, totals = [], [], [], None
    for line in text.splitlines():
        m = CASE.match(line)
        if m and (m.group(3) or "").upper().startswith("SKIP"):
            skips.append((m.group(2), m.group(3)[4:].strip()))
            continue
        if m and (m.group(3) or "").upper().startswith("XFAIL"):
            xfails.append((m.group(2), m.group(3)[5:].strip()))
            continue
        m = TOTALS.match(line)
        if m:
            totals = m.groups()
            continue
        m = PROG.match(line)
        if m:
            status = "pass" if m.group(1) == "ok" else "**fail**"
            if (m.group(3) or "").upper().startswith("SKIP"):
                status = "skip"
            cases = f"{totals[0]} passed, {totals[1]} failed, {totals[3]} skipped" if totals else ""
            if totals and int(totals[2]):
                # the selftest's own verdict: it could not set up what it checks
                cases += f", {totals[2]} XFAIL"
            why = [why_skipped(m.group(2), case, reason, expected) for case, reason in skips]
            why += [f"{case}: XFAIL, the test says: {reason}" for case, reason in xfails]
            rows.append((m.group(2), kernel, status, cases, "; ".join(why)))
            skips, xfails, totals = [], [], None
    return rows


def table(rows):
    out = ["| selftest | kernel | result | cases | skipped (and XFAIL) cases and why |",
           "| --- | --- | --- | --- | --- |"]
    out += [f"| `{n}` | {kern} | {s} | {c} | {k} |" for n, kern, s, c, k in rows]
    return "\n".join(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    readme_path, rows = sys.argv[1], []
    expected = ktap.load_expected_skips()
    for arg in sys.argv[2:]:
        kernel, _, path = arg.partition("=")
        if not path:
            sys.exit(f"{arg}: expected KERNEL=RESULTS_KTAP")
        try:
            with open(path, errors="replace") as f:
                got = rows_of(f.read(), kernel, expected)
        except OSError as e:
            sys.exit(f"{path}: {e.strerror}")
        if not got:
            sys.exit(f"{path}: no selftest results in it")
        rows += got
    new = table(rows)
    with open(readme_path) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit(f"{readme_path}: no {BEGIN} ... {END} section")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(readme_path, "w") as f:
        f.write(head + BEGIN + "\n" + new + "\n" + END + tail)
    print(new)


if __name__ == "__main__":
    main()
