"""Push a finished build to the Hugging Face Hub: ``MMed-IFT`` to ``<repo>``, ``MMed-IFT-MC`` to ``<repo>-MC``.

One repo id is given (``SpassMed/MMed-IFT``) and the multiple-choice dataset goes to the same id
with ``-MC`` appended, mirroring the folder names of a build, so the two can never be swapped by a
typo and a user who finds one finds the other.

Each dataset folder is pushed as **one commit** built with ``HfApi.create_commit``: ``README.md``,
every ``data/**.parquet`` file, and deletions of remote ``data/`` files this build no longer has
(a shard count that changed would otherwise leave stale shards that ``data/zh/train-*`` still
reads).  ``upload_folder`` is not used because, with ``hf_xet`` installed, it may split a large
folder into several commits, and a reader could then see new shards under an old card.

A build is refused (unless ``force``) when its ``build_report.json`` shows that it is not fit to
publish:

- ``"contamination_found": true`` at the top level, set by a decontamination step that found
  training rows overlapping evaluation data it could not remove.  The decontamination filter's own
  ``rejected`` count is *not* a blocker: those rows were removed, which is the filter working.
- generated samples that failed schema validation: ``generate.rejected_by_reason.invalid_sample``
  or any source's ``rejected_by_reason`` key ``generate:invalid_sample`` above zero.  Such a build
  has silently lost rows to a generator bug.
- decontamination was off: ``config.filter_options.decontaminate`` is false, or the report has no
  ``decontam`` filter step.  Such a build may train on benchmark questions.
- the files are not the ones the build wrote: ``output_sha256`` (``{relative path: sha256}`` of
  every file of the dataset folders, see :mod:`mmed_ift.hub.checksums`) is missing, or a shard or
  card was changed, removed or added since.

The token comes from ``HF_TOKEN`` or the cached ``hf auth login`` (huggingface_hub resolves it);
it is never printed and never taken on the command line, where it would show in process lists.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmed_ift.errors import MMedIFTError
from mmed_ift.hub.checksums import REPORT_KEY, checksum_mismatches, output_checksums
from mmed_ift.hub.layout import DATASET_FOLDERS, measure_folder

if TYPE_CHECKING:
    from huggingface_hub import HfApi

log = logging.getLogger(__name__)

REPORT_NAME = "build_report.json"
CARD_NAME = "README.md"
#: repo id suffix per dataset folder: the MC dataset goes next to the IFT one
REPO_SUFFIXES: dict[str, str] = {"MMed-IFT": "", "MMed-IFT-MC": "-MC"}
#: remote files a push may delete when this build no longer has them
MANAGED_PREFIX = "data/"
INVALID_SAMPLE = "invalid_sample"


class PublishError(MMedIFTError):
    """Publishing could not start or did not finish; the message says what to do."""


class BuildNotFoundError(PublishError):
    """The folder given is not a finished build (no folder, no report, no dataset folders)."""


class PublishRefusedError(PublishError):
    """The build report shows the build is not fit to publish; ``--force`` overrides."""


class HubError(PublishError):
    """The Hub (or the network, or offline mode) refused a request."""


@dataclass(frozen=True)
class UploadFile:
    """One file of a push: its path in the repo and its size in bytes."""

    path: str
    size: int


@dataclass
class DatasetPush:
    """What was (or, in a dry run, would be) pushed for one dataset folder."""

    folder: Path
    repo_id: str
    files: list[UploadFile]
    #: README.md as sent: the built card, with its load examples pointed at ``repo_id``
    card: bytes = b""
    commit_url: str | None = None

    @property
    def total_bytes(self) -> int:
        return sum(item.size for item in self.files)


@dataclass
class PublishResult:
    dry_run: bool
    pushes: list[DatasetPush] = field(default_factory=list)
    #: dataset folders with no rows, which are never pushed
    skipped: list[str] = field(default_factory=list)
    #: blockers that ``force`` overrode
    forced: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"forced past: {blocker}" for blocker in self.forced]
        lines += [f"skipped {name}: the build wrote no rows for it" for name in self.skipped]
        for push in self.pushes:
            verb = "would push" if self.dry_run else "pushed"
            lines.append(f"{verb} {len(push.files)} files ({push.total_bytes:,} bytes) to {push.repo_id}")
            if self.dry_run:
                lines += [f"  {item.size:>12,}  {item.path}" for item in push.files]
            elif push.commit_url:
                lines.append(f"  commit: {push.commit_url}")
        return "\n".join(lines)


# -- reading the build ---------------------------------------------------------------------------


def load_report(out_dir: Path) -> dict[str, Any]:
    """The build report, with errors that say which command produces what is missing."""
    if not out_dir.is_dir():
        raise BuildNotFoundError(f"{out_dir} is not a folder; run `python -m mmed_ift build --out {out_dir}` first")
    path = out_dir / REPORT_NAME
    if not path.is_file():
        raise BuildNotFoundError(
            f"{path} is missing, so {out_dir} is not a finished build; rebuild with `python -m mmed_ift build`"
        )
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BuildNotFoundError(f"{path} cannot be read ({error}); rebuild with `python -m mmed_ift build`") from None
    if not isinstance(report, dict) or not isinstance(report.get("outputs"), dict):
        raise BuildNotFoundError(f"{path} has no 'outputs' section; it was not written by `mmed_ift build`")
    return report


def _count(section: Any, key: str) -> int:
    value = section.get(key, 0) if isinstance(section, Mapping) else 0
    return value if isinstance(value, int) else 0


def publish_blockers(report: Mapping[str, Any]) -> list[str]:
    """Why this build must not be published (empty when it may be); see the module docstring."""
    blockers: list[str] = []
    if report.get("contamination_found") is True:
        blockers.append(
            "build_report.json has contamination_found: true (training rows overlap evaluation data);"
            " fix the sources or the decontamination settings and rebuild"
        )
    generate = report.get("generate", {})
    invalid = _count(generate.get("rejected_by_reason") if isinstance(generate, Mapping) else None, INVALID_SAMPLE)
    sources = report.get("sources", {})
    if isinstance(sources, Mapping):
        # the same rejects may be counted in both places, so take the larger count, not the sum
        invalid = max(
            invalid,
            sum(_count(info.get("rejected_by_reason"), f"generate:{INVALID_SAMPLE}") for info in sources.values()),
        )
    if invalid:
        blockers.append(
            f"{invalid} generated samples failed schema validation (generate:{INVALID_SAMPLE});"
            " see rejects.jsonl, fix the generator and rebuild"
        )
    blockers += decontamination_blockers(report)
    return blockers


def decontamination_blockers(report: Mapping[str, Any]) -> list[str]:
    """The build ran without decontamination (turned off, or no ``decontam`` step in the report)."""
    config = report.get("config")
    options = config.get("filter_options") if isinstance(config, Mapping) else None
    if isinstance(options, Mapping) and options.get("decontaminate") is False:
        return [
            "the build ran with decontamination off (config.filter_options.decontaminate: false);"
            " rebuild without --no-decontam"
        ]
    filters = report.get("filters")
    if not isinstance(filters, Mapping) or "decontam" not in filters:
        return ["build_report.json has no decontam filter step, so benchmark overlap was never checked; rebuild"]
    return []


def checksum_blockers(out_dir: Path, report: Mapping[str, Any]) -> list[str]:
    """The dataset folders differ from what the build recorded (or it recorded nothing)."""
    recorded = report.get(REPORT_KEY)
    if not isinstance(recorded, Mapping) or not recorded:
        return [f"build_report.json records no checksums ({REPORT_KEY}), so the files cannot be verified; rebuild"]
    try:
        current = output_checksums(out_dir)
    except OSError as error:
        return [f"the dataset files cannot be read to verify them ({error})"]
    problems = checksum_mismatches({str(key): str(value) for key, value in recorded.items()}, current)
    if not problems:
        return []
    shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    return [f"the dataset files do not match the checksums recorded at build time ({shown}); rebuild"]


def retarget_card(card: bytes, built_repo_id: str, repo_id: str) -> bytes:
    """The card with its ``load_dataset("...")`` examples naming the repo it is pushed to.

    A build names ``<repo_namespace>/<folder>`` in its card; pushing elsewhere (a fork, a test
    namespace) must not publish instructions that load someone else's dataset.
    """
    if built_repo_id == repo_id:
        return card
    return card.replace(f'load_dataset("{built_repo_id}"'.encode(), f'load_dataset("{repo_id}"'.encode())


def upload_files(folder: Path, card: bytes) -> list[UploadFile]:
    """Exactly the files a push sends: the card (as sent) and the parquet shards, sorted."""
    shards = sorted(folder.glob("data/*/*.parquet"))
    return [UploadFile(CARD_NAME, len(card))] + [
        UploadFile(path.relative_to(folder).as_posix(), path.stat().st_size) for path in shards
    ]


def check_folder(folder: Path, expected: Mapping[str, Mapping[str, int]]) -> None:
    """The folder holds the rows the report says it does, so a half-copied build is never pushed."""
    if not (folder / CARD_NAME).is_file():
        raise BuildNotFoundError(f"{folder / CARD_NAME} is missing; rebuild with `python -m mmed_ift build`")
    found = {
        lang: {split: size.num_examples for split, size in per_split.items()}
        for lang, per_split in measure_folder(folder).items()
    }
    wanted = {lang: dict(per_split) for lang, per_split in expected.items()}
    if found != wanted:
        raise BuildNotFoundError(
            f"{folder} holds rows {found} but {REPORT_NAME} says {wanted}; the folder was changed after"
            " the build, rebuild it"
        )


def repo_id_for(repo_id: str, folder_name: str) -> str:
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise PublishError(f"--repo must look like NAMESPACE/NAME (e.g. SpassMed/MMed-IFT), got {repo_id!r}")
    return repo_id + REPO_SUFFIXES[folder_name]


def plan(out_dir: Path, repo_id: str, report: Mapping[str, Any]) -> tuple[list[DatasetPush], list[str]]:
    """What to push where, and which dataset folders are skipped for having no rows."""
    pushes: list[DatasetPush] = []
    skipped: list[str] = []
    config = report.get("config")
    namespace = config.get("repo_namespace", "SpassMed") if isinstance(config, Mapping) else "SpassMed"
    for folder_name in DATASET_FOLDERS.values():
        expected = report["outputs"].get(folder_name) or {}
        if not expected:
            skipped.append(folder_name)
            continue
        folder = out_dir / folder_name
        check_folder(folder, expected)
        target = repo_id_for(repo_id, folder_name)
        card = retarget_card((folder / CARD_NAME).read_bytes(), f"{namespace}/{folder_name}", target)
        pushes.append(DatasetPush(folder, target, upload_files(folder, card), card))
    if not pushes:
        raise BuildNotFoundError(f"{out_dir} holds no rows in any dataset; nothing to publish")
    return pushes, skipped


# -- talking to the Hub --------------------------------------------------------------------------


@contextmanager
def hub_errors(action: str, repo_id: str) -> Iterator[None]:
    """Turn huggingface_hub / network errors into one-line :class:`HubError` messages."""
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    # the HTTP library's base error (httpx2 or requests, depending on the huggingface_hub version)
    transport_error: type[Exception] = HfHubHTTPError.__bases__[0]
    try:
        yield
    except OfflineModeIsEnabled:
        raise HubError(
            f"cannot {action} {repo_id}: HF_HUB_OFFLINE=1 is set; unset it to publish, or use --dry-run"
            " to list what would be uploaded"
        ) from None
    except HfHubHTTPError as error:
        status = error.response.status_code
        if status == 401:
            hint = "the Hub did not accept the token: set HF_TOKEN to a write token or run `hf auth login`"
        elif status == 403:
            hint = f"the token may not write to {repo_id.split('/')[0]}: use a token with write access there"
        else:
            hint = str(error).splitlines()[0]
        raise HubError(f"cannot {action} {repo_id} (HTTP {status}): {hint}") from None
    except (transport_error, OSError) as error:
        raise HubError(f"cannot {action} {repo_id}: {type(error).__name__}: {error}") from None


def _commit_message(push: DatasetPush, report: Mapping[str, Any]) -> tuple[str, str]:
    config = report.get("config", {})
    version = config.get("mmed_ift_version", "?") if isinstance(config, Mapping) else "?"
    counts = report["outputs"][push.folder.name]
    rows = ", ".join(f"{lang}: {sum(per_split.values())}" for lang, per_split in sorted(counts.items()))
    return f"Publish {push.folder.name} built with mmed_ift {version}", f"Rows per language: {rows}."


def push_dataset(
    api: HfApi, push: DatasetPush, report: Mapping[str, Any], *, private: bool, revision: str | None
) -> str:
    """Create the repo (and branch), then send one commit; returns the commit URL."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    with hub_errors("create the dataset repo", push.repo_id):
        # private=None (not False) leaves a namespace that defaults to private repos private
        api.create_repo(push.repo_id, repo_type="dataset", private=True if private else None, exist_ok=True)
    if revision not in (None, "main"):
        with hub_errors(f"create branch {revision!r} in", push.repo_id):
            api.create_branch(push.repo_id, branch=revision, repo_type="dataset", exist_ok=True)
    with hub_errors("list the files of", push.repo_id):
        remote = api.list_repo_files(push.repo_id, repo_type="dataset", revision=revision)
    sending = {item.path for item in push.files}
    stale = sorted(path for path in remote if path.startswith(MANAGED_PREFIX) and path not in sending)
    operations: list[CommitOperationAdd | CommitOperationDelete] = [
        CommitOperationDelete(path_in_repo=path) for path in stale
    ]
    operations += [
        CommitOperationAdd(item.path, push.card if item.path == CARD_NAME else push.folder / item.path)
        for item in push.files
    ]
    title, description = _commit_message(push, report)
    with hub_errors("commit to", push.repo_id):
        commit = api.create_commit(
            push.repo_id,
            operations,
            commit_message=title,
            commit_description=description,
            repo_type="dataset",
            revision=revision,
        )
    return str(commit.commit_url)


def publish(
    out_dir: Path,
    repo_id: str,
    *,
    private: bool = False,
    revision: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    token: str | None = None,
) -> PublishResult:
    """Push ``out_dir/MMed-IFT`` to ``repo_id`` and ``out_dir/MMed-IFT-MC`` to ``repo_id + "-MC"``.

    ``dry_run`` checks everything local and lists the files, without a single request.
    ``private`` applies when a repo is created (otherwise the namespace's default applies); an
    existing repo keeps its visibility.
    ``token`` defaults to ``HF_TOKEN`` or the cached login.
    """
    report = load_report(out_dir)
    blockers = publish_blockers(report) + checksum_blockers(out_dir, report)
    if blockers and not force:
        raise PublishRefusedError(
            f"refusing to publish {out_dir}: " + "; ".join(blockers) + " (--force publishes anyway)"
        )
    pushes, skipped = plan(out_dir, repo_id, report)
    result = PublishResult(dry_run=dry_run, pushes=pushes, skipped=skipped, forced=blockers)
    if dry_run:
        return result
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    for push in pushes:
        push.commit_url = push_dataset(api, push, report, private=private, revision=revision)
        log.info("pushed %s: %s", push.repo_id, push.commit_url)
    return result
