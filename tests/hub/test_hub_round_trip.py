"""The Hub round trip: ``publish``, then ``datasets.load_dataset("<owner>/<name>", "ja")`` through the
Hub API of the fake server (``HF_ENDPOINT``), never from a local folder.

``datasets`` resolves a Hub dataset by reading the card's ``configs:`` (data_files patterns), then
listing the repo (``tree/{rev}/{path}``, recursive or not) and downloading the shards through
``resolve/``; both processes run as subprocesses because ``huggingface_hub`` and ``datasets`` read
``HF_ENDPOINT`` when they are imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mmed_ift.pipeline import BuildConfig, build
from tests.conftest import REPO_ROOT
from tests.hub.fake_hub import FakeHub

LOAD = """
import json, sys
import datasets
repo, config, target = sys.argv[1:4]
loaded = datasets.load_dataset(repo, config)
rows = {split: [dict(row) for row in loaded[split]] for split in loaded}
open(target, "w", encoding="utf-8").write(json.dumps(rows, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def japanese_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the bundled samples in Japanese: both datasets have a ``ja`` config."""
    out = tmp_path_factory.mktemp("ja") / "out"
    result = build(BuildConfig(languages=("ja",), out_dir=out, progress=False))
    assert set(result.report.outputs) == {"MMed-IFT", "MMed-IFT-MC"}
    assert all(per_lang.get("ja") for per_lang in result.report.outputs.values())
    return out


def _environment(hub: FakeHub, home: Path) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("HF_")}
    return {
        **inherited,
        "HF_ENDPOINT": hub.endpoint,
        "HF_TOKEN": "hf_fake_round_trip",
        "HF_HOME": str(home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
    }


def _built_rows(folder: Path, lang: str) -> dict[str, list[dict[str, object]]]:
    rows: dict[str, list[dict[str, object]]] = {}
    for shard in sorted((folder / "data" / lang).glob("*.parquet")):
        split = shard.name.split("-")[0]
        rows.setdefault(split, []).extend(pq.read_table(shard).to_pylist())
    return rows


def test_publish_then_load_dataset_through_the_hub_api(japanese_build: Path, fake_hub: FakeHub, tmp_path: Path) -> None:
    published = subprocess.run(
        [sys.executable, "-m", "mmed_ift", "publish", "--out", str(japanese_build), "--repo", "owner/MMed-IFT"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=_environment(fake_hub, tmp_path / "publish_home"),
        check=False,
        timeout=120,
    )
    assert published.returncode == 0, published.stderr
    before = len(fake_hub.requests)
    for name in ("MMed-IFT-MC", "MMed-IFT"):
        target = tmp_path / f"{name}.json"
        loaded = subprocess.run(
            [sys.executable, "-c", LOAD, f"owner/{name}", "ja", str(target)],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # no folder named like the repo can shadow it
            env=_environment(fake_hub, tmp_path / f"load_home_{name}"),  # an empty cache each time
            check=False,
            timeout=300,
        )
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        rows = json.loads(target.read_text(encoding="utf-8"))
        expected = _built_rows(japanese_build / name, "ja")
        assert rows == expected and sum(len(split) for split in rows.values()) > 0
    # the rows came over HTTP: listing and shard downloads of both repos reached the fake Hub
    paths = [request.path for request in fake_hub.requests[before:]]
    for name in ("MMed-IFT-MC", "MMed-IFT"):
        assert any(path.startswith(f"/api/datasets/owner/{name}/tree/") for path in paths)
        assert any(path.startswith(f"/datasets/owner/{name}/resolve/") and path.endswith(".parquet") for path in paths)


def test_tree_listing_follows_the_hub(fake_hub: FakeHub) -> None:
    """Folder listings as the Hub gives them: direct children, or everything below with recursive."""
    fake_hub.put_files("o/r", {"README.md": b"x", "data/ja/train.parquet": b"ab", "data/en/train.parquet": b"c"})
    top = fake_hub.tree("o/r", "main")
    assert top is not None and [(entry["type"], entry["path"]) for entry in top] == [
        ("file", "README.md"),
        ("directory", "data"),
    ]
    below = fake_hub.tree("o/r", "main", "data", recursive=True)
    assert below is not None and [entry["path"] for entry in below] == [
        "data/en",
        "data/en/train.parquet",
        "data/ja",
        "data/ja/train.parquet",
    ]
    assert fake_hub.tree("o/r", "main", "nowhere") is None
    assert [entry["type"] for entry in fake_hub.paths_info("o/r", "main", ["data/ja", "README.md", "no"])] == [
        "directory",
        "file",
    ]
