"""The bundled Russian Wikipedia sample (``samples/wikipedia/ruwiki``): WikiExtractor ``--json``
output that must read with no rejects as Russian passages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mmed_ift.schemas import Passage
from mmed_ift.sources import bundled_samples_root, get_source
from tests.sources.corrupt import split_results

ADAPTER = get_source("wikipedia")
FOLDER = bundled_samples_root() / "wikipedia" / "ruwiki"
FILE = FOLDER / "AA" / "wiki_00"
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_reads_with_no_rejects() -> None:
    kept, rejected = split_results(list(ADAPTER.read(FOLDER)))
    assert rejected == []
    assert len(kept) >= 55
    assert all(isinstance(item, Passage) and item.lang == "ru" and item.split == "train" for item in kept)
    assert len({item.source_id for item in kept}) == len(kept)
    assert len({item.title for item in kept}) == len(kept)


def test_passages_are_russian_and_encyclopedic() -> None:
    for item in ADAPTER.read(FOLDER):
        assert isinstance(item, Passage)
        letters = [char for char in item.text if char.isalpha()]
        assert sum(bool(_CYRILLIC.match(char)) for char in letters) / len(letters) > 0.9, item.title
        sentences = len(re.findall(r"[.!?](?:\s|$)", item.text))
        assert 3 <= sentences <= 7, (item.title, sentences)


def test_wikiextractor_json_format() -> None:
    records = _records(FILE)
    assert all(list(record) == ["id", "revid", "url", "title", "text"] for record in records)
    assert all(record["url"] == f"https://ru.wikipedia.org/wiki?curid={record['id']}" for record in records)
    assert all(record["id"].isdigit() and record["revid"].isdigit() for record in records)
    raw = FILE.read_text(encoding="utf-8")
    assert raw.endswith("\n") and raw.isascii()  # json.dumps defaults, as WikiExtractor writes them
    first = ADAPTER.read(FOLDER).__next__()
    assert isinstance(first, Passage)
    assert first.source_id == f"ru/{records[0]['id']}" and first.title == records[0]["title"] == "Инсулин"
