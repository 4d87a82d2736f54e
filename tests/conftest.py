"""Shared fixtures.  The real upstream samples live in ``../shared/realdata`` beside the checkout;
tests that need them fail loudly when they are missing, so CI can never pass by skipping them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _realdata_root() -> Path:
    configured = os.environ.get("MMED_IFT_REALDATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "realdata"


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Root of the real upstream data samples (see its MANIFEST.md)."""
    root = _realdata_root()
    if not (root / "MANIFEST.md").is_file():
        pytest.fail(
            f"real upstream samples not found at {root}; set MMED_IFT_REALDATA or check out"
            " shared/ beside the repository"
        )
    return root
