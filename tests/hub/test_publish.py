"""``publish`` against a fake Hub on 127.0.0.1, through huggingface_hub's real request code.

End-to-end runs go through a subprocess with ``HF_ENDPOINT`` set, because huggingface_hub reads
its endpoint when it is imported; the in-process tests patch ``huggingface_hub.constants.ENDPOINT``
instead (checked to reach the fake server) to look at what a second push deletes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import huggingface_hub.constants
import pytest

from mmed_ift.errors import MMedIFTError
from mmed_ift.hub.publish import (
    BuildNotFoundError,
    HubError,
    PublishError,
    PublishRefusedError,
    publish,
    publish_blockers,
    retarget_card,
)
from tests.conftest import REPO_ROOT
from tests.hub.fake_hub import FakeHub

TOKEN = "hf_fake_token_that_must_never_be_printed"
#: huggingface_hub fetches its agent registry on its own; that request is not ours
LIBRARY_PATHS = {"/api/agent-harnesses"}


def _local_files(folder: Path) -> dict[str, bytes]:
    paths = [folder / "README.md", *folder.glob("data/*/*.parquet")]
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in paths}


def _run(args: list[str], hub: FakeHub, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("HF_")}
    environment = {
        **inherited,
        "HF_ENDPOINT": hub.endpoint,
        "HF_TOKEN": TOKEN,
        "HF_HOME": str(tmp_path / "hf_home"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "mmed_ift", "publish", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        check=False,
        timeout=120,
    )


def _our_requests(hub: FakeHub) -> list[tuple[str, str]]:
    return [(request.method, request.path) for request in hub.requests if request.path not in LIBRARY_PATHS]


def test_publish_sends_one_commit_per_dataset_with_identical_bytes(
    built: Path, fake_hub: FakeHub, tmp_path: Path
) -> None:
    completed = _run(["--out", str(built), "--repo", "SpassMed/MMed-IFT", "--private"], fake_hub, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert TOKEN not in completed.stdout + completed.stderr
    assert [(commit.repo_id, commit.revision) for commit in fake_hub.commits] == [
        ("SpassMed/MMed-IFT", "main"),
        ("SpassMed/MMed-IFT-MC", "main"),
    ]
    for commit in fake_hub.commits:
        folder = built / commit.repo_id.split("/")[1]
        assert commit.added == _local_files(folder)
        assert commit.deleted == []
        assert commit.header["summary"].startswith(f"Publish {folder.name} built with mmed_ift")
    assert sorted(fake_hub.commits[1].added) == [
        "README.md",
        "data/en/train-00000-of-00001.parquet",
        "data/en/validation-00000-of-00001.parquet",
    ]
    assert fake_hub.repos["SpassMed/MMed-IFT"] == {"type": "dataset", "visibility": "private"}
    ours = [request for request in fake_hub.requests if request.path not in LIBRARY_PATHS]
    assert ours and all(request.authorization == f"Bearer {TOKEN}" for request in ours)
    assert "pushed 3 files" in completed.stdout and "commit: http://127.0.0.1" in completed.stdout


def test_dry_run_lists_files_and_makes_no_request(built: Path, fake_hub: FakeHub, tmp_path: Path) -> None:
    completed = _run(["--out", str(built), "--repo", "SpassMed/MMed-IFT", "--dry-run"], fake_hub, tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert fake_hub.requests == []
    for name in ("MMed-IFT", "MMed-IFT-MC"):
        for path, data in _local_files(built / name).items():
            assert f"{len(data):>12,}  {path}" in completed.stdout
    assert "would push 3 files" in completed.stdout  # MMed-IFT: card + fr + ja shards


def test_offline_mode_is_a_clear_error(built: Path, fake_hub: FakeHub, tmp_path: Path) -> None:
    completed = _run(["--out", str(built), "--repo", "me/x"], fake_hub, tmp_path, HF_HUB_OFFLINE="1")
    assert completed.returncode == 2
    assert "error: cannot create the dataset repo me/x: HF_HUB_OFFLINE=1 is set" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert _our_requests(fake_hub) == []


def test_help_documents_the_command(tmp_path: Path, fake_hub: FakeHub) -> None:
    completed = _run(["--help"], fake_hub, tmp_path)
    assert completed.returncode == 0
    for option in ("--out", "--repo", "--private", "--revision", "--dry-run", "--force"):
        assert option in completed.stdout


# -- in process ----------------------------------------------------------------------------------


@pytest.fixture
def hub_endpoint(fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", fake_hub.endpoint)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    return fake_hub


def test_second_push_deletes_stale_shards_in_the_same_commit(built: Path, hub_endpoint: FakeHub) -> None:
    hub = hub_endpoint
    hub.trees[("me/fork-MC", "dev")] = {
        "data/en/train-00000-of-00002.parquet": b"old",
        "data/de/train-00000-of-00001.parquet": b"old",
        "notes.txt": b"kept: not managed by the build",
    }
    result = publish(built, "me/fork", revision="dev")
    assert [push.repo_id for push in result.pushes] == ["me/fork", "me/fork-MC"]
    # without --private the namespace's default visibility applies
    assert hub.repos["me/fork"] == {"type": "dataset", "visibility": None}
    assert ("POST", "/api/datasets/me/fork/branch/dev") in _our_requests(hub)
    mc = hub.commits[1]
    assert (mc.repo_id, mc.revision) == ("me/fork-MC", "dev")
    assert sorted(mc.deleted) == ["data/de/train-00000-of-00001.parquet", "data/en/train-00000-of-00002.parquet"]
    assert hub.trees[("me/fork-MC", "dev")]["notes.txt"] == b"kept: not managed by the build"
    # the card's load examples name the repo it was pushed to
    card = mc.added["README.md"].decode()
    assert 'load_dataset("me/fork-MC", "en")' in card and "SpassMed/MMed-IFT-MC" not in card
    assert result.pushes[1].commit_url == f"{hub.endpoint}/datasets/me/fork-MC/commit/{mc.oid}"


def test_rejected_token_is_an_actionable_error(built: Path, hub_endpoint: FakeHub) -> None:
    hub_endpoint.refuse_with = 401
    with pytest.raises(HubError, match=r"me/x \(HTTP 401\).*HF_TOKEN.*hf auth login") as error:
        publish(built, "me/x")
    assert TOKEN not in str(error.value)
    assert hub_endpoint.commits == []


def test_contaminated_build_is_refused_without_force(built: Path, hub_endpoint: FakeHub, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    report_path = out / "build_report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["contamination_found"] = True
    report_path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(PublishRefusedError, match=r"contamination_found: true.*--force"):
        publish(out, "me/x")
    assert hub_endpoint.requests == []
    result = publish(out, "me/x", force=True, dry_run=True)
    assert result.forced and "forced past: build_report.json has contamination_found" in result.summary()


def test_invalid_samples_and_decontam_rejects() -> None:
    clean = {"filters": {"decontam": {"rejected": 12}}, "generate": {"rejected_by_reason": {}}}
    assert publish_blockers(clean) == []  # removed rows are the filter working, not a blocker
    broken = {"filters": {"decontam": {}}, "generate": {"rejected_by_reason": {"invalid_sample": 2}}}
    assert publish_blockers(broken) == [
        "2 generated samples failed schema validation (generate:invalid_sample); see rejects.jsonl,"
        " fix the generator and rebuild"
    ]
    per_source = {
        "filters": {"decontam": {}},
        "sources": {"medqa": {"rejected_by_reason": {"generate:invalid_sample": 1}}},
    }
    assert len(publish_blockers(per_source)) == 1


def test_missing_build_parts_are_actionable_errors(built: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildNotFoundError, match="is not a folder; run `python -m mmed_ift build"):
        publish(tmp_path / "nowhere", "me/x", dry_run=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildNotFoundError, match=r"build_report\.json is missing"):
        publish(tmp_path / "empty", "me/x", dry_run=True)
    out = tmp_path / "out"
    shutil.copytree(built, out)
    (out / "MMed-IFT" / "data" / "ja" / "train-00000-of-00001.parquet").unlink()
    with pytest.raises(PublishRefusedError, match=r"train-00000-of-00001\.parquet is missing"):
        publish(out, "me/x", dry_run=True)
    with pytest.raises(BuildNotFoundError, match="the folder was changed after the build"):
        publish(out, "me/x", dry_run=True, force=True)
    with pytest.raises(PublishError, match="--repo must look like NAMESPACE/NAME"):
        publish(built, "MMed-IFT", dry_run=True)
    assert issubclass(PublishError, MMedIFTError)


def test_retarget_card_only_touches_load_examples() -> None:
    card = b'see SpassMed/MMed-IFT\nload_dataset("SpassMed/MMed-IFT", "en")\nload_dataset("SpassMed/MMed-IFT")'
    assert retarget_card(card, "SpassMed/MMed-IFT", "SpassMed/MMed-IFT") is card
    moved = retarget_card(card, "SpassMed/MMed-IFT", "me/x")
    assert moved == b'see SpassMed/MMed-IFT\nload_dataset("me/x", "en")\nload_dataset("me/x")'
