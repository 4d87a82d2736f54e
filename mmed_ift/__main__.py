"""``python -m mmed_ift``: the command line (a Ctrl-C at any moment ends with one line, exit 130)."""

import sys

try:
    from mmed_ift.cli import main

    code = main()
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    code = 130
raise SystemExit(code)
