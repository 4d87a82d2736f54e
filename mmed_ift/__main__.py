"""``python -m mmed_ift``."""

from mmed_ift.cli import main

raise SystemExit(main())
