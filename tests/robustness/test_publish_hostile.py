"""``publish`` refuses builds that are not fit to publish, unless ``--force``.

A build made without decontamination, and a build whose files are no longer those the build
wrote (``output_sha256`` in ``build_report.json``), are refused; all checks here are dry runs
(nothing is sent anywhere).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.hub.checksums import REPORT_KEY, output_checksums
from mmed_ift.hub.publish import PublishRefusedError, publish
from tests.hub.conftest import built  # noqa: F401  (the shared small build, a session fixture)
from tests.robustness.conftest import REPO


def _copy(built: Path, tmp_path: Path) -> Path:  # noqa: F811
    out = tmp_path / "out"
    shutil.copytree(built, out)
    return out


def _edit_report(out: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = out / "build_report.json"
    report = json.loads(path.read_text("utf-8"))
    change(report)
    path.write_text(json.dumps(report), "utf-8")


def _shard(out: Path) -> Path:
    return sorted((out / "MMed-IFT-MC" / "data").rglob("*.parquet"))[0]


def test_untouched_build_publishes(built: Path) -> None:  # noqa: F811
    result = publish(built, "me/x", dry_run=True)
    assert result.forced == [] and result.pushes


def test_build_with_decontamination_off_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    _edit_report(out, lambda report: report["config"].setdefault("filter_options", {}).update(decontaminate=False))
    with pytest.raises(PublishRefusedError, match="decontamination off"):
        publish(out, "me/x", dry_run=True)
    assert any("decontamination off" in blocker for blocker in publish(out, "me/x", dry_run=True, force=True).forced)


def test_report_without_a_decontam_step_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    _edit_report(out, lambda report: report["filters"].pop("decontam"))
    with pytest.raises(PublishRefusedError, match="no decontam filter step"):
        publish(out, "me/x", dry_run=True)


def test_report_without_checksums_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    _edit_report(out, lambda report: report.pop(REPORT_KEY))
    with pytest.raises(PublishRefusedError, match="records no checksums"):
        publish(out, "me/x", dry_run=True)
    assert publish(out, "me/x", dry_run=True, force=True).pushes


def test_shard_changed_after_the_build_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    shard = _shard(out)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(PublishRefusedError, match=rf"{shard.name} changed"):
        publish(out, "me/x", dry_run=True)


def test_card_edited_after_the_build_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    card = out / "MMed-IFT-MC" / "README.md"
    card.write_text(card.read_text("utf-8") + "\n<script>alert(1)</script>\n", "utf-8")
    with pytest.raises(PublishRefusedError, match=r"MMed-IFT-MC/README\.md changed"):
        publish(out, "me/x", dry_run=True)


def test_file_added_after_the_build_is_refused(built: Path, tmp_path: Path) -> None:  # noqa: F811
    out = _copy(built, tmp_path)
    extra = _shard(out).with_name("train-99999-of-99999.parquet")
    shutil.copy(_shard(out), extra)
    with pytest.raises(PublishRefusedError, match="was added"):
        publish(out, "me/x", dry_run=True)


def test_output_checksums_are_sorted_relative_paths_of_shards_and_cards(built: Path) -> None:  # noqa: F811
    sums = output_checksums(built)
    assert list(sums) == sorted(sums)
    assert "MMed-IFT-MC/README.md" in sums and any(path.endswith(".parquet") for path in sums)
    assert all(len(value) == 64 for value in sums.values())
    assert all(path.split("/")[0] in ("MMed-IFT", "MMed-IFT-MC") for path in sums)


def test_publish_command_on_a_tampered_build_is_an_error_not_a_traceback(
    built: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    out = _copy(built, tmp_path)
    _edit_report(out, lambda report: report.pop(REPORT_KEY))
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1", "HF_TOKEN": "hf_unused"}
    command = [sys.executable, "-m", "mmed_ift", "publish", "--out", str(out), "--repo", "me/x", "--dry-run"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert "Traceback" not in done.stderr and done.returncode == 2
    assert "records no checksums" in done.stderr and "--force" in done.stderr
