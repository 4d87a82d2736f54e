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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.languages import get_language
from mmed_ift.sources.base import get_source

#: what the Hub accepts as a repository id and a revision (branch, tag or commit)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_REVISION = re.compile(r"^[\w./-]{1,200}$")


@dataclass(frozen=True)
class HubSource:
    name: str
    repo_id: str
    revision: str | None = None

    @classmethod
    def parse(cls, text: str) -> HubSource:
        """``medmcqa``, ``medmcqa=openlifescienceai/medmcqa`` or ``...@<revision>``; a malformed
        spec is a :class:`SourceNotFoundError` that shows the expected form."""
        form = "expected NAME, NAME=OWNER/DATASET or NAME=OWNER/DATASET@REVISION"
        name, equals, rest = text.partition("=")
        name = name.strip()
        revision = None
        if "@" in (rest if equals else name):
            if equals:
                rest, revision = rest.rsplit("@", 1)
            else:
                name, revision = name.rsplit("@", 1)
            if not revision.strip() or not _REVISION.match(revision.strip()):
                raise SourceNotFoundError(f"--hub {text!r}: the revision after @ is empty or malformed; {form}")
            revision = revision.strip()
        if not name:
            raise SourceNotFoundError(f"--hub {text!r}: no source name; {form}")
        if equals and not rest.strip():
            raise SourceNotFoundError(f"--hub {text!r}: nothing after '='; {form}")
        adapter = get_source(name)
        repo_id = rest.strip() or adapter.spec.hub_id
        if not repo_id:
            raise SourceNotFoundError(f"source {name!r} has no known Hub id; name one: --hub {name}=OWNER/DATASET")
        if not _REPO_ID.match(repo_id):
            raise SourceNotFoundError(f"--hub {text!r}: {repo_id!r} is not a Hub dataset id (OWNER/DATASET); {form}")
        return cls(adapter.spec.name, repo_id, revision)


def allow_patterns(name: str, languages: Iterable[str] | None = None) -> list[str]:
    """The ``allow_patterns`` of a source's download.

    A repository with one config per language (``wikimedia/wikipedia``: ``20231101.ja/train-*.parquet``)
    names its per-language files in ``spec.extra["hub_language_patterns"]`` (``{lang}`` is filled in):
    with the build's languages given, only their shards are fetched -- a few GB instead of the
    whole multi-language repository;
    ``{language}`` is filled in with the language's English name (MMedC's ``Japanese.zip``).  A
    repository whose zips repeat the files it also holds unpacked (ApolloCorpus's 5.5 GB
    ``ApolloCorpus.zip``) says ``"hub_zips": False``: reading both would make every record a
    duplicate.
    """
    spec = get_source(name).spec
    per_language = tuple(spec.extra.get("hub_language_patterns", ()))
    if per_language and languages is not None:
        return sorted(
            {
                pattern.format(lang=lang, language=get_language(lang).name)
                for pattern in per_language
                for lang in languages
            }
        )
    patterns = [pattern.removeprefix("**/") for pattern in spec.expected_files]
    zips = ("*.zip", "**/*.zip") if spec.extra.get("hub_zips", True) else ()
    return sorted({*patterns, *(f"**/{pattern}" for pattern in patterns), *zips})


def fetch(
    source: HubSource, cache_dir: Path | None = None, languages: Iterable[str] | None = None
) -> tuple[Path, str]:
    """Download the files the adapter can read (of ``languages`` only, for a repository with a
    config per language); returns (local folder, resolved commit)."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    allow = allow_patterns(source.name, languages)
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
