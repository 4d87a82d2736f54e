"""Loading what a stage trains: the base model (optionally 4-bit), its tokenizer, and the adapter.

Stage 2 starts from stage 1's output in one of two ways (``stage.init_mode``):

* ``merged``: stage 1's ``merged/`` folder is the new base and a fresh LoRA is trained on it, the
  paper's recipe (knowledge first, then task format, each as its own low-rank update);
* ``adapter``: stage 1's base model is loaded again and stage 1's adapter keeps training, so the
  result is a single adapter over the original base (smaller to ship, one merge at the end).

Either way the "base" that sits under the adapter is recorded, because reloading and merging
need it and it is not the recipe's ``model.name_or_path`` in the ``merged`` case.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmed_ift.errors import MMedIFTError
from mmed_ift.pretrained import SMOLLM2, smollm2_plain_dir
from mmed_ift.train.recipe import ModelArguments, Recipe
from mmed_ift.train.templates import apply_chat_template

if TYPE_CHECKING:
    from peft import LoraConfig
    from transformers import PreTrainedTokenizerBase

log = logging.getLogger(__name__)

MANIFEST_NAME = "train_manifest.json"
ADAPTER_DIR = "adapter"
MERGED_DIR = "merged"


class StageInitError(MMedIFTError):
    """A stage's ``init_from`` does not point at a finished previous stage."""


@dataclass
class BaseRef:
    """The weights under the adapter: what reloading and merging must load."""

    name_or_path: str
    revision: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name_or_path": self.name_or_path, "revision": self.revision}


@dataclass
class LoadedModel:
    model: Any
    tokenizer: PreTrainedTokenizerBase
    base: BaseRef
    #: a fresh LoRA for the trainer to add; ``None`` when an existing adapter keeps training
    peft_config: LoraConfig | None
    quantized: bool
    init: dict[str, Any] | None


def load_for_stage(recipe: Recipe) -> LoadedModel:
    """Base (+ previous adapter) and tokenizer for this stage, ready for ``SFTTrainer``."""
    stage, margs = recipe.stage, recipe.model
    init: dict[str, Any] | None = None
    adapter_from: Path | None = None
    if stage.init_from is None:
        assert margs.name_or_path is not None  # checked by the recipe loader
        base = BaseRef(margs.name_or_path, margs.revision)
    else:
        previous = Path(stage.init_from)
        manifest = read_manifest(previous)
        if manifest.get("status") == "interrupted":
            stopped = manifest["interrupted"]
            raise StageInitError(
                f"{previous} was interrupted at step {stopped['at_step']}/{stopped['max_steps']}; finish it first"
                " (train its recipe again with --resume) or point stage.init_from at a finished stage"
            )
        if stage.init_mode == "merged":
            merged = previous / MERGED_DIR
            if not (merged / "config.json").is_file():
                raise StageInitError(
                    f"{previous} has no merged model ({MERGED_DIR}/); rerun it with stage.save_merged=true"
                    " or start this stage with stage.init_mode=adapter"
                )
            base = BaseRef(str(merged.resolve()))
        else:
            base = BaseRef(**manifest["base_model"])
            adapter_from = previous / ADAPTER_DIR
        init = {"from": str(previous.resolve()), "mode": stage.init_mode, "previous_stage": manifest.get("stage")}
        if margs.name_or_path and stage.init_mode == "adapter" and margs.name_or_path != base.name_or_path:
            log.warning(
                "model.name_or_path %s ignored: the adapter continues on %s", margs.name_or_path, base.name_or_path
            )
    model, tokenizer = load_base(base, margs)
    quantized = bool(getattr(model, "is_loaded_in_4bit", False))
    if quantized:
        from peft import prepare_model_for_kbit_training

        gc = bool(recipe.sections["training"].get("gradient_checkpointing", True))
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gc)  # type: ignore[no-untyped-call]
    peft_config: LoraConfig | None = None
    if adapter_from is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_from), is_trainable=True)
        log.info("continuing the adapter of %s", adapter_from)
    else:
        peft_config = recipe.lora_config()
    return LoadedModel(model, tokenizer, base, peft_config, quantized, init)


