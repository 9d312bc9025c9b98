# SPDX-License-Identifier: GPL-2.0-or-later
"""A few lines of test runner for the Python unit tests: @case collects
functions, run() calls each and prints KTAP; an exception is a failure."""

import subprocess
import sys

cases = []


def case(fn):
    cases.append(fn)
    return fn


def run(skip=None):
    """Run every case; skip: a reason to skip them all (exit 4)."""
    print("KTAP version 1")
    if skip:
        print(f"1..0 # SKIP {skip}")
        sys.exit(4)
    print(f"1..{len(cases)}")
    failed = 0
    for i, fn in enumerate(cases, 1):
        try:
            fn()
            print(f"ok {i} {fn.__name__}")
        except (AssertionError, OSError, subprocess.SubprocessError) as e:
            failed += 1
            print(f"not ok {i} {fn.__name__}")
            print("# " + str(e).replace("\n", "\n# "))
    sys.exit(1 if failed else 0)
