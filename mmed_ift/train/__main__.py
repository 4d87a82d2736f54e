"""``python -m mmed_ift.train RECIPE``: usable with ``accelerate launch -m`` before cli.py wires it."""

import sys

from mmed_ift.train.cli import main

sys.exit(main())
