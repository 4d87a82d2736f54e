"""Exact and near-duplicate removal: what counts as a duplicate, who survives, what is reported."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.base import survivor_key
from mmed_ift.filters.exact_dedup import ExactDedup
from mmed_ift.filters.near_dedup import NearDedup, NearDedupConfig, find_near_duplicates
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, stable_id
from mmed_ift.text.minhash import jaccard
from mmed_ift.text.shingles import Shingler

OPTIONS = {"A": "Insulin glargine", "B": "Metformin", "C": "Glipizide", "D": "Pioglitazone"}
STEM = "A 45-year-old man presents with polyuria and polydipsia. Which drug is first-line?"


def mc(
    source_id: str,
    question: str = STEM,
    options: dict[str, str] | None = None,
    *,
    source: str = "medqa",
    lang: str = "en",
    rationale: str | None = None,
) -> MCQuestion:
    return MCQuestion(
        source=source,
        source_id=source_id,
        lang=lang,
        split="train",
        question=question,
        options=options or OPTIONS,
        answer=["B"],
        rationale=rationale,
    )


def qa(source_id: str, question: str, answer: str, *, source: str = "medquad", lang: str = "en") -> QAPair:
    return QAPair(source=source, source_id=source_id, lang=lang, split="train", question=question, answer=answer)


def passage(source_id: str, text: str, *, lang: str = "en", title: str = "Note") -> Passage:
    return Passage(source="wikipedia", source_id=source_id, lang=lang, split="train", title=title, text=text)


def ids(items: list[Item]) -> list[str]:
    return [f"{item.source}:{item.source_id}" for item in items]


def _check_accounting(step_name: str, items: list[Item], kept: list[Item], rejected: list[Reject]) -> None:
    assert len(kept) + len(rejected) == len(items)
    rejected_ids = {f"{reject.source}:{reject.source_id}" for reject in rejected}
    assert set(ids(kept)) | rejected_ids == set(ids(items))
    assert not set(ids(kept)) & rejected_ids
    assert all(reject.stage == step_name for reject in rejected)


# -- exact dedup ----------------------------------------------------------------------------


def test_exact_dedup_variants_are_duplicates() -> None:
    items: list[Item] = [
        mc("1"),
        mc("2", STEM.upper()),
        mc("3", "  A 45-year-old man presents with\npolyuria   and polydipsia; which drug is first line  "),
        mc("4", "Ａ ４５-year-old man presents with polyuria and polydipsia. Which drug is first-line?"),
        mc("5", STEM, {key: value.lower() + "." for key, value in OPTIONS.items()}),
        mc("6", "A 45-year-old woman presents with polyuria and polydipsia. Which drug is first-line?"),
    ]
    result = ExactDedup().process(items)
    assert len(result.kept) == 2
    assert "medqa:6" in ids(result.kept)
    assert {reject.reason for reject in result.rejected} == {"exact_duplicate"}
    assert len(result.rejected) == 4
    _check_accounting("exact_dedup", items, result.kept, result.rejected)


def test_exact_dedup_keeps_different_items() -> None:
    items: list[Item] = [
        mc("1"),
        mc("2", "A 46-year-old man presents with polyuria and polydipsia. Which drug is first-line?"),
        qa("q1", "What is diabetes?", "A metabolic disease."),
        qa("q2", "What is diabetes?", "A chronic metabolic disease."),
        passage("p1", "Diabetes is common."),
        passage("p2", "高血压是一种常见病。", lang="zh"),
        passage("p3", "高血圧は一般的な病気です。", lang="ja"),
    ]
    result = ExactDedup().process(items)
    assert ids(result.kept) == ids(items)
    assert result.rejected == []
    assert ExactDedup().process([]).kept == []


def test_same_stem_different_options_are_not_duplicates() -> None:
    other_options = {"A": "Insulin glargine", "B": "Metformin", "C": "Glipizide", "D": "Sitagliptin"}
    items: list[Item] = [mc("1"), mc("2", options=other_options)]
    result = ExactDedup().process(items)
    assert len(result.kept) == 2
    # ... but the same options in another key order are the same question only if the keys agree
    reordered = {"A": "Metformin", "B": "Insulin glargine", "C": "Glipizide", "D": "Pioglitazone"}
    assert len(ExactDedup().process([mc("1"), mc("3", options=reordered)]).kept) == 2


def test_exact_dedup_cjk_variants() -> None:
    items: list[Item] = [
        qa("1", "高血压的诊断标准是什么？", "收缩压≥140mmHg。", source="cmedqa2", lang="zh"),
        qa("2", "高血压的诊断标准是什么?", "收缩压＞１４０ｍｍＨｇ", source="cmedqa2", lang="zh"),
        qa("3", "高血压的诊断标准是什么", "收缩压 ≥140MMHG", source="cmedqa2", lang="zh"),
        qa("4", "糖尿病的诊断标准是什么？", "空腹血糖≥7.0mmol/L。", source="cmedqa2", lang="zh"),
        qa("5", "高血壓的診斷標準是什麼？", "收縮壓≥140mmHg。", source="cmedqa2", lang="zh"),  # traditional: different
    ]
    result = ExactDedup().process(items)
    # 1-3 differ in full-width forms, symbols (≥ ＞), punctuation and case only
    survivor = min(items[:3], key=survivor_key)
    assert sorted(ids(result.kept)) == sorted([f"cmedqa2:{survivor.source_id}", "cmedqa2:4", "cmedqa2:5"])
    assert len(result.rejected) == 2
    _check_accounting("exact_dedup", items, result.kept, result.rejected)


def test_exact_dedup_does_not_merge_kinds() -> None:
    items: list[Item] = [qa("1", "Asthma", "Airway disease."), passage("2", "Airway disease.", title="Asthma")]
    assert len(ExactDedup().process(items).kept) == 2


def test_survivor_prefers_rationale() -> None:
    # pick ids so that the item without a rationale has the lower stable id
    plain, rich = "a", "b"
    if stable_id("medqa", plain) > stable_id("medqa", rich):
        plain, rich = rich, plain
    items: list[Item] = [mc(plain), mc(rich, rationale="Metformin is first-line for type 2 diabetes.")]
    result = ExactDedup().process(items)
    assert ids(result.kept) == [f"medqa:{rich}"]
    assert result.kept[0].rationale is not None  # type: ignore[union-attr]
    assert f"medqa:{rich}" in result.rejected[0].detail
    assert result.rejected[0].source_id == plain


def test_survivor_lowest_stable_id_otherwise() -> None:
    members = [mc(str(number), source=source) for number, source in enumerate(["medqa", "mmedbench", "medmcqa"] * 3)]
    expected = min(members, key=lambda item: stable_id(item.source, item.source_id))
    assert survivor_key(expected) == min(survivor_key(item) for item in members)
    result = ExactDedup().process(list(members))
    assert ids(result.kept) == ids([expected])
    for reject in result.rejected:
        assert reject.reason == "exact_duplicate"
        assert reject.stage == "exact_dedup"
        assert f"{expected.source}:{expected.source_id}" in reject.detail
        assert reject.lang == "en" and reject.split == "train"


def test_survivor_key_order() -> None:
    with_rationale = mc("zzz", rationale="because")
    without = mc("zzz")
    assert survivor_key(with_rationale) < survivor_key(without)
    assert survivor_key(without) == (1, stable_id("medqa", "zzz"))
    assert survivor_key(qa("x", "q", "a"))[0] == 1


def _duplicate_groups() -> list[Item]:
    items: list[Item] = []
    for group in range(4):
        stem = f"Question number {group}: which enzyme is deficient in disease {group}?"
        for copy in range(3):
            text = stem.upper() if copy == 1 else stem
            items.append(mc(f"{group}-{copy}", text, rationale="why" if (group, copy) == (2, 2) else None))
    items.append(qa("solo", "What is anemia?", "Low hemoglobin."))
    return items


@settings(max_examples=40, deadline=None)
@given(st.permutations(_duplicate_groups()))
def test_exact_dedup_independent_of_order(permuted: list[Item]) -> None:
    reference = ExactDedup().process(_duplicate_groups())
    result = ExactDedup().process(list(permuted))
    assert sorted(ids(result.kept)) == sorted(ids(reference.kept))
    assert len(result.kept) == 5
    assert "medqa:2-2" in ids(result.kept)  # the one with a rationale
    details = {reject.source_id: reject.detail for reject in result.rejected}
    assert details == {reject.source_id: reject.detail for reject in reference.rejected}
    _check_accounting("exact_dedup", list(permuted), result.kept, result.rejected)


def test_exact_dedup_report_details() -> None:
    step = ExactDedup()
    result = step.process(_duplicate_groups())
    assert step.details(result.stats, result.rejections) == {"duplicate_groups": 4}


# -- near dedup -----------------------------------------------------------------------------


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(size)}
    return sorted(words)


def _words(rng: random.Random, vocabulary: list[str], count: int = 40) -> list[str]:
    return [rng.choice(vocabulary) for _ in range(count)]


def _cjk(rng: random.Random, count: int = 60) -> str:
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(count))


def _exact_jaccard(left: str, right: str, lang: str, config: NearDedupConfig | None = None) -> float:
    config = config or NearDedupConfig()
    shingler = Shingler(config.word_n, config.char_n)
    batch = shingler.shingle([left, right], [lang, lang])
    return jaccard(np.unique(batch.of(0)), np.unique(batch.of(1)))


def _planted_corpus(seed: int) -> tuple[list[str], list[str], list[tuple[int, int]], list[tuple[int, int]]]:
    """Texts, langs, planted near-duplicate pairs (J >= 0.8) and planted below-threshold pairs."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    texts: list[str] = []
    langs: list[str] = []
    planted: list[tuple[int, int]] = []
    below: list[tuple[int, int]] = []

    def add(text: str, lang: str) -> int:
        texts.append(text)
        langs.append(lang)
        return len(texts) - 1

    for _ in range(8):  # one word edited
        words = _words(rng, vocabulary)
        edited = list(words)
        edited[rng.randrange(3, 37)] = rng.choice(vocabulary)
        planted.append((add(" ".join(words), "en"), add(" ".join(edited), "en")))
    for lang in ("fr", "ru", "es"):  # two adjacent words edited
        words = _words(rng, vocabulary)
        edited = list(words)
        at = rng.randrange(5, 33)
        edited[at : at + 2] = [rng.choice(vocabulary), rng.choice(vocabulary)]
        planted.append((add(" ".join(words), lang), add(" ".join(edited), lang)))
    for lang in ("zh", "ja", "zh"):  # one or two characters edited
        chars = list(_cjk(rng))
        edited = list(chars)
        edited[rng.randrange(5, 55)] = chr(rng.randint(0x4E00, 0x9FA5))
        if lang == "ja":
            edited[2] = "の"
        planted.append((add("".join(chars), lang), add("".join(edited), lang)))
    for _ in range(4):  # six scattered word edits: clearly below 0.8
        words = _words(rng, vocabulary)
        edited = list(words)
        for at in (4, 10, 16, 22, 28, 34):
            edited[at] = rng.choice(vocabulary)
        below.append((add(" ".join(words), "en"), add(" ".join(edited), "en")))
    for lang in ("en", "zh", "ja", "ru"):  # unrelated singletons
        add(_cjk(rng) if lang in ("zh", "ja") else " ".join(_words(rng, vocabulary)), lang)
    return texts, langs, planted, below


