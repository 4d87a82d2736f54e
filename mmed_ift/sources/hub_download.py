"""Fetch a source's upstream files from the Hugging Face Hub, then read them with its adapter.

``build --hub NAME[=REPO_ID][@REVISION]`` (or ``hub_sources`` in :class:`BuildConfig`) downloads
the dataset repository's files with ``huggingface_hub.snapshot_download`` -- only those that
match the adapter's expected file names, plus zip archives -- into the Hub cache, and points the
adapter at the snapshot.  The adapters parse upstream formats, so this works for repositories
that host those files (``openlifescienceai/medmcqa``'s parquet, ``FreedomIntelligence/
Huatuo26M-Lite``'s jsonl, release zips); for a repository that only has a conversion in
another layout the adapter reports which files it expected and did not find.

The revision that was resolved is recorded, so a build says exactly which data it read.
``HF_HUB_OFFLINE=1`` makes this fail at once with a clear message instead of hanging.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.sources.base import get_source


@dataclass(frozen=True)
class HubSource:
    name: str
    repo_id: str
    revision: str | None = None

    @classmethod
    def parse(cls, text: str) -> HubSource:
        """``medmcqa``, ``medmcqa=openlifescienceai/medmcqa`` or ``...@<revision>``."""
        name, _, rest = text.partition("=")
        revision = None
        if "@" in rest:
            rest, revision = rest.rsplit("@", 1)
        adapter = get_source(name.strip())
        repo_id = rest.strip() or adapter.spec.hub_id
        if not repo_id:
            raise SourceNotFoundError(
                f"source {name!r} has no known Hub id; name one: --hub {name}=OWNER/DATASET"
            )
        return cls(adapter.spec.name, repo_id, revision or None)


def fetch(source: HubSource, cache_dir: Path | None = None) -> tuple[Path, str]:
    """Download the files the adapter can read; returns (local folder, resolved commit)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    adapter = get_source(source.name)
    patterns = [pattern.removeprefix("**/") for pattern in adapter.spec.expected_files]
    allow = sorted({*patterns, *(f"**/{pattern}" for pattern in patterns), "*.zip", "**/*.zip"})
    try:
        folder = snapshot_download(
            repo_id=source.repo_id,
            repo_type="dataset",
            revision=source.revision,
            allow_patterns=allow,
            cache_dir=cache_dir,
        )
    except OfflineModeIsEnabled:
        raise SourceNotFoundError(
            f"{source.name}: HF_HUB_OFFLINE is set, cannot download {source.repo_id}; use --sources with local files"
        ) from None
    except (HfHubHTTPError, OSError) as error:
        raise SourceNotFoundError(f"{source.name}: could not download {source.repo_id} from the Hub: {error}") from None
    path = Path(folder)
    # snapshots live under .../snapshots/<commit>/
    return path, path.name
