"""``python -m mmed_ift.evaluate``: run the evaluate command before the main CLI wires it in."""

from __future__ import annotations

import sys

from mmed_ift.cli.evaluate import main

sys.exit(main())
