"""``python -m mmed_ift.train RECIPE``: usable with ``accelerate launch -m`` before cli.py wires it."""

import sys

from mmed_ift.cli.train import main

sys.exit(main())
