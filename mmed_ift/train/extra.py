"""The ``[train]`` extra: checked before a stage starts, so a plain install gets one clear line."""

from __future__ import annotations

import importlib

from mmed_ift.errors import MMedIFTError

#: what a stage imports; all of them come with ``pip install "mmed-ift[train]"``
TRAIN_MODULES = ("torch", "transformers", "trl", "peft", "accelerate")
INSTALL_HINT = 'pip install "mmed-ift[train]"'


class TrainExtraMissing(MMedIFTError):
    """torch, transformers, TRL or PEFT is not installed (the ``[train]`` extra)."""


def require_train_extra() -> None:
    """Import the training libraries once, or raise :class:`TrainExtraMissing` naming the extra."""
    for name in TRAIN_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as error:
            missing = error.name or name
            raise TrainExtraMissing(
                f"training needs the [train] extra ({missing} is not installed): {INSTALL_HINT}"
            ) from None
