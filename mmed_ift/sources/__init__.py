"""Source adapters: one module per upstream dataset, found and registered automatically.

Every module in this package except the shared machinery registers its adapter on import, so a
new source is one new file; nothing else needs editing.
"""

from __future__ import annotations

import importlib
import pkgutil

from mmed_ift.sources.base import (
    ReadResult,
    SourceAdapter,
    SourceSpec,
    bundled_samples_root,
    get_source,
    register,
    registry,
)

_SHARED_MODULES = {
    "base",
    "formats",
    "discovery",
    "files",
    "wiki_formats",
    "wiki_select",
    "wiki_seed",
    "wiki_seed_nature",
}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SHARED_MODULES and not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "ReadResult",
    "SourceAdapter",
    "SourceSpec",
    "bundled_samples_root",
    "get_source",
    "register",
    "registry",
]
