"""Shared pieces of the training tests: the tiny-model overrides and an assistant-token loss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RECIPES = REPO_ROOT / "recipes"
STAGE1 = RECIPES / "smollm2-135m" / "stage1_mmed_ift.yaml"
STAGE2 = RECIPES / "smollm2-135m" / "stage2_mmed_ift_mc.yaml"
LANGS = "[en, ja]"


def tiny_overrides(
    model: Path | str, dataset: Path, output_dir: Path, *, steps: int, extra: tuple[str, ...] = ()
) -> list[str]:
    """Turn the small recipe into a seconds-long run: tiny model, two languages, short sequences.

    A random-init model only learns with its (untied) embeddings and head trained too, hence
    ``modules_to_save``, and has 2 layers, so LoRA goes on all of them; the real-model tests keep
    the recipe's LoRA as shipped.
    """
    return [
        f"model.name_or_path={model}",
        f"data.dataset={dataset}",
        f"data.languages={LANGS}",
        "data.mixing={}",
        "data.max_samples=64",
        f"training.output_dir={output_dir}",
        f"training.max_steps={steps}",
        "training.max_length=192",
        "training.learning_rate=5e-3",
        "training.warmup_steps=0",
        "training.logging_steps=2",
        "training.save_steps=10",
        "lora.modules_to_save=[embed_tokens, lm_head]",
        "lora.layers_to_transform=null",  # the recipe's top-10-of-30 layers; the tiny model has 2
        *extra,
    ]


def assistant_loss(model: Any, tokenizer: Any, rows: list[dict[str, Any]]) -> float:
    """Mean cross-entropy over assistant tokens only (the quantity training lowers)."""
    import torch

    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for row in rows:
            encoded = tokenizer.apply_chat_template(
                row["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
            )
            ids = torch.tensor([encoded["input_ids"][:192]])
            mask = torch.tensor(encoded["assistant_masks"][:192], dtype=torch.bool)
            logits = model(input_ids=ids).logits[0, :-1]
            targets = ids[0, 1:]
            keep = mask[1:]
            losses = torch.nn.functional.cross_entropy(logits[keep], targets[keep], reduction="sum")
            total += float(losses)
            count += int(keep.sum())
    return total / count