#: LSH tuned well below the 0.8 threshold: (1 - 0.81^5)^25 ~ 2e-5 chance to miss a pair at J=0.81, so
#: these tests do not depend on the exact hash values (the default, 0.7, misses ~10%: see below)
HIGH_RECALL = NearDedupConfig(lsh_threshold=0.5)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_find_near_duplicates_planted(seed: int) -> None:
    texts, langs, planted, below = _planted_corpus(seed)
    config = HIGH_RECALL
    for left, right in planted:
        assert _exact_jaccard(texts[left], texts[right], langs[left]) >= 0.8
    for left, right in below:
        assert _exact_jaccard(texts[left], texts[right], langs[left]) < 0.8
    found = find_near_duplicates(texts, langs, config)
    assert sorted(found.clusters) == sorted([list(pair) for pair in planted])
    assert all(similarity >= config.threshold for _, _, similarity in found.pairs)
    for left, right, similarity in found.pairs:
        assert similarity == pytest.approx(_exact_jaccard(texts[left], texts[right], langs[left]))
    assert found.candidates >= len(found.pairs)


def test_near_dedup_recall_at_threshold() -> None:
    rng = random.Random(0)
    vocabulary = _vocabulary(rng)
    texts: list[str] = []
    for _ in range(300):
        words = _words(rng, vocabulary)
        edited = list(words)
        at = rng.randrange(5, 33)
        edited[at : at + 2] = [rng.choice(vocabulary), rng.choice(vocabulary)]
        texts += [" ".join(words), " ".join(edited)]
    assert all(_exact_jaccard(texts[2 * i], texts[2 * i + 1], "en") >= 0.8 for i in range(300))
    found = find_near_duplicates(texts, ["en"] * len(texts), NearDedupConfig())
    recall = len(found.clusters) / 300
    assert recall >= 0.97, recall


