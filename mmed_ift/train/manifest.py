"""What is saved next to a trained adapter so the run can be audited and repeated.

``recipe.yaml`` is the effective recipe (after ``--set`` and the CPU rules), and
``train_manifest.json`` holds the data fingerprint/revision, the base model under the adapter,
library versions, the device, the loss curve and the artifacts' paths.
"""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = (
    "mmed-ift",
    "torch",
    "transformers",
    "trl",
    "peft",
    "accelerate",
    "datasets",
    "huggingface_hub",
    "tokenizers",
    "bitsandbytes",
    "deepspeed",
)


def library_versions() -> dict[str, str | None]:
    """Installed versions of everything that changes a training result (``None``: not installed)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def device_description() -> str:
    import torch

    if torch.cuda.is_available():
        return f"cuda x{torch.cuda.device_count()} ({torch.cuda.get_device_name(0)})"
    return f"cpu ({torch.get_num_threads()} threads)"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write via a temporary file so a crash never leaves half a manifest (its presence means done)."""
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    staging.replace(path)
