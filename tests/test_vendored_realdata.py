"""The vendored real upstream samples (tests/data/realdata) are attributed, and are the same bytes
as the shared collection they were copied from (when that is beside the checkout)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import NOT_VENDORED, VENDORED_REALDATA


def _sources(root: Path) -> set[str]:
    return {path.name for path in root.iterdir() if path.is_dir()}


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.name not in {"ATTRIBUTION.md", "MANIFEST.md", ".gitattributes"}
    }


def test_every_vendored_source_is_attributed(realdata: Path) -> None:
    attribution = (realdata / "ATTRIBUTION.md").read_text(encoding="utf-8")
    vendored = _sources(realdata)
    assert vendored and not vendored & NOT_VENDORED.keys()
    for name in vendored | NOT_VENDORED.keys():
        assert f"`{name}/" in attribution, f"{name} has no row in ATTRIBUTION.md"


def test_vendored_files_are_the_shared_bytes(realdata: Path, shared_realdata: Path) -> None:
    assert _sources(shared_realdata) == _sources(realdata) | NOT_VENDORED.keys()
    for name in _sources(realdata):
        vendored, shared = _files(realdata / name), _files(shared_realdata / name)
        assert vendored == shared, name
        for relative in sorted(vendored):
            assert (realdata / name / relative).read_bytes() == (shared_realdata / name / relative).read_bytes(), (
                f"{name}/{relative} differs from the shared copy"
            )


def test_vendored_root_is_inside_the_repository() -> None:
    assert VENDORED_REALDATA.is_dir() and (VENDORED_REALDATA / ".gitattributes").is_file()


def test_vendored_samples_are_the_start_of_the_full_files(realdata: Path, realdata_full: Path) -> None:
    """The samples are the first records of the complete upstream files (shared/realdata-full)."""
    for name in ("train.json", "dev.json", "test.json"):
        sample = json.loads((realdata / "frenchmedmcqa" / name).read_text(encoding="utf-8"))
        full = json.loads((realdata_full / "frenchmedmcqa" / name).read_text(encoding="utf-8"))
        assert len(sample) == 30 and sample == full[:30], name
    for path in sorted((realdata / "rumedbench").rglob("*.jsonl")):
        relative = path.relative_to(realdata)
        assert (realdata_full / relative).read_bytes().startswith(path.read_bytes()), relative