@pytest.mark.parametrize("seed", [1, 2])
def test_default_config_finds_close_duplicates(seed: int) -> None:
    # one word edited in an 80-word text: J ~ 0.93, where 14 bands x 9 rows miss with p < 1e-4
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    texts: list[str] = []
    for _ in range(10):
        words = _words(rng, vocabulary, 80)
        edited = list(words)
        edited[rng.randrange(5, 75)] = rng.choice(vocabulary)
        texts += [" ".join(words), " ".join(edited)]
    texts += [" ".join(_words(rng, vocabulary, 80)) for _ in range(10)]
    for index in range(10):
        assert _exact_jaccard(texts[2 * index], texts[2 * index + 1], "en") >= 0.9
    found = find_near_duplicates(texts, ["en"] * len(texts), NearDedupConfig())
    assert sorted(found.clusters) == [[2 * index, 2 * index + 1] for index in range(10)]


def test_find_near_duplicates_threshold_is_exact() -> None:
    rng = random.Random(21)
    vocabulary = _vocabulary(rng)
    words = _words(rng, vocabulary)
    texts, langs = [" ".join(words)], ["en"]
    similarities = []
    for edits in range(1, 6):
        edited = list(words)
        for at in range(2, 2 + 7 * edits, 7):
            edited[at] = rng.choice(vocabulary)
        texts.append(" ".join(edited))
        langs.append("en")
        similarities.append(_exact_jaccard(texts[0], texts[-1], "en"))
    for threshold in (0.6, 0.7, 0.8, 0.9):
        config = NearDedupConfig(threshold=threshold, lsh_threshold=0.3)
        found = find_near_duplicates(texts, langs, config)
        partners = {right for left, right, _ in found.pairs if left == 0}
        expected = {index + 1 for index, value in enumerate(similarities) if value >= threshold}
        assert partners == expected, (threshold, similarities)


