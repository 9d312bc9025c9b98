#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sum up the results of a make-test run: a line per level, each failure
with its reason and where its log is, and the closing
"N passed, N failed[, N skipped]" line. Exit status 1 when anything failed.

  summarize.py LOGDIR LEVEL...

Per level it reads LOGDIR/LEVEL.ktap (the results) and LOGDIR/LEVEL.rc
(the exit status of what produced them). A non-zero status with no failed
result (an abort after "Bail out!", a time-out) is a failure of its own;
a skip that tests/expected-skips does not list is a failure.
"""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402


def exit_status_text(rc):
    if rc == 124:
        return "killed by its time-out"
    if rc > 128 and rc - 128 < signal.NSIG:
        try:
            return f"killed by {signal.Signals(rc - 128).name}"
        except ValueError:
            pass
    return f"exit status {rc}"


def level_results(logdir, level):
    prefix = f"{level}: "
    path = os.path.join(logdir, f"{level}.ktap")
    try:
        with open(path, errors="replace") as f:
            results = ktap.parse(f.read(), prefix=prefix, expand=True)
    except OSError:
        results = []
    if not results:
        results = [ktap.Result(f"{prefix}(no results)", "fail", f"missing or empty {path}")]
    try:
        with open(os.path.join(logdir, f"{level}.rc")) as f:
            rc = int(f.read().strip() or "0")
    except (OSError, ValueError):
        rc = None
    if rc and not any(r.status == "fail" for r in results):
        results.append(ktap.Result(f"{prefix}exit-status", "fail",
                                   f"{exit_status_text(rc)} although no result failed"))
    return results


def log_of(logdir, level):
    d = os.path.join(logdir, level)
    if os.path.isdir(d):
        return d
    for ext in (".err", ".ktap"):
        if os.path.exists(os.path.join(logdir, level + ext)):
            return os.path.join(logdir, level + ext)
    return logdir


def summarize(logdir, levels, expected, out=sys.stdout):
    everything, notes = [], []
    print(file=out)
    for level in levels:
        results, seen = ktap.apply_expected_skips(level, level_results(logdir, level),
                                                  expected, prefix=f"{level}: ")
        notes += seen
        everything += [(level, r) for r in results]
        print(f"{level:>11}: {ktap.totals_line(results)}", file=out)
    for level, r in everything:
        if r.status == "fail":
            print(f"FAIL {r.name}{(' # ' + r.reason) if r.reason else ''} "
                  f"(log: {log_of(logdir, level)})", file=out)
    for n in notes:
        print(f"NOTE {n}", file=out)
    print(f"logs: {logdir}", file=out)
    results = [r for _, r in everything]
    print(ktap.totals_line(results), file=out)
    return 1 if any(r.status == "fail" for r in results) else 0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(summarize(sys.argv[1], sys.argv[2:], ktap.load_expected_skips()))


if __name__ == "__main__":
    main()
