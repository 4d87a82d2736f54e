"""ApolloCorpus adapter: the bundled sample (counts per language and kind, named records, the
rejects), which files are read (clean over raw, never _dup, never non-medical), the exam parser
(a property test) and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, Passage, QAPair
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.apollocorpus import file_kind, parse_exam, passage_title
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("apollocorpus")
ROOT = bundled_samples_root() / "apollocorpus"
QA_SAMPLE = ROOT / "train" / "pretrain" / "medicalPaper_es_qa.json"


def test_bundled_counts_by_language_and_kind() -> None:
    kept, rejected = split_results(list(ADAPTER.read(ROOT)))
    assert Counter((item.lang, item.kind) for item in kept) == {
        ("es", "qa"): 30, ("es", "passage"): 24, ("fr", "qa"): 30, ("fr", "passage"): 24,
        ("zh", "qa"): 30, ("zh", "passage"): 24, ("zh", "mc"): 2, ("en", "qa"): 3, ("en", "mc"): 3,
    }  # fmt: skip
    assert sorted(r.reason for r in rejected) == ["answer_not_in_options", "empty_text", "missing_answer"]
    assert {item.split for item in kept} == {"train"} and {item.license for item in kept} == {"Apache-2.0"}


def test_named_records() -> None:
    by_id = {item.source_id: item for item in ADAPTER.read(ROOT) if not hasattr(item, "reason")}
    pair = by_id["medicalPaper_es_qa/0/1"]
    assert isinstance(pair, QAPair) and pair.question == "Explica un dato clínico importante de diabetes tipo 2."
    assert pair.location == "train/pretrain/medicalPaper_es_qa.json[0][2]"
    passage = by_id["medicalBook_zh_text/0"]
    assert isinstance(passage, Passage) and passage.title == "抑郁症" and passage.text.startswith("诊断抑郁发作")
    exam = by_id["medicalExam_zh/0/0"]
    assert isinstance(exam, MCQuestion) and exam.answer == ["B"] and exam.question == "维生素C缺乏会导致哪种疾病？"
    assert list(exam.options) == ["A", "B", "C", "D"]  # the blank (E) is dropped


def test_clean_file_replaces_raw_and_dup_is_never_read() -> None:
    names = {path.name for path in ADAPTER.find_files(ROOT)}
    assert "medicalExam_en_clean.json" in names and "medicalExam_en.json" not in names
    assert "medicalExam_en_dup.json" not in names and "medicalExam_zh.json" in names


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("medicalWiki_fr_text.json", ("medicalWiki", "fr", "text")),
        ("medicalExam_zh_clean.json", ("medicalExam", "zh", "exam")),
        ("medicalExam_zh_dup.json", None),
        ("general_es.json", None),
        ("medicalPaper_hi_qa.json", None),
        ("medicalPatient_en.json", None),
    ],
)
def test_file_kind(name: str, kind: Any) -> None:
    assert file_kind(name) == kind


def test_open_question_in_exam_file_is_qa(tmp_path: Path) -> None:
    folder = tmp_path / "train" / "sft"
    folder.mkdir(parents=True)
    (folder / "medicalExam_fr.json").write_text(
        json.dumps([["Question: Quel organe produit l'insuline ?", "Le pancréas, par ses cellules bêta."]]),
        encoding="utf-8",
    )
    [item] = list(ADAPTER.read(tmp_path))
    assert isinstance(item, QAPair)


def test_passage_title_rules() -> None:
    assert passage_title("Asma\nEl asma es una enfermedad.") == ("Asma", "El asma es una enfermedad.")
    title, body = passage_title("Una sola línea sin título que describe la gota y su tratamiento habitual.")
    assert title == "Una sola línea sin título que describe la" and body.startswith("Una sola")


_LETTERS = "ABCDEFGH"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stem=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30).filter(
        lambda s: s.strip() and "(" not in s
    ),
    texts=st.lists(
        st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=10), min_size=2, max_size=8
    ),
    data=st.data(),
)
def test_parse_exam_property(stem: str, texts: list[str], data: st.DataObject) -> None:
    """Any well-formed exam prompt parses back to its stem, options and answer letter."""
    letters = _LETTERS[: len(texts)]
    answer = data.draw(st.sampled_from(list(letters)))
    prompt = (
        "Instruction line.\nQuestion: "
        + stem.strip()
        + "\nOptions:\n"
        + "\n".join(f"({letter}). {text}" for letter, text in zip(letters, texts, strict=True))
    )
    parsed = parse_exam(prompt, f"The correct answer is ({answer}). {texts[letters.index(answer)]}")
    assert parsed is not None
    parsed_stem, options, letter = parsed
    assert parsed_stem == stem.strip() and letter == answer
    assert options == {letter: text for letter, text in zip(letters, texts, strict=True)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_records(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_json(json.loads(QA_SAMPLE.read_text(encoding="utf-8"))))
    root = tmp_path_factory.mktemp("apollo")
    (root / QA_SAMPLE.name).write_text(json.dumps(damaged, ensure_ascii=False), encoding="utf-8")
    split_results(read_all(ADAPTER, root))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("apollo")
    (root / QA_SAMPLE.name).write_bytes(data.draw(corrupt_bytes(QA_SAMPLE.read_bytes())))
    kept, rejected = split_results(read_all(ADAPTER, root))
    if not kept:
        assert rejected or not (root / QA_SAMPLE.name).read_bytes().strip()
