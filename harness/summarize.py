#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sum up the results of a make-test run: a line per level, each failure
with its reason and where its log is, and the closing
"N passed, N failed[, N skipped]" line. Exit status 1 when anything failed.
The same results go to LOGDIR/junit.xml for CI systems: one JUnit test
suite per level, with the level's time and, where the KTAP gave one
("ok 2 smoke # 65s"), each test's.

  summarize.py LOGDIR LEVEL...

Per level it reads LOGDIR/LEVEL.ktap (the results), LOGDIR/LEVEL.rc (the
exit status of what produced them) and LOGDIR/LEVEL.secs (how long it
took). A non-zero status with no failed result (an abort after "Bail
out!", a time-out) is a failure of its own; a skip that
tests/expected-skips does not list is a failure.
"""

import os
import re
import signal
import sys
from xml.sax.saxutils import quoteattr

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


def detail_lines(logdir, level):
    """The KTAP a level's failures are explained from: the guest's own
    output (LEVEL/results.ktap), else the level's results (LEVEL.ktap:
    lint, unit). [] when neither is there."""
    for path in (os.path.join(logdir, level, "results.ktap"),
                 os.path.join(logdir, f"{level}.ktap")):
        try:
            with open(path, errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            pass
    return []


def failure_details(lines, name, limit=8):
    """What failed test @name printed, from its level's detail_lines(): the
    diagnostic lines ("# ...") at the indent of its "not ok" line, those
    just before it (a selftest prints its checks there) or, if none, those
    just after (a guest test and lint print theirs after the result; after
    a selftest's result they are the next case's). At most @limit lines,
    the last ones before or the first ones after."""
    for i, line in enumerate(lines):
        m = ktap.RESULT.match(line)
        if not m or m.group("ok") != "not ok":
            continue
        # the expanded name joins the names on the way down with "/"
        # ("guest: guest:smoke/tso-guest-to-host"); a name may hold "/"
        # itself ("drivers/net:ping.py")
        own = m.group("name").strip()
        if not own or not name.endswith(("/" + own, ":" + own, " " + own)):
            continue
        diag = re.compile("^" + re.escape(m.group("indent")) + r"#\s?(.*)$")
        before, after = [], []
        for prev in reversed(lines[:i]):
            d = diag.match(prev)
            if not d:
                break
            before.append(d.group(1))
        before.reverse()
        for nxt in lines[i + 1:]:
            d = diag.match(nxt)
            if not d:
                break
            after.append(d.group(1))
        return before[-limit:] if before else after[:limit]
    return []


def log_of(logdir, level):
    d = os.path.join(logdir, level)
    if os.path.isdir(d):
        return d
    for ext in (".err", ".ktap"):
        if os.path.exists(os.path.join(logdir, level + ext)):
            return os.path.join(logdir, level + ext)
    return logdir


# "ok 2 smoke # 65s": the time a test took, where the KTAP says
TIME_RE = re.compile(r"^(\d+(?:\.\d+)?)s$")


def level_secs(logdir, level):
    try:
        with open(os.path.join(logdir, f"{level}.secs")) as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return None


def top_times(logdir, level):
    """{top-level test: seconds} from the level's KTAP ("ok 2 smoke # 65s")."""
    times = {}
    try:
        with open(os.path.join(logdir, f"{level}.ktap"), errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return times
    for line in lines:
        m = ktap.RESULT.match(line)
        if m and not m.group("indent"):
            t = TIME_RE.match((m.group("directive") or "").strip())
            if t:
                times[m.group("name").strip()] = float(t.group(1))
    return times


def junit_suites(level, secs, results, times):
    """A level's results as JUnit suites: [(name, seconds, [(case, Result)])].
    The tests of the level itself form one suite with the level's time; a
    test that reported subtests (a guest test, a selftest file) gets a
    suite of its own, "LEVEL/TEST", with that test's time."""
    own, subs = [], {}
    for r in results:
        name = r.name[len(level) + 2:] if r.name.startswith(level + ": ") else r.name
        top, sep, rest = name.partition("/")
        if sep:
            subs.setdefault(top, []).append((rest, r))
        else:
            own.append((name, r))
    suites = [(level, secs, [(n, r, times.get(n)) for n, r in own])]
    for top, cases in subs.items():
        suites.append((f"{level}/{top}", times.get(top), [(n, r, None) for n, r in cases]))
    return suites


def write_junit(path, suites):
    """suites: junit_suites() of every level, after expected skips."""
    with open(path, "w") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
        for name, secs, cases in suites:
            failed = sum(r.status == "fail" for _, r, _ in cases)
            skipped = sum(r.status == "skip" for _, r, _ in cases)
            t = f' time="{secs:g}"' if secs is not None else ""
            out.write(f'  <testsuite name={quoteattr(name)} tests="{len(cases)}" '
                      f'failures="{failed}" skipped="{skipped}"{t}>\n')
            for case, r, csecs in cases:
                t = f' time="{csecs:g}"' if csecs is not None else ""
                out.write(f'    <testcase classname={quoteattr(name)} '
                          f'name={quoteattr(case)}{t}>')
                if r.status == "fail":
                    out.write(f'<failure message={quoteattr(r.reason or "failed")}/>')
                elif r.status == "skip":
                    out.write(f'<skipped message={quoteattr(r.reason or "")}/>')
                out.write("</testcase>\n")
            out.write("  </testsuite>\n")
        out.write("</testsuites>\n")


def summarize(logdir, levels, expected, out=sys.stdout):
    everything, notes, suites = [], [], []
    print(file=out)
    for level in levels:
        results, seen = ktap.apply_expected_skips(level, level_results(logdir, level),
                                                  expected, prefix=f"{level}: ")
        notes += seen
        everything += [(level, r) for r in results]
        suites += junit_suites(level, level_secs(logdir, level), results,
                               top_times(logdir, level))
        print(f"{level:>11}: {ktap.totals_line(results)}", file=out)
    details = {}
    for level, r in everything:
        if r.status == "fail":
            print(f"FAIL {r.name}{(' # ' + r.reason) if r.reason else ''} "
                  f"(log: {log_of(logdir, level)})", file=out)
            if level not in details:
                details[level] = detail_lines(logdir, level)
            for d in failure_details(details[level], r.name):
                print(f"    | {d}", file=out)
    for n in notes:
        print(f"NOTE {n}", file=out)
    write_junit(os.path.join(logdir, "junit.xml"), suites)
    print(f"logs: {logdir} (JUnit: junit.xml)", file=out)
    results = [r for _, r in everything]
    print(ktap.totals_line(results), file=out)
    return 1 if any(r.status == "fail" for r in results) else 0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(summarize(sys.argv[1], sys.argv[2:], ktap.load_expected_skips()))


if __name__ == "__main__":
    main()
