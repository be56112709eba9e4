"""``python3 -m tools run|test|bench``: the commands of tools/dev.py."""

import signal
import sys

from tools.cli import main

signal.signal(signal.SIGTERM, signal.default_int_handler)
sys.exit(main())
