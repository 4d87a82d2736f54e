"""Two-stage LoRA fine-tuning (MMed-IFT, then MMed-IFT-MC) from alignment-handbook-style recipes.

Public API: :func:`load_recipe`, :func:`train_stage` (raises :class:`TrainingInterrupted` after
saving when Ctrl-C/SIGTERM stops it), :func:`build_trainer`, :func:`load_trained` and
the command line in :mod:`mmed_ift.cli.train`.  torch, transformers, TRL and PEFT (the ``[train]``
extra) are imported only when a stage runs, so importing this package costs nothing.
"""

from mmed_ift.train.modeling import load_trained
from mmed_ift.train.recipe import Recipe, RecipeError, load_recipe
from mmed_ift.train.runner import StageResult, TrainingInterrupted, build_trainer, train_stage

__all__ = [
    "Recipe",
    "RecipeError",
    "StageResult",
    "TrainingInterrupted",
    "build_trainer",
    "load_recipe",
    "load_trained",
    "train_stage",
]
