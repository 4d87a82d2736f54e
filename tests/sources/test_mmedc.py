"""MMedC adapter: the bundled Japanese and Russian txt files (paragraph passages, too-short
rejects, the skipped folder), the paragraph splitter (a property test) and damaged files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import Passage, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.mmedc import paragraphs, title_of
from tests.sources.corrupt import corrupt_bytes, read_all, split_results

ADAPTER = get_source("mmedc")
ROOT = bundled_samples_root() / "mmedc"
SAMPLE = ROOT / "Japanese" / "medical_websites" / "0000.txt"


def test_bundled_counts_and_rejects() -> None:
    kept, rejected = split_results(list(ADAPTER.read(ROOT)))
    assert Counter(item.lang for item in kept) == {"ja": 54, "ru": 40}
    assert [(r.reason, r.location) for r in rejected] == [
        ("too_short", "Japanese/medical_websites/0000.txt:1"),
        ("too_short", "Russian/medical_websites/0000.txt:1"),
    ]
    assert all(item.license == "CC-BY-NC-SA-4.0" for item in kept)


def test_named_passage_and_skipped_folder() -> None:
    by_location = {item.location: item for item in ADAPTER.read(ROOT) if isinstance(item, Passage)}
    item = by_location["Japanese/medical_websites/0000.txt:3"]
    assert item.title == "高血圧" and item.text.startswith("診察室で繰り返し測った血圧")
    assert not any("cultural_filtered_data_used" in location for location in by_location)


def test_worded_file_name_is_the_title(tmp_path: Path) -> None:
    folder = tmp_path / "Russian" / "textbooks"
    folder.mkdir(parents=True)
    (folder / "Кардиология.txt").write_text("Инфаркт миокарда вызывает давящую боль за грудиной.\n", encoding="utf-8")
    [item] = list(ADAPTER.read(tmp_path))
    assert isinstance(item, Passage) and item.title == "Кардиология" and item.lang == "ru"


def test_file_outside_a_language_folder_is_not_matched(tmp_path: Path) -> None:
    (tmp_path / "Italian").mkdir()
    (tmp_path / "Italian" / "a.txt").write_text(
        "testo medico sufficientemente lungo da essere letto\n", encoding="utf-8"
    )
    assert ADAPTER.find_files(tmp_path) == []


def test_title_rules() -> None:
    assert title_of("0001", "Asma\nEl asma es una enfermedad crónica.") == (
        "Asma",
        "El asma es una enfermedad crónica.",
    )
    assert title_of("Gota", "La gota se trata con colchicina.") == ("Gota", "La gota se trata con colchicina.")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.text(alphabet="abcdéжあ漢", min_size=1, max_size=6), min_size=1, max_size=3),
        max_size=6,
    )
)
def test_paragraphs_property(blocks: list[list[str]]) -> None:
    """Blocks joined by blank lines split back into the same blocks, at the right line numbers."""
    text = "\n\n".join("\n".join(lines) for lines in blocks)
    found = paragraphs(text)
    assert [paragraph for _, paragraph in found] == ["\n".join(lines) for lines in blocks]
    line = 1
    for (start, _), lines in zip(found, blocks, strict=True):
        assert start == line
        line += len(lines) + 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("mmedc")
    (root / "Japanese").mkdir()
    (root / "Japanese" / SAMPLE.name).write_bytes(data.draw(corrupt_bytes(SAMPLE.read_bytes())))
    for result in read_all(ADAPTER, root):
        assert isinstance(result, Passage | Reject) and result.location


def test_language_zip_read_as_downloaded(tmp_path: Path) -> None:
    """``Japanese.zip`` from the Hub: the language comes from the zip's name even when its members
    do not repeat a ``Japanese/`` folder."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "Japanese.zip", "w") as archive:
        archive.writestr(
            "medical_websites/0001.txt", "高血圧\n診察室で繰り返し測った血圧が高ければ高血圧と診断します。\n"
        )
        archive.writestr("cultural_filtered_data_used/0001.txt", "使われなかった文書の段落です。十分に長い文章です。\n")
    [item] = list(ADAPTER.read(tmp_path))
    assert isinstance(item, Passage) and item.lang == "ja" and item.title == "高血圧"
    assert item.location == "Japanese.zip/medical_websites/0001.txt:1"
