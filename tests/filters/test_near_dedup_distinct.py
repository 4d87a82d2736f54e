"""Near-dedup does not merge records about different things: the tokens two near-identical texts
do not share (names, focus, content) decide, measured on labelled MedQuAD-like pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig
from mmed_ift.filters.near_dedup_eval import evaluate_pairs, load_pairs
from mmed_ift.schemas import Item, MCQuestion, QAPair
from mmed_ift.text.distinct import DistinctRules, Tokens, distinct, pack, question_focus, tokens, unpack

PAIRS = Path(__file__).parent / "near_dedup_pairs.jsonl"
BOILERPLATE = (
    "The Human Phenotype Ontology provides the following list of signs and symptoms. If the information is"
    " available, the table below includes how often the symptom is seen in people with this condition. You can"
    " use the medical dictionary to look up the definitions for these medical terms. The frequency of a sign or"
    " symptom is usually listed as a rough estimate of the percentage of patients who have that feature."
)


def _qa(source_id: str, question: str, answer: str, title: str | None = None) -> QAPair:
    return QAPair(
        source="medquad", source_id=source_id, lang="en", split="train", question=question, answer=answer, title=title
    )


def _merged(items: list[Item], config: NearDedupConfig) -> bool:
    return len(NearDedup(config).process(items).rejections) == 1


def test_labelled_pairs_precision_and_recall() -> None:
    pairs = load_pairs(PAIRS)
    assert sum(pair.duplicate for pair in pairs) >= 60 and sum(not pair.duplicate for pair in pairs) >= 60
    with_rules = evaluate_pairs(pairs, NearDedupConfig(), "distinct")
    assert with_rules.precision >= 0.99 and with_rules.recall >= 0.99, with_rules.wrong
    jaccard_only = evaluate_pairs(pairs, NearDedupConfig(distinct=None), "jaccard")
    assert jaccard_only.false_positive >= 20  # the hard negatives really pass the Jaccard threshold
    assert jaccard_only.recall == with_rules.recall


def test_names_decide_without_any_title() -> None:
    """Two MC questions (no title, no templated question) that differ only in the drug named."""
    stem = "A patient with {drug} toxicity presents to the emergency department. " + BOILERPLATE + " Next step?"
    options = {"A": "Observation", "B": "Activated charcoal", "C": "Hemodialysis", "D": "Antidote"}
    items: list[Item] = [
        MCQuestion(
            source="medqa",
            source_id=drug,
            lang="en",
            split="train",
            question=stem.format(drug=drug),
            options=options,
            answer=["D"],
        )
        for drug in ("Digoxin", "Lithium")
    ]
    assert not _merged(items, NearDedupConfig())
    assert _merged(items, NearDedupConfig(distinct=DistinctRules(min_names=0, max_extra=0, titles=False)))


def test_focus_decides_when_only_lower_case_words_differ() -> None:
    items: list[Item] = [
        _qa("1", "Which type is it ?", f"This is the {kind} type. " + BOILERPLATE, title=f"Ehlers-Danlos, {kind}")
        for kind in ("classic", "vascular")
    ]
    assert not _merged(items, NearDedupConfig())
    assert _merged(items, NearDedupConfig(distinct=DistinctRules(titles=False)))


def test_slots_decide_when_a_repeated_word_differs() -> None:
    """No title, no names: the template's slot ("classic"/"vascular" all through the page) decides."""
    page = "The {kind} type is described here. " + BOILERPLATE + " The {kind} type is rare. Is the {kind} type common?"
    items: list[Item] = [_qa(kind, "Which type ?", page.format(kind=kind)) for kind in ("classic", "vascular")]
    assert not _merged(items, NearDedupConfig())
    assert _merged(items, NearDedupConfig(distinct=DistinctRules(slots=False)))
    same_text: list[Item] = [
        _qa("1", "Q ?", BOILERPLATE, title="Aarskog syndrome"),
        _qa("2", "Q ?", BOILERPLATE, title="FGDY"),
    ]
    assert _merged(same_text, NearDedupConfig())  # titles differ, texts do not: the same record


def test_content_one_side_lacks_decides() -> None:
    long_text = " ".join([BOILERPLATE] * 3)
    extra = " Hepatomegaly splenomegaly cholestasis jaundice pruritus steatorrhea xanthomas hypercholesterolemia"
    extra += " fatigue anorexia weakness"
    base = _qa("1", "Symptoms ?", long_text)
    longer = _qa("2", "Symptoms ?", long_text + extra)
    assert not _merged([base, longer], NearDedupConfig(threshold=0.7))
    assert _merged([base, longer], NearDedupConfig(threshold=0.7, distinct=DistinctRules(max_extra=0)))
    sentence = _qa("3", "Symptoms ?", long_text + " Ask a genetics professional about the features in your family.")
    assert _merged([base, sentence], NearDedupConfig())  # one sentence added: the same record


def test_question_focus() -> None:
    assert question_focus("What is (are) Fructosuria ?") == "Fructosuria"
    assert question_focus("Is Aarskog-Scott syndrome inherited ?") == "Aarskog-Scott syndrome"
    assert question_focus("What are the genetic changes related to Jervell Lange-Nielsen syndrome ?") == (
        "Jervell Lange-Nielsen syndrome"
    )
    assert question_focus("Why does my knee hurt?") is None


def test_names_are_capitalised_inside_sentences() -> None:
    found = tokens("Mutations in the FGD1 gene cause Aarskog syndrome. Patients have short stature.", None, "en")
    names = tokens("FGD1 Aarskog", None, "en").content
    assert set(names.tolist()) <= set(found.names.tolist())
    assert tokens("Patients", None, "en").content[0] not in set(found.names.tolist())  # sentence start


@given(
    shingles=st.lists(st.integers(0, 2**64 - 1), unique=True).map(lambda v: np.array(sorted(v), dtype=np.uint64)),
    title=st.integers(0, 2**64 - 1),
    content=st.lists(st.integers(0, 2**64 - 1), unique=True).map(lambda v: np.array(sorted(v), dtype=np.uint64)),
    names=st.lists(st.integers(0, 2**64 - 1), unique=True).map(lambda v: np.array(sorted(v), dtype=np.uint64)),
    repeated=st.lists(st.integers(0, 2**64 - 1), unique=True).map(lambda v: np.array(sorted(v), dtype=np.uint64)),
)
def test_pack_round_trips(
    shingles: np.ndarray, title: int, content: np.ndarray, names: np.ndarray, repeated: np.ndarray
) -> None:
    back_shingles, back = unpack(pack(shingles, Tokens(title, content, names, repeated)))
    assert back_shingles.tolist() == shingles.tolist()
    assert (back.title, back.content.tolist(), back.names.tolist(), back.repeated.tolist()) == (
        title,
        content.tolist(),
        names.tolist(),
        repeated.tolist(),
    )


@given(st.lists(st.sampled_from(["Fructosuria", "gene", "FGD1", "the", "patients", "II", "type", "."]), max_size=30))
def test_distinct_is_symmetric_and_identity_is_never_distinct(words: list[str]) -> None:
    left = tokens(" ".join(words), "focus", "en")
    right = tokens(" ".join(reversed(words)), "other focus", "en")
    rules = DistinctRules()
    assert distinct(left, left, rules) is None
    assert distinct(left, right, rules) == distinct(right, left, rules)
