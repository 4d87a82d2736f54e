"""Language ID: accuracy targets on the project's labelled medical sentences, the filter's
decision rule, and the backends."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mmed_ift.errors import MMedIFTError
from mmed_ift.filters.langid import LanguageIDFilter, detect_language, scores
from mmed_ift.filters.langid_eval import LabelledText, LangIdReport, evaluate, load_eval_set
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair

EVAL_SET = Path(__file__).parent / "langid_eval"


@pytest.fixture(scope="module")
def rows() -> list[LabelledText]:
    return load_eval_set(EVAL_SET)


@pytest.fixture(scope="module")
def report(rows: list[LabelledText]) -> LangIdReport:
    return evaluate(rows)


def test_eval_set_meets_the_issue_requirements(rows: list[LabelledText]) -> None:
    per_lang = Counter(row.lang for row in rows)
    assert set(per_lang) == set(LANGUAGE_CODES)
    for lang in LANGUAGE_CODES:
        mine = [row for row in rows if row.lang == lang]
        assert len(mine) >= 200, lang
        assert sum(len(row.text) < 40 for row in mine) >= len(mine) / 3, lang
        assert sum(row.kind == "code_switched" for row in mine) >= 20, lang
    assert len({row.text for row in rows}) == len(rows)


def test_accuracy_over_20_characters_is_at_least_99_percent(report: LangIdReport) -> None:
    assert report.long_total > 1000
    assert report.long_accuracy >= 0.99, report.table()


def test_per_language_precision_and_recall(report: LangIdReport) -> None:
    for lang in LANGUAGE_CODES:
        assert report.precision(lang) >= 0.95, report.table()
        # kanji-only Japanese is genuinely ambiguous with Chinese; everything else is recalled
        floor = 0.93 if lang == "ja" else 0.97
        assert report.recall(lang) >= floor, report.table()


def test_the_filter_rejects_no_correct_text(report: LangIdReport) -> None:
    assert report.false_rejections == [], report.false_rejections


def test_code_switched_text_keeps_its_matrix_language(rows: list[LabelledText]) -> None:
    switched = [row for row in rows if row.kind == "code_switched"]
    correct = sum(detect_language(row.text)[0] == row.lang for row in switched)
    assert correct / len(switched) >= 0.98


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("头痛。", "zh"),  # Han-only Simplified Chinese: lid.176 alone says ja
        ("血压偏高，需要复查。", "zh"),
        ("患者は metformin 500 mg を1日2回内服している。", "ja"),
        ("这个patient有severe hypertension", "zh"),
        ("Пациенту назначен amoxicillin 500 mg.", "ru"),
        ("Le patient présente une CRP à 120 mg/L.", "fr"),
        ("El paciente refiere dolor torácico opresivo.", "es"),
    ],
)
def test_script_rules(text: str, expected: str) -> None:
    assert detect_language(text)[0] == expected


def _passage(text: str, lang: str) -> Passage:
    return Passage(
        source="wikipedia", source_id=f"{lang}/{abs(hash(text))}", lang=lang, split="train", title="t", text=text
    )


def test_filter_rejects_confidently_wrong_language_with_reason() -> None:
    step = LanguageIDFilter()
    english = "The patient was started on metformin for newly diagnosed type 2 diabetes."
    items: list[Item] = [
        _passage(english, "fr"),
        _passage("Le patient a commencé un traitement par metformine pour un diabète de type 2.", "fr"),
        _passage("急性心筋梗塞", "ja"),  # kanji-only Japanese: kept
        _passage("Short one.", "ru"),  # too short to judge: kept
    ]
    result = step.process(items)
    assert result.kept == list(items[1:])
    [reject] = result.rejected
    assert reject.reason == "wrong_language" and reject.stage == "langid"
    assert reject.detail.startswith("declared fr, detected en")
    details = step.details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert details["rejected_as"] == {"fr->en": 1}
    assert details["too_short_to_judge"] == {"ja": 1, "ru": 1}


def test_japanese_declared_as_chinese_is_rejected() -> None:
    item = QAPair(
        source="huatuo26m_lite",
        source_id="1",
        lang="zh",
        split="train",
        question="高血圧の治療について教えてください。",
        answer="まず生活習慣の改善から始めます。",
    )
    result = LanguageIDFilter().process([item])
    assert [reject.detail for reject in result.rejected] == ["declared zh, detected ja (1.00)"]


def test_mc_items_are_judged_on_question_and_options() -> None:
    item = MCQuestion(
        source="headqa",
        source_id="x",
        lang="es",
        split="train",
        question="¿Cuál es el tratamiento de elección de la anafilaxia?",
        options={"A": "Adrenalina intramuscular", "B": "Antihistamínicos orales", "C": "Corticoides"},
        answer=["A"],
    )
    assert LanguageIDFilter().process([item]).kept == [item]


def test_langdetect_backend_agrees_on_long_text() -> None:
    text = "Le patient présente une fièvre élevée depuis trois jours et une toux productive."
    assert detect_language(text, backend="langdetect")[0] == "fr"
    assert scores(text, backend="langdetect")


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(MMedIFTError, match="unknown language-ID backend 'cld9'"):
        LanguageIDFilter(backend="cld9")  # type: ignore[arg-type]