def test_find_near_duplicates_transitive_cluster_and_empties() -> None:
    rng = random.Random(4)
    vocabulary = _vocabulary(rng)
    base = _words(rng, vocabulary, 60)
    first, second = list(base), list(base)
    first[10] = "alpha"
    second[10], second[45] = "alpha", "omega"
    texts = [" ".join(base), " ".join(first), " ".join(second), "", "?!", "", " ".join(_words(rng, vocabulary))]
    langs = ["en"] * len(texts)
    found = find_near_duplicates(texts, langs, HIGH_RECALL)
    assert found.clusters == [[0, 1, 2]]
    assert all(3 not in pair[:2] and 4 not in pair[:2] and 5 not in pair[:2] for pair in found.pairs)


def test_near_dedup_step_rejects_and_reports() -> None:
    texts, langs, planted, _below = _planted_corpus(5)
    items: list[Item] = [
        passage(f"p{index}", text, lang=lang, title="T")
        for index, (text, lang) in enumerate(zip(texts, langs, strict=True))
    ]
    step = NearDedup(HIGH_RECALL)
    result = step.process(items)
    assert len(result.rejected) == len(planted)
    _check_accounting("near_dedup", items, result.kept, result.rejected)
    by_id = {f"{item.source}:{item.source_id}": item for item in items}
    for left, right in planted:
        pair = [items[left], items[right]]
        keeper = min(pair, key=survivor_key)
        loser = pair[1] if keeper is pair[0] else pair[0]
        assert f"wikipedia:{keeper.source_id}" in ids(result.kept)
        reject = next(reject for reject in result.rejected if reject.source_id == loser.source_id)
        assert reject.reason == "near_duplicate"
        assert reject.stage == "near_dedup"
        assert f"near-duplicate of wikipedia:{keeper.source_id}" in reject.detail
        assert "cluster of 2" in reject.detail
        assert by_id[f"wikipedia:{keeper.source_id}"] is keeper
    details = step.details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert set(details) == {"threshold", "num_perm", "bands", "rows", "candidate_pairs", "confirmed_pairs", "clusters"}
    assert details["clusters"] == len(planted)
    assert details["confirmed_pairs"] == len(planted)
    assert details["threshold"] == 0.8
    assert details["num_perm"] == 128
    assert (details["bands"], details["rows"]) == (25, 5)
    assert details["candidate_pairs"] >= details["confirmed_pairs"]


