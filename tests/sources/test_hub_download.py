"""``build --hub``: upstream files downloaded with huggingface_hub from a (local, fake) Hub.

The build runs in a subprocess with ``HF_ENDPOINT`` pointing at ``tests/hub/fake_hub.py``, so
the real ``snapshot_download`` code path makes real HTTP requests (huggingface_hub reads the
endpoint at import time).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.sources import bundled_samples_root
from mmed_ift.sources.hub_download import HubSource
from tests.conftest import REPO_ROOT
from tests.hub.fake_hub import FakeHub


def _run(args: list[str], hub: FakeHub, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_ENDPOINT": hub.endpoint, "HF_HOME": str(home), "HF_HUB_DISABLE_XET": "1", **extra}
    if "HF_HUB_OFFLINE" not in extra:
        env.pop("HF_HUB_OFFLINE", None)  # the developer's shell may have it set
    return subprocess.run(
        [sys.executable, "-m", "mmed_ift", *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        for name, data in files.items():
            handle.writestr(name, data)
    return buffer.getvalue()


def test_build_downloads_named_sources_and_records_the_revision(hub: FakeHub, tmp_path: Path) -> None:
    medmcqa = (bundled_samples_root() / "medmcqa" / "train.json").read_bytes()
    medmcqa_sha = hub.put_files("me/medmcqa", {"train.json": medmcqa, "README.md": b"# MedMCQA mirror"})
    french = (bundled_samples_root() / "frenchmedmcqa" / "corpus" / "train.json").read_bytes()
    hub.put_files("me/fmc", {"FrenchMedMCQA.zip": _zipped({"corpus/train.json": french})})
    out = tmp_path / "out"
    done = _run(
        [
            "build",
            "--lang",
            "en",
            "--lang",
            "fr",
            "--hub",
            "medmcqa=me/medmcqa",
            "--hub",
            "frenchmedmcqa=me/fmc",
            "--out",
            str(out),
            "--no-progress",
        ],
        hub,
        tmp_path / "hf",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert set(report["sources"]) == {"medmcqa", "frenchmedmcqa"}
    assert report["sources"]["medmcqa"]["read"] == 14
    assert report["sources"]["frenchmedmcqa"]["read"] == 56
    assert report["config"]["hub_revisions"]["medmcqa"] == f"me/medmcqa@{medmcqa_sha}"
    downloads = [request.path for request in hub.requests if "/resolve/" in request.path]
    assert any(path.endswith("/train.json") for path in downloads)
    assert not any(path.endswith("README.md") for path in downloads)  # only the files the adapter reads


def test_a_repository_without_the_expected_files_is_a_clear_error(hub: FakeHub, tmp_path: Path) -> None:
    hub.put_files("me/other", {"data/unrelated.csv": b"a,b\n1,2\n"})
    done = _run(
        ["build", "--lang", "en", "--hub", "medmcqa=me/other", "--out", str(tmp_path / "o")], hub, tmp_path / "hf"
    )
    assert done.returncode == 2
    assert "me/other has no files matching" in done.stderr


def test_offline_mode_fails_fast_with_advice(hub: FakeHub, tmp_path: Path) -> None:
    done = _run(
        ["build", "--lang", "en", "--hub", "medmcqa=me/medmcqa", "--out", str(tmp_path / "o")],
        hub,
        tmp_path / "hf",
        HF_HUB_OFFLINE="1",
    )
    assert done.returncode == 2
    assert "error: medmcqa:" in done.stderr and ("offline" in done.stderr.lower() or "HF_HUB_OFFLINE" in done.stderr)
    assert hub.requests == []


def test_hub_source_parsing() -> None:
    assert HubSource.parse("medmcqa") == HubSource("medmcqa", "openlifescienceai/medmcqa", None)
    assert HubSource.parse("pubmedqa=me/pqa@v1.0") == HubSource("pubmedqa", "me/pqa", "v1.0")
    with pytest.raises(SourceNotFoundError, match="has no known Hub id"):
        HubSource.parse("cmexam")
    with pytest.raises(SourceNotFoundError, match="unknown source"):
        HubSource.parse("nosuch=me/x")


def test_download_patterns_fetch_only_what_the_adapter_reads() -> None:
    from mmed_ift.sources.hub_download import allow_patterns

    # MMedC: one folder or zip per language, named in English: only the build's languages
    assert allow_patterns("mmedc", ["ja", "ru"]) == sorted(
        ["Japanese/**", "Japanese.zip", "**/Japanese.zip", "Russian/**", "Russian.zip", "**/Russian.zip"]
    )
    # ApolloCorpus: its zip repeats the unpacked JSON files (every record would be a duplicate)
    assert not [pattern for pattern in allow_patterns("apollocorpus") if pattern.endswith(".zip")]
    # a source distributed as release zips still gets them
    assert "*.zip" in allow_patterns("headqa")
