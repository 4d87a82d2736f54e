"""The quality step on real MedQuAD answers (the vendored sample) and on answers written in the
same shapes: each rule removes what it should and nothing else; the detectors never crash and the
question rewrite is idempotent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.conflicts import ConflictEvidence, ConflictingPrompts
from mmed_ift.filters.quality import QualityEvidence, QualityFilter
from mmed_ift.filters.quality_rules import (
    boilerplate,
    flattened_table,
    link_list,
    normalize_question,
    plural_subject,
)
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.sources.medquad import MedQuAD

REAL = Path(__file__).resolve().parents[1] / "data" / "realdata" / "medquad"


@pytest.fixture(scope="module")
def real_items() -> dict[str, QAPair]:
    adapter = MedQuAD()
    items: dict[str, QAPair] = {}
    for path in sorted(REAL.rglob("*.xml")):
        for result in adapter.read_file(REAL, path):
            if isinstance(result, QAPair):
                items[result.source_id] = result
    return items


def qa(answer: str, question: str = "What are the treatments for X ?", **extra: str) -> QAPair:
    return QAPair(source="medquad", source_id=f"t/{abs(hash(answer + question))}", lang="en", split="train",
                  question=question, answer=answer, **extra)  # fmt: skip


# -- each rule on the real sample ---------------------------------------------------------------


def test_real_sample_rejections_are_exactly_these(real_items: dict[str, QAPair]) -> None:
    result = QualityFilter().process(list(real_items.values()))
    found = {rejection.reject.source_id: rejection.reject.reason for rejection in result.rejections}
    assert found == {
        "2_GARD_QA/0000004/1": "flattened_table",  # HPO table, 7 symptom rows
        "2_GARD_QA/0000006/2": "flattened_table",  # HPO table, one row
        "3_GHR_QA/0000001/5": "link_list",  # "These resources address ...: - Genetic Testing Registry: ..."
        "3_GHR_QA/0000002/5": "link_list",
        "7_SeniorHealth_QA/0000001/32": "link_list",  # directory of organisations, phones, URLs
    }
    assert len(result.kept) == len(real_items) - 5
    evidence: dict[str | None, Any] = {
        rejection.reject.source_id: rejection.evidence for rejection in result.rejections
    }
    ghr = evidence["3_GHR_QA/0000002/5"]
    assert ghr == QualityEvidence("link_list", "bullets", 13, ghr.sample)
    assert ghr.sample.startswith("These resources address the diagnosis or management of abdominal wall defect:")
    assert evidence["7_SeniorHealth_QA/0000001/32"].shape == "directory"
    assert evidence["2_GARD_QA/0000004/1"].count == 7
    details = QualityFilter().details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert details["rejected"] == {"flattened_table": 2, "link_list": 3}
    assert details["examples"]["link_list"][0]["item"] == "medquad:3_GHR_QA/0000001/5"


def test_real_bullet_lists_and_key_points_are_not_tables(real_items: dict[str, QAPair]) -> None:
    for source_id in ("5_NIDDK_QA/0000001/2", "1_CancerGov_QA/0000001_1/7", "7_SeniorHealth_QA/0000002/26"):
        answer = real_items[source_id].answer
        assert flattened_table(answer, 6) is None and link_list(answer) is None, source_id


def test_inline_table_without_header() -> None:
    answer = (
        "The following features are reported. Dilated cardiomyopathy 7.5% Ventricular septal defect 7.5% "
        "Akinesia - Decreased fetal movement - Edema - Hydronephrosis - Polyhydramnios - Respiratory failure - "
        "The frequency of a sign is usually listed as a rough estimate of the percentage of patients who have it."
    )
    table = flattened_table(answer, 6)
    # the first cell is glued to the sentence before it, so the run starts at the second
    assert table is not None and table.shape == "inline" and table.cells == 7
    assert table.sample.startswith("Ventricular septal defect 7.5% | Akinesia -")
    assert flattened_table(answer, 8) is None  # the option sets the run length


def test_a_bulleted_list_of_capitalised_items_is_not_a_table() -> None:
    answer = "Common symptoms include - Fever - Cough - Rash - Headache - Nausea - Fatigue - Vomiting"
    assert flattened_table(answer, 6) is None
    assert flattened_table(answer.replace(" - Vomiting", " - Vomiting. See a doctor if they last."), 6) is None


def test_labelled_bullets_without_links_are_not_a_link_list() -> None:
    assert link_list("Take it as follows: - Dose: 5 mg once a day - Timing: at night - Food: with a meal") is None
    urls = "Support groups: - https://www.nami.org - https://www.dbsalliance.org"
    found = link_list(urls)
    assert found is not None and found.shape == "bullets" and found.links == 2


def test_line_table() -> None:
    answer = "Blood glucose targets:\nTest\nNormal\nPrediabetes\nDiabetes\nA1C\n5.6 or below\n5.7 to 6.4\n6.5 or above"
    table = flattened_table(answer, 6)
    assert table is not None and table.shape == "lines" and table.cells == 8


@pytest.mark.parametrize(
    ("answer", "names"),
    [
        ("This page is under construction.", ["under_construction"]),
        ("See the MedlinePlus page on Measles for more information.", ["see_elsewhere", "for_more_information"]),
        ("Read more under How is adrenal insufficiency treated?", ["see_elsewhere"]),
        ("Learn more about alcohol use disorder. Learn more about available types of treatment.", ["see_elsewhere"]),
        ("-", ["empty"]),
    ],
)
def test_boilerplate_answers(answer: str, names: list[str]) -> None:
    found = boilerplate(answer)
    assert found is not None and found[0] == names
    rejection = QualityFilter().process([qa(answer)]).rejections[0]
    assert rejection.reject.reason == "boilerplate_answer" and rejection.reject.stage == "quality"


def test_boilerplate_after_content_is_kept(real_items: dict[str, QAPair]) -> None:
    answer = real_items["6_NINDS_QA/0000001/1"].answer  # ends "More information ... can be located at ..."
    assert "More information about this condition can be located" in answer
    assert boilerplate(answer) is None
    assert boilerplate("Read more under How is adrenal insufficiency treated? It is treated with hormones daily.") \
        is None  # fmt: skip


def test_mc_items_and_passages_pass_untouched() -> None:
    table = "検査値\nNa\nK\nCl\nCa\nMg\nP\nどれか。"
    mc = MCQuestion(source="igakuqa", source_id="1", lang="ja", split="train", question=table,
                    options={"A": "a", "B": "b"}, answer=["A"])  # fmt: skip
    assert QualityFilter().process([mc]).kept == [mc]


def test_switches() -> None:
    links = qa("These resources address X: - Genetic Testing Registry: X - MedlinePlus Encyclopedia: X")
    assert QualityFilter(check_answers=False).process([links]).rejections == []
    question = qa("X is treated with rest.", question="What is (are) Kidney Stones ?")
    assert QualityFilter().process([question]).kept[0].question == "What are Kidney Stones?"  # type: ignore[union-attr]
    assert QualityFilter(normalize_questions=False).process([question]).kept == [question]


# -- question forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is (are) Adult Acute Lymphoblastic Leukemia ?", "What is Adult Acute Lymphoblastic Leukemia?"),
        ("What is (are) Kidney Stones ?", "What are Kidney Stones?"),
        ("What is (are) Measles ?", "What is Measles?"),
        ("What is (are) Diabetes Insipidus ?", "What is Diabetes Insipidus?"),
        ("What is (are) AIDS ?", "What is AIDS?"),
        ("What is (are) Acinetobacter in Healthcare Settings ?", "What is Acinetobacter in Healthcare Settings?"),
        ("What is (are) Adrenal Insufficiency and Addison's Disease ?",
         "What are Adrenal Insufficiency and Addison's Disease?"),
        ("What is (are) Parasites - Taeniasis ?", "What is Parasites - Taeniasis?"),
        ("Who is at risk for Anemia? ?", "Who is at risk for Anemia?"),
        ("what research (or clinical trials) is being done for Holmes-Adie ?",
         "What research (or clinical trials) is being done for Holmes-Adie?"),
        ("Do you have information about A1C", "Do you have information about A1C?"),
        ("Treatment of anemia", "Treatment of anemia"),
    ],
)  # fmt: skip
def test_normalize_question(question: str, expected: str) -> None:
    assert normalize_question(question)[0] == expected


def test_only_english_questions_are_rewritten() -> None:
    spanish = qa("Se trata con reposo.", question="¿qué es la anemia ?").model_copy(update={"lang": "es"})
    assert QualityFilter().process([spanish]).kept == [spanish]


def test_title_disambiguates_a_question_that_does_not_name_it() -> None:
    item = qa("Pilocarpine drops improve vision.", question="What is the prognosis ?", title="Holmes-Adie")
    result = QualityFilter().process([item])
    assert result.kept[0].question == "What is the prognosis? (Holmes-Adie)"  # type: ignore[union-attr]
    assert result.stats.rewritten["title"] == 1  # type: ignore[attr-defined]
    named = qa("Rest.", question="what is holmes-adie syndrome ?", title="Holmes-Adie")
    assert QualityFilter().process([named]).kept[0].question == "What is holmes-adie syndrome?"  # type: ignore[union-attr]


def test_plural_subject() -> None:
    assert plural_subject("Varicose Veins") and not plural_subject("Osteoporosis") and not plural_subject("Lupus")


# -- conflicting prompts ------------------------------------------------------------------------


def test_conflicts_on_the_real_sample(real_items: dict[str, QAPair]) -> None:
    kept = QualityFilter().process(list(real_items.values())).kept
    result = ConflictingPrompts().process(kept)
    assert len(result.rejections) == 25
    by_id = {rejection.reject.source_id: rejection for rejection in result.rejections}
    amd = by_id["7_SeniorHealth_QA/0000001/12"]  # "Dry AMD has three stages": a sub-topic, not the overview
    assert amd.reject.reason == "conflicting_prompt"
    assert amd.evidence == ConflictEvidence(
        "medquad:7_SeniorHealth_QA/0000001/1", "What is Age-related Macular Degeneration?", 8
    )
    assert "kept medquad:7_SeniorHealth_QA/0000001/1" in amd.reject.detail
    # no prompt keeps two different answers
    prompts = Counter(item.question.lower() for item in result.kept if isinstance(item, QAPair))
    answers = {item.question.lower(): item.answer for item in result.kept if isinstance(item, QAPair)}
    for prompt, count in prompts.items():
        if count > 1:  # only identical answers (left to exact dedup) may share a prompt
            same = {item.answer for item in result.kept if isinstance(item, QAPair) and item.question.lower() == prompt}
            assert same == {answers[prompt]}, prompt
    details = ConflictingPrompts().details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert details["rejected"] == 25 and details["largest_group"] == 8


def test_same_question_with_different_context_does_not_conflict() -> None:
    first = qa("Appendicitis.", question="What is the diagnosis?", context="Case 1: right lower quadrant pain.")
    second = qa("Cholecystitis.", question="What is the diagnosis?", context="Case 2: right upper quadrant pain.")
    third = qa(
        "Pancreatitis, a longer answer.",
        question="what is the diagnosis ?",
        context="Case 2: right upper quadrant pain.",
    )
    items: list[Item] = [first, second, third]
    result = ConflictingPrompts().process(items)
    assert [rejection.reject.source_id for rejection in result.rejections] == [second.source_id]
    assert result.rejections[0].evidence.kept == f"medquad:{third.source_id}"  # type: ignore[attr-defined]


def _passage(source: str, source_id: str, title: str, text: str, section: str | None = None) -> Passage:
    return Passage(source=source, source_id=source_id, lang="ja", split="train", title=title, text=text,
                   section=section, license="CC-BY-SA-4.0")  # fmt: skip


def test_two_whole_articles_with_one_title_keep_the_longer_but_sections_stay() -> None:
    short = _passage("mmedc", "a:1", "てんかん", "てんかんは発作を繰り返す脳の病気である。")
    long = _passage("other", "b:1", "てんかん", "てんかんは発作を繰り返す慢性の脳の病気で、抗てんかん薬で治療する。")
    lead = _passage("wikipedia", "ja/1#s0", "てんかん", "てんかんは慢性の脳疾患である。", section="")
    treatment = _passage("wikipedia", "ja/1#s1", "てんかん", "抗てんかん薬を用いる。", section="治療")
    result = ConflictingPrompts().process([short, long, lead, treatment])
    assert [rejection.reject.source_id for rejection in result.rejections] == ["a:1"]
    assert result.rejections[0].evidence.kept == "other:b:1"  # type: ignore[attr-defined]


# -- properties ---------------------------------------------------------------------------------

_PIECES = [*"ab XYZ-:.%/\n0123456789?", "www.x.org", " - ", "Registry: ", "Fever ", "7.5% "]
_ANSWERS = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(answer=_ANSWERS, cells=st.integers(min_value=2, max_value=10))
def test_detectors_never_crash(answer: str, cells: int) -> None:
    link_list(answer)
    flattened_table(answer, cells)
    boilerplate(answer)


@settings(max_examples=300, deadline=None)
@given(question=st.text(alphabet=st.sampled_from(list("What is (are) XYZs?and of- \n")), max_size=60))
def test_question_normalisation_is_idempotent(question: str) -> None:
    once, _ = normalize_question(question)
    twice, rules = normalize_question(once)
    assert twice == once and rules == []