def load_base(base: BaseRef, margs: ModelArguments, *, quantize: bool | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) for ``smollm2``, a folder or a Hub id, 4-bit when asked and possible."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    name = str(smollm2_plain_dir()) if base.name_or_path == SMOLLM2 else base.name_or_path
    kwargs: dict[str, Any] = {"revision": base.revision, "trust_remote_code": margs.trust_remote_code}
    tokenizer: Any = AutoTokenizer.from_pretrained(name, **kwargs)
    kwargs["dtype"] = getattr(torch, margs.dtype)
    if margs.attn_implementation:
        kwargs["attn_implementation"] = margs.attn_implementation
    if margs.load_in_4bit if quantize is None else quantize:
        kwargs.update(quantization_kwargs(margs))
    model = AutoModelForCausalLM.from_pretrained(name, **kwargs)
    tokenizer = apply_chat_template(tokenizer, margs.chat_template)
    embeddings: Any = model.get_input_embeddings()
    if len(tokenizer) > int(embeddings.weight.shape[0]):
        log.warning("tokenizer gained %d tokens; resizing the embeddings", len(tokenizer) - model.config.vocab_size)
        model.resize_token_embeddings(len(tokenizer))
    return model, tokenizer


def quantization_kwargs(margs: ModelArguments) -> dict[str, Any]:
    """QLoRA loading arguments (4-bit NF4); the device map follows the launcher's process layout."""
    import torch
    from transformers import BitsAndBytesConfig

    compute = getattr(torch, margs.bnb_4bit_compute_dtype)
    sharded = os.environ.get("ACCELERATE_USE_DEEPSPEED") == "true" or os.environ.get("ACCELERATE_USE_FSDP") == "true"
    config = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type=margs.bnb_4bit_quant_type,
        bnb_4bit_compute_dtype=compute,
        bnb_4bit_use_double_quant=margs.bnb_4bit_use_double_quant,
        # ZeRO-3 and FSDP shard parameters, which needs the packed 4-bit storage in a float dtype
        bnb_4bit_quant_storage=compute if sharded else torch.uint8,
    )
    kwargs: dict[str, Any] = {"quantization_config": config}
    if not sharded:
        from accelerate import PartialState

        kwargs["device_map"] = {"": PartialState().local_process_index}
    return kwargs


def merge_adapter(base: BaseRef, margs: ModelArguments, adapter_dir: Path, target: Path) -> Path:
    """Base (never quantized) + adapter merged into full weights in ``target``.

    The adapter is read back from disk rather than merged in memory, so the same code serves a
    4-bit QLoRA run (whose in-memory base cannot be merged into) and sharded ZeRO-3/FSDP runs.
    """
    from peft import PeftModel

    model, tokenizer = load_base(base, margs, quantize=False)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise StageInitError(f"{folder} is not a finished training stage (no {MANIFEST_NAME}); run that stage first")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_trained(output_dir: str | Path, *, use_merged: bool = True) -> tuple[Any, Any]:
    """(model, tokenizer) of a finished stage: its merged weights, or base + adapter."""
    folder = Path(output_dir)
    manifest = read_manifest(folder)
    margs = ModelArguments(**{k: v for k, v in manifest["model_arguments"].items() if k != "name_or_path"})
    merged = folder / MERGED_DIR
    if use_merged and (merged / "config.json").is_file():
        return load_base(BaseRef(str(merged)), margs, quantize=False)
    from peft import PeftModel

    model, tokenizer = load_base(BaseRef(**manifest["base_model"]), margs, quantize=False)
    return PeftModel.from_pretrained(model, str(folder / ADAPTER_DIR)), tokenizer
