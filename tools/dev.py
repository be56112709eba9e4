#!/usr/bin/env python3
"""Developer front door: set up and run the demo server, run the whole test suite,
or run a benchmark.

    python3 tools/dev.py run          # requirements, demo database, server on localhost
    python3 tools/dev.py test         # the linters, then a fresh database, all module tests, pytest
    python3 tools/dev.py lint         # the linters alone (pre-commit over every file)
    python3 tools/dev.py bench NAME   # one benchmark (docs/BENCHMARKS.md)

tools/ is a package: this file runs ``python3 -m tools`` (tools/cli.py) from the
repository root, so that the commands import it as one.
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

if __name__ == "__main__":
    os.chdir(ROOT)
    os.execv(sys.executable, [sys.executable, "-m", "tools", *sys.argv[1:]])
