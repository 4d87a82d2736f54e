"""Chat templates with ``{% generation %}`` markers, so TRL can mask every non-assistant token.

``assistant_only_loss`` asks the tokenizer for an assistant-token mask, and a Jinja template can
only give one if it wraps assistant content in ``{% generation %}``.  Most shipped templates do
not, so a recipe picks one of these by name (``model.chat_template``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mmed_ift.pretrained import CHATML_TEMPLATE, with_generation_markers

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

#: Llama-3 instruct format; the header of the assistant turn stays in the prompt (unmasked)
LLAMA3_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}"
    "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' }}"
    "{% if m['role'] == 'assistant' %}{% generation %}{{ m['content'] | trim + '<|eot_id|>' }}{% endgeneration %}"
    "{% else %}{{ m['content'] | trim + '<|eot_id|>' }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)

TEMPLATES: dict[str, str] = {"chatml": CHATML_TEMPLATE, "llama3": LLAMA3_TEMPLATE}


def apply_chat_template(tokenizer: PreTrainedTokenizerBase, name: str | None) -> PreTrainedTokenizerBase:
    """Set the named template, or give a ChatML tokenizer its marked twin; ensure a pad token."""
    if name is not None:
        tokenizer.chat_template = TEMPLATES[name]
        if name == "chatml":
            _ensure_tokens(tokenizer, ["<|im_start|>", "<|im_end|>"])
    else:
        with_generation_markers(tokenizer)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def has_generation_markers(tokenizer: PreTrainedTokenizerBase) -> bool:
    template = tokenizer.chat_template
    return isinstance(template, str) and "{% generation %}" in template


def _ensure_tokens(tokenizer: PreTrainedTokenizerBase, tokens: list[str]) -> None:
    """A base model given ChatML needs its markers as single special tokens, not as byte soup."""
    vocab = tokenizer.get_vocab()
    missing = [token for token in tokens if token not in vocab]
    if missing:
        tokenizer.add_special_tokens({"additional_special_tokens": missing})  # type: ignore[no-untyped-call]
