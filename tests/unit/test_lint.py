#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make lint's ShellCheck and pyflakes checks can fail: the project's
.shellcheckrc, with its exceptions, still rejects a script with real
mistakes, and pyflakes rejects an unused import and an undefined name; the
same kinds of file without the mistakes pass."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "../.."))

sys.path.insert(0, HERE)
from cases import case, run  # noqa: E402


def shellcheck(text):
    # inside the tree, so that shellcheck finds the project's .shellcheckrc
    # as it does for the project's scripts
    with tempfile.TemporaryDirectory(dir=HERE) as d:
        path = os.path.join(d, "t.sh")
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run(["shellcheck", "-x", path], capture_output=True, text=True)


def pyflakes(text):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run(["pyflakes3", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)


@case
def shellcheck_with_the_project_settings_rejects_mistakes():
    # a word-split path, a test that is always true, a variable never set
    assert os.path.exists(os.path.join(TOP, ".shellcheckrc"))
    bad = shellcheck('#!/bin/bash\nf=$1\nrm $f\n[ -n $g ] && echo "$undefined_thing"\n')
    assert bad.returncode != 0, "shellcheck passed a broken script"
    for code in ("SC2086", "SC2070"):
        assert code in bad.stdout, f"{code} not reported:\n{bad.stdout}"
    good = shellcheck('#!/bin/bash\nf=$1\nrm -- "$f"\n')
    assert good.returncode == 0, good.stdout


@case
def pyflakes_rejects_an_unused_import_and_an_undefined_name():
    bad = pyflakes("import os\n\n\ndef f():\n    return undefined_name\n")
    assert bad.returncode != 0, "pyflakes passed a broken file"
    assert "'os' imported but unused" in bad.stdout, bad.stdout
    assert "undefined name 'undefined_name'" in bad.stdout, bad.stdout
    good = pyflakes("import os\n\n\ndef f():\n    return os.sep\n")
    assert good.returncode == 0, good.stdout


if __name__ == "__main__":
    run()