def test_near_dedup_prefers_rationale_and_is_order_independent() -> None:
    rng = random.Random(8)
    vocabulary = _vocabulary(rng)
    words = _words(rng, vocabulary)
    edited = list(words)
    edited[20] = "changed"
    options = {"A": "first option text here", "B": "second option text here"}
    items: list[Item] = [
        mc("1", " ".join(words), options),
        mc("2", " ".join(edited), options, rationale="explained"),
        mc("3", " ".join(_words(rng, vocabulary)), options),
    ]
    forward = NearDedup(HIGH_RECALL).process(list(items))
    backward = NearDedup(HIGH_RECALL).process(list(reversed(items)))
    assert sorted(ids(forward.kept)) == sorted(ids(backward.kept)) == ["medqa:2", "medqa:3"]
    assert [reject.source_id for reject in forward.rejected] == ["1"]
    assert "medqa:2" in forward.rejected[0].detail


def test_near_dedup_custom_bands_rows() -> None:
    config = NearDedupConfig(bands=32, rows=4)
    params = config.lsh_params()
    assert (params.num_perm, params.bands, params.rows) == (128, 32, 4)
    texts, langs, planted, _ = _planted_corpus(6)
    found = find_near_duplicates(texts, langs, config)
    assert sorted(found.clusters) == sorted([list(pair) for pair in planted])
    step = NearDedup(config)
    result = step.process(
        [passage(str(index), text, lang=lang) for index, (text, lang) in enumerate(zip(texts, langs, strict=True))]
    )
    assert step.details(result.stats, result.rejections)["bands"] == 32  # type: ignore[arg-type]
    assert step.details(result.stats, result.rejections)["rows"] == 4  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="both bands and rows"):
        NearDedupConfig(bands=10).lsh_params()
    with pytest.raises(ValueError, match="both bands and rows"):
        NearDedupConfig(rows=10).lsh_params()
    with pytest.raises(ValueError, match="exceeds num_perm"):
        NearDedupConfig(bands=20, rows=10).lsh_params()
    default = NearDedupConfig().lsh_params()
    assert default.bands * default.rows <= 128


def test_near_dedup_empty_input() -> None:
    step = NearDedup()
    result = step.process([])
    assert result.kept == [] and result.rejected == []
    assert step.details(result.stats, result.rejections)["clusters"] == 0  # type: ignore[arg-type]
