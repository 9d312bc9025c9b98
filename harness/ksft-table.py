#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rewrite the README's table of kernel selftest results on zcnic from a
ksft run's guest output (LOGDIR/ksft/results.ktap).

  ksft-table.py RESULTS_KTAP README
"""

import re
import sys

BEGIN = "<!-- ksft-table-begin -->"
END = "<!-- ksft-table-end -->"
CASE = re.compile(r"^ {8}(ok|not ok) \d+ (\S+)(?:\s*#\s*(.*))?$")
PROG = re.compile(r"^ {4}(ok|not ok) \d+ (\S+)(?:\s*#\s*(.*))?$")
TOTALS = re.compile(r"^ {8}# Totals: pass:(\d+) fail:(\d+) xfail:\d+ xpass:\d+ skip:(\d+)")


def table(text):
    rows, skips, totals = [], [], None
    for line in text.splitlines():
        m = CASE.match(line)
        if m and (m.group(3) or "").upper().startswith("SKIP"):
            skips.append(f"{m.group(2)}: {m.group(3)[4:].strip()}")
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
            cases = f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped" if totals else ""
            rows.append((m.group(2), status, cases, "; ".join(skips)))
            skips, totals = [], None
    out = ["| selftest | result | cases | skipped cases and why |", "| --- | --- | --- | --- |"]
    out += [f"| `{n}` | {s} | {c} | {k} |" for n, s, c, k in rows]
    return "\n".join(out)


def main():
    with open(sys.argv[1], errors="replace") as f:
        new = table(f.read())
    with open(sys.argv[2]) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit(f"{sys.argv[2]}: no {BEGIN} ... {END} section")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(sys.argv[2], "w") as f:
        f.write(head + BEGIN + "\n" + new + "\n" + END + tail)
    print(new)


if __name__ == "__main__":
    main()
