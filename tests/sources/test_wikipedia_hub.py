"""``build --hub wikipedia=wikimedia/wikipedia@REV``: only the shards of the build's languages are
downloaded (a fake Hub serves the repository layout: one folder per dump date and language)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mmed_ift.sources.hub_download import allow_patterns
from tests.hub.fake_hub import FakeHub
from tests.sources.test_hub_download import _run
from tests.sources.test_wikipedia_formats import ARTICLES, WIKIMEDIA_SCHEMA, wikimedia_text


def shard(lang: str) -> bytes:
    rows = [
        {"id": page, "url": f"https://{lang}.wikipedia.org/wiki/{title}", "title": title, "text": wikimedia_text(body)}
        for code, page, title, body in ARTICLES
        if code == lang
    ]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=WIKIMEDIA_SCHEMA), buffer)
    return buffer.getvalue()


def test_allow_patterns_name_the_language_configs() -> None:
    assert allow_patterns("wikipedia", ["ja", "ru"]) == ["*.ja/train-*.parquet", "*.ru/train-*.parquet"]
    assert "**/wiki_[0-9][0-9]" in allow_patterns("wikipedia")  # no languages given: every file it reads
    assert "*.zip" in allow_patterns("medmcqa", ["en"])  # sources without per-language configs are unchanged


def test_build_downloads_only_the_languages_it_builds(hub: FakeHub, tmp_path: Path) -> None:
    sha = hub.put_files(
        "wikimedia/wikipedia",
        {
            "20231101.en/train-00000-of-00001.parquet": shard("en"),
            "20231101.ja/train-00000-of-00001.parquet": shard("ja"),
            "20231101.ru/train-00000-of-00001.parquet": shard("ru"),
            "README.md": b"# Wikipedia",
        },
    )
    out = tmp_path / "out"
    args = ["build", "--lang", "ja", "--lang", "ru", "--hub", f"wikipedia=wikimedia/wikipedia@{sha}",
            "--domain-threshold", "0", "--out", str(out), "--no-progress"]  # fmt: skip
    done = _run(args, hub, tmp_path / "hf")
    assert done.returncode == 0, done.stderr[-3000:]
    downloads = [request.path for request in hub.requests if "/resolve/" in request.path]
    assert any("20231101.ja/" in path for path in downloads) and any("20231101.ru/" in path for path in downloads)
    assert not any("20231101.en/" in path or path.endswith("README.md") for path in downloads)
    report = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    assert report["config"]["hub_revisions"]["wikipedia"] == f"wikimedia/wikipedia@{sha}"
    assert set(report["selection"]["wikipedia"]) == {"ja", "ru"}
    assert report["languages"]["ja"]["MMed-IFT"] > 0 and report["languages"]["ru"]["MMed-IFT"] > 0
