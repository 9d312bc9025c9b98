#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sum up the KTAP files of a make-test run: a line per level, a list of
what failed, and the closing "N passed, N failed[, N skipped]" line.
Exit status 1 when anything failed."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402


def main():
    logdir, levels = sys.argv[1], sys.argv[2:]
    everything = []
    print()
    for level in levels:
        path = os.path.join(logdir, f"{level}.ktap")
        try:
            with open(path, errors="replace") as f:
                results = ktap.parse(f.read(), prefix=f"{level}: ", expand=True)
        except OSError:
            results = []
        if not results:
            results = [ktap.Result(f"{level}: (no results)", "fail", f"missing or empty {path}")]
        everything += results
        print(f"{level:>6}: {ktap.totals_line(results)}")
    for r in everything:
        if r.status == "fail":
            print(f"FAIL {r.name} {('# ' + r.reason) if r.reason else ''}")
    print(f"logs: {logdir}")
    print(ktap.totals_line(everything))
    sys.exit(1 if any(r.status == "fail" for r in everything) else 0)


if __name__ == "__main__":
    main()
