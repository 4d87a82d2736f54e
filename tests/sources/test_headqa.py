"""HEAD-QA adapter: the real Spanish and English split files (HEAD.json skipped beside them, .gold
files checked), the traps it handles (image questions, gold mismatch, aid order, year splits),
the bundled sample, and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.headqa import options_by_aid, split_of_file
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("headqa")
SAMPLE = bundled_samples_root() / "headqa" / "HEAD" / "train_HEAD.json"


def _dump(data: Any) -> bytes:
    """The upstream serialisation: one line, ``ensure_ascii=True``, no trailing newline."""
    return json.dumps(data).encode("utf-8")


def _question(qid: str, ra: str = "2", image: str = "", aids: tuple[int, ...] = (1, 2, 3, 4)) -> dict[str, Any]:
    answers = [{"aid": aid, "atext": f"Opción {aid}."} for aid in aids]
    return {"qid": qid, "qtext": f"Pregunta {qid}:", "ra": ra, "answers": answers, "image": image}


def _file(exams: dict[str, Any], lang: str = "es") -> dict[str, Any]:
    return {"version": "1.0", "language": lang, "exams": exams}


def _exam(name: str, data: list[Any], year: str = "2013") -> dict[str, Any]:
    return {"name": name, "data": data, "category": "medicine", "year": year}


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "headqa"))


def test_real_counts_and_splits(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 180  # HEAD.json / HEAD_EN.json repeat train and are skipped
    assert rejected == []
    assert Counter((item.lang, item.split) for item in kept) == {
        (lang, split): 30 for lang in ("es", "en") for split in ("train", "validation", "test")
    }
    assert len({item.source_id for item in kept}) == 180
    assert not any(item.location.startswith(("HEAD/HEAD.json", "HEAD_EN/HEAD_EN.json")) for item in kept)
    assert Counter(len(item.options) for item in kept) == {5: 60, 4: 120}
    assert Counter(item.subject for item in kept) == {"biology": 60, "nursery": 60, "pharmacology": 60}


@pytest.mark.parametrize(
    ("path", "exam", "index", "source_id"),
    [
        ("HEAD/train_HEAD.json", "Cuaderno_2013_1_B", 0, "es/Cuaderno_2013_1_B/1"),
        ("HEAD_EN/dev_HEAD_EN.json", "Cuaderno_2015_1_E", 2, "en/Cuaderno_2015_1_E/4"),
        ("HEAD/test_HEAD.json", "Cuaderno_2016_1_F", 9, "es/Cuaderno_2016_1_F/10"),
    ],
)
def test_real_records_match_raw(
    realdata: Path, real_results: list[Any], path: str, exam: str, index: int, source_id: str
) -> None:
    data = json.loads((realdata / "headqa" / path).read_text(encoding="utf-8"))
    raw = data["exams"][exam]["data"][index]
    [item] = [result for result in real_results if result.source_id == source_id]
    assert isinstance(item, MCQuestion)
    assert item.location == f"{path}#{exam}[{index}]"
    assert item.lang == data["language"] and item.question == raw["qtext"]
    assert item.options == {chr(64 + answer["aid"]): answer["atext"] for answer in raw["answers"]}
    assert item.answer == [chr(64 + int(raw["ra"]))]
    assert item.exam == f"HEAD-QA/{exam}" and item.year == data["exams"][exam]["year"]
    gold_lines = (realdata / "headqa" / path).with_name(f"{exam}.gold").read_text(encoding="utf-8").splitlines()
    assert f"{raw['qid']}\t{raw['ra']}" in gold_lines


def test_named_real_answers(real_results: list[Any]) -> None:
    by_id: dict[Any, Any] = {item.source_id: item for item in real_results}
    first = by_id["es/Cuaderno_2013_1_B/1"]
    assert first.answer == ["C"] and first.options["C"] == "Se pueden sumar."
    assert first.split == "train" and first.subject == "biology" and first.year == "2013"
    assert by_id["en/Cuaderno_2015_1_E/4"].answer == ["A"]
    assert by_id["en/Cuaderno_2015_1_E/4"].options["A"].startswith("They are veno-venous")
    assert "es/Cuaderno_2015_1_E/3" not in by_id  # qid 3 was annulled: a gap, not a record


# -- traps ----------------------------------------------------------------------------------


def test_rejects_name_their_reason(tmp_path: Path) -> None:
    folder = tmp_path / "HEAD"
    folder.mkdir()
    data: list[Any] = [
        _question("1", ra="3", aids=(3, 1, 4, 2, 5)),
        _question("2", image="./data/MIR/Cuaderno_2013_1_M.images/MIR-2013-img1.png"),
        _question("3", ra="4"),
        _question("4", ra="6"),
        _question("1", ra="3"),
        "not a question",
        _question("5", aids=(1, 1, 2, 3)),
        _question("7"),
        _question("6") | {"answers": [{"aid": "1", "atext": "x"}, {"aid": 2, "atext": "y"}]},
    ]
    exams = {"Cuaderno_2013_1_M": _exam("Cuaderno_2013_1_M", data), "Cuaderno_2014_1_X": [1, 2]}
    (folder / "train_HEAD.json").write_bytes(_dump(_file(exams)))
    gold = "1\t3\n2\t2\n3\t1\n4\t6\n5\t2\n6\t2\n"  # qid 3 disagrees with ra; qid 7 is absent
    (folder / "Cuaderno_2013_1_M.gold").write_text(gold, encoding="utf-8")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    reasons = [getattr(result, "reason", None) for result in results]
    assert reasons == [
        None,
        "image_required",
        "answer_mismatch",
        "answer_not_in_options",
        "duplicate_id",
        "bad_format",
        "bad_format",
        "answer_mismatch",
        "bad_format",
        "bad_format",
    ]
    first = results[0]
    assert isinstance(first, MCQuestion) and first.answer == ["C"] and first.options["C"] == "Opción 3."
    assert "'4'" in results[2].detail and "'1'" in results[2].detail
    assert "None" in results[7].detail
    assert results[1].source_id == "es/Cuaderno_2013_1_M/2" and results[1].split == "train"
    assert results[9].location == "HEAD/train_HEAD.json#Cuaderno_2014_1_X"


def test_union_file_splits_by_year(tmp_path: Path) -> None:
    exams = {
        f"Cuaderno_{year}_1_M": _exam(f"Cuaderno_{year}_1_M", [_question("1")], year)
        for year in ("2013", "2014", "2015", "2016", "2017", "2019")
    }
    (tmp_path / "HEAD_EN").mkdir()
    (tmp_path / "HEAD_EN" / "HEAD_EN.json").write_bytes(_dump(_file(exams, "en")))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [result.split for result in results[:5]] == ["train", "train", "validation", "test", "test"]
    assert all(isinstance(result, MCQuestion) and result.lang == "en" for result in results[:5])
    assert isinstance(results[5], Reject) and results[5].reason == "unknown_split"
    assert len(results) == 6


def test_union_file_skipped_beside_split_files(tmp_path: Path) -> None:
    exams = {"Cuaderno_2013_1_M": _exam("Cuaderno_2013_1_M", [_question("1")])}
    (tmp_path / "HEAD.json").write_bytes(_dump(_file(exams)))
    (tmp_path / "dev_HEAD.json").write_bytes(_dump(_file(exams)))
    [item] = ADAPTER.read(tmp_path)
    assert item.split == "validation" and item.location == "dev_HEAD.json#Cuaderno_2013_1_M[0]"


@pytest.mark.parametrize(
    "content",
    [
        _dump(_file({}, "fr")),
        _dump([_question("1")]),
        _dump(_file({"Cuaderno_2013_1_M": _exam("Cuaderno_2013_1_M", [_question("1")])}))[:-3],
    ],
)
def test_broken_file_is_one_reject(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "test_HEAD.json").write_bytes(content)
    [reject] = ADAPTER.read(tmp_path)
    assert isinstance(reject, Reject) and reject.reason == "unreadable_file"
    assert reject.location.startswith("test_HEAD.json")


def test_malformed_gold_file(tmp_path: Path) -> None:
    exams = {"Cuaderno_2013_1_M": _exam("Cuaderno_2013_1_M", [_question("1")])}
    (tmp_path / "train_HEAD.json").write_bytes(_dump(_file(exams)))
    (tmp_path / "Cuaderno_2013_1_M.gold").write_text("1\t2\textra\n", encoding="utf-8")
    [reject] = ADAPTER.read(tmp_path)
    assert isinstance(reject, Reject) and reject.reason == "unreadable_file"
    assert reject.location == "Cuaderno_2013_1_M.gold:1"


def test_helpers() -> None:
    assert split_of_file(Path("train_HEAD_EN.json")) == "train"
    assert split_of_file(Path("dev_HEAD.json")) == "validation"
    assert split_of_file(Path("HEAD.json")) is None
    options, letters = options_by_aid(_question("1", aids=(2, 5, 1)), "x")
    assert options == {"A": "Opción 1.", "B": "Opción 2.", "C": "Opción 5."}
    assert letters == {1: "A", 2: "B", 5: "C"}
    with pytest.raises(SourceFormatError, match="integer"):
        options_by_aid({"answers": [{"aid": True, "atext": "x"}]}, "x")


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    read, rejected = split_results(list(ADAPTER.read(bundled_samples_root() / "headqa")))
    assert rejected == []
    kept = [item for item in read if item.split == "train"]
    # test_HEAD.json / test_HEAD_EN.json: a 2016 exam in both languages, the benchmark items
    test = [item for item in read if item.split == "test"]
    assert Counter(item.lang for item in test) == {"es": 3, "en": 3} and len(read) == 62
    assert len(kept) == 56
    assert all(item.lang == "es" and item.split == "train" for item in kept)
    assert Counter(item.subject for item in kept) == {"medicine": 30, "nursery": 26}
    assert len({item.source_id for item in kept}) == 56


def test_bundled_sample_is_upstream_format() -> None:
    data = SAMPLE.read_bytes()
    raw = json.loads(data)
    assert data == _dump(raw) and data.isascii() and b"\n" not in data
    assert list(raw) == ["version", "language", "exams"] and raw["language"] == "es"
    for exam_id, exam in raw["exams"].items():
        assert list(exam) == ["name", "data", "category", "year"] and exam["name"] == exam_id
        assert all(list(question) == ["qid", "qtext", "ra", "answers", "image"] for question in exam["data"])
        gold = (SAMPLE.parent / f"{exam_id}.gold").read_text(encoding="utf-8")
        assert gold == "".join(f"{question['qid']}\t{question['ra']}\n" for question in exam["data"])


# -- damaged files --------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    raw = json.loads(SAMPLE.read_bytes())
    exam = raw["exams"]["Cuaderno_2013_1_E"]
    exam["data"] = exam["data"][:6]
    index = data.draw(st.integers(0, 5))
    exam["data"][index] = data.draw(corrupt_json(exam["data"][index]))
    root = tmp_path_factory.mktemp("headqa")
    (root / "dev_HEAD.json").write_bytes(_dump(_file({"Cuaderno_2013_1_E": exam})))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == 6
    assert len(kept) >= 5


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("headqa")
    (root / "train_HEAD.json").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    try:
        raw = json.loads(damaged.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        assert kept == [] and [reject.reason for reject in rejected] == ["unreadable_file"]
        return
    assert len(kept) + len(rejected) == sum(len(exam["data"]) for exam in raw["exams"].values())
    assert rejected == []
