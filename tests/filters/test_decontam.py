"""Benchmark decontamination: long shared n-grams and near-duplicates of held-out questions."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mmed_ift.filters.base import item_text
from mmed_ift.filters.decontam import BenchmarkIndex, DecontamConfig, Decontaminate, benchmark_name, question_text
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.text.minhash import jaccard
from mmed_ift.text.shingles import Shingler

BENCH_QUESTION = (
    "A 62-year-old woman with long-standing type 2 diabetes presents with burning pain in both feet that is"
    " worse at night and a loss of vibration sense at the toes"
)  # 31 words
BENCH_OPTIONS = {
    "A": "Peripheral diabetic polyneuropathy",
    "B": "Tarsal tunnel syndrome",
    "C": "Vitamin B12 deficiency",
    "D": "Lumbar spinal stenosis",
}
ZH_QUESTION = (
    "患者男性，六十二岁，糖尿病病史十五年，近三个月出现双足烧灼样疼痛，夜间加重，足趾振动觉减退，最可能的诊断是什么"
)
JA_QUESTION = (
    "六十二歳の女性が十五年来の糖尿病の既往があり、三か月前から両足の灼熱痛が夜間に増悪し、"
    "足趾の振動覚低下を認める。最も考えられる診断はどれか"
)


def mc(
    source_id: str,
    question: str,
    options: dict[str, str] | None = None,
    *,
    source: str = "medqa",
    split: str = "test",
    lang: str = "en",
) -> MCQuestion:
    return MCQuestion(
        source=source,
        source_id=source_id,
        lang=lang,
        split=split,  # type: ignore[arg-type]
        question=question,
        options=options or BENCH_OPTIONS,
        answer=["A"],
    )


def qa(source_id: str, question: str, answer: str, *, lang: str = "en", source: str = "medquad") -> QAPair:
    return QAPair(source=source, source_id=source_id, lang=lang, split="train", question=question, answer=answer)


def _benchmarks() -> list[Item]:
    return [
        mc("bench-en-1", BENCH_QUESTION),
        mc("bench-zh-1", ZH_QUESTION, {"A": "糖尿病周围神经病变", "B": "跗管综合征"}, source="cmexam", lang="zh"),
        mc("bench-ja-1", JA_QUESTION, {"A": "糖尿病性多発神経障害", "B": "足根管症候群"}, source="igakuqa", lang="ja"),
        mc(
            "bench-val-1",
            "Which electrolyte abnormality is most characteristic of the tumor lysis syndrome"
            " in patients after chemotherapy?",
            {"A": "Hyperkalemia", "B": "Hypokalemia", "C": "Hypercalcemia", "D": "Hyponatremia"},
            source="medmcqa",
            split="validation",
        ),
    ]


def test_benchmark_name_and_question_text() -> None:
    bench = _benchmarks()
    assert benchmark_name(bench[0]) == "medqa/test"
    assert benchmark_name(bench[3]) == "medmcqa/validation"
    assert question_text(bench[0]) == BENCH_QUESTION
    note = Passage(source="wiki", source_id="1", lang="en", split="test", title="T", text="Body text.")
    assert question_text(note) == "Body text."


def test_verbatim_question_is_contaminated() -> None:
    # 13 consecutive words of the benchmark question (after normalisation) inside a longer answer
    words = BENCH_QUESTION.split()
    embedded = " ".join(words[5:18])
    assert len(embedded.split()) == 13
    training: list[Item] = [
        qa("t1", "Tell me about neuropathy.", f"Consider this CASE: {embedded.upper()}! It is typical."),
        qa("t2", "What causes burning feet at night?", "Often diabetic neuropathy, among others."),
    ]
    step = Decontaminate(_benchmarks())
    result = step.process(training)
    assert [item.source_id for item in result.kept] == ["t2"]
    assert len(result.rejected) == 1
    reject = result.rejected[0]
    assert reject.reason == "contaminated"
    assert reject.stage == "decontam"
    assert reject.source_id == "t1" and reject.source == "medquad"
    assert "medqa/test" in reject.detail
    assert "bench-en-1" in reject.detail
    assert "13-word" in reject.detail


def test_twelve_shared_words_are_not_enough() -> None:
    words = BENCH_QUESTION.split()
    twelve = " ".join(words[5:17])
    item = qa("t1", "Tell me about neuropathy.", f"Consider this case: {twelve} and then more text here.")
    result = Decontaminate(_benchmarks()).process([item])
    assert [kept.source_id for kept in result.kept] == ["t1"]


def test_training_copy_of_a_test_question_is_contaminated() -> None:
    copy = mc("train-9", BENCH_QUESTION.replace("A 62-year-old", "a 62 year old"), split="train", source="mmedbench")
    result = Decontaminate(_benchmarks()).process([copy])
    assert result.kept == []
    assert result.rejected[0].source == "mmedbench"
    assert "medqa/test item bench-en-1" in result.rejected[0].detail


@pytest.mark.parametrize("lsh_threshold", [0.7, 0.5])
def test_reworded_near_duplicate_is_contaminated(lsh_threshold: float) -> None:
    # edits at words 12 and 25 break every 13-word window of the 26-word question, so only the
    # near-duplicate check (Jaccard of word 3-grams on question + options) can catch it
    question = (
        "Which of the following findings on examination would best distinguish diabetic polyneuropathy from"
        " tarsal tunnel syndrome in a patient with burning feet and night pain today"
    )
    words = question.split()
    assert len(words) == 26
    edited = list(words)
    edited[12], edited[25] = "a", "overall"
    options = {
        "A": "Symmetric loss of vibration sense in both feet and ankles with reduced pinprick sensation in a"
        " stocking distribution",
        "B": "Positive Tinel sign behind the medial malleolus on one side with pain radiating into the sole of"
        " the foot",
        "C": "Reduced ankle reflexes on both sides with normal knee reflexes and preserved strength in the"
        " small muscles of the feet",
        "D": "Weakness of the ankle dorsiflexors with a high stepping gait and wasting of the muscles of the"
        " anterior compartment",
    }
    bench = mc("bench-near", question, options, source="headqa")
    train = mc("train-near", " ".join(edited), options, split="train", source="medmcqa")
    long_grams = Shingler(13, 30).shingle([question_text(bench), item_text(train)], ["en", "en"])
    assert len(np.intersect1d(long_grams.of(0), long_grams.of(1))) == 0
    near = Shingler(3, 3).shingle([item_text(bench), item_text(train)], ["en", "en"])
    similarity = jaccard(np.unique(near.of(0)), np.unique(near.of(1)))
    # ~0.89: well above 0.8, so even the default LSH (14 bands x 9 rows) finds it with p > 0.99
    assert similarity >= 0.85
    step = Decontaminate([bench], DecontamConfig(lsh_threshold=lsh_threshold))
    result = step.process([train])
    assert result.kept == []
    reject = result.rejected[0]
    assert reject.reason == "contaminated"
    assert "near-duplicate" in reject.detail
    assert "headqa/test item bench-near" in reject.detail
    assert f"{similarity:.2f}" in reject.detail


def test_below_near_threshold_is_kept() -> None:
    rng = random.Random(3)
    vocabulary = sorted({"".join(rng.choice("abcdefghij") for _ in range(6)) for _ in range(800)})
    words = [rng.choice(vocabulary) for _ in range(30)]
    edited = list(words)
    for at in (3, 9, 15, 21, 27):  # breaks every 13-gram and pushes the 3-gram Jaccard below 0.8
        edited[at] = rng.choice(vocabulary)
    bench = qa("b", " ".join(words), "answer", source="pubmedqa")
    bench = bench.model_copy(update={"split": "test"})
    train = qa("t", " ".join(edited), "answer")
    near = Shingler(3, 3).shingle([item_text(bench), item_text(train)], ["en", "en"])
    assert jaccard(np.unique(near.of(0)), np.unique(near.of(1))) < 0.8
    assert Decontaminate([bench]).process([train]).rejected == []


def test_clean_items_are_kept() -> None:
    training: list[Item] = [
        mc(
            "c1",
            "Which drug is first-line for type 2 diabetes in most adults?",
            {"A": "Metformin", "B": "Insulin"},
            split="train",
        ),
        qa("c2", "什么是高血压？", "高血压是指动脉血压持续升高。", lang="zh", source="cmedqa2"),
        qa("c3", "高血圧とは何ですか。", "血圧が慢性的に高い状態です。", lang="ja", source="jmedqa"),
        Passage(
            source="wikipedia",
            source_id="c4",
            lang="fr",
            split="train",
            title="Diabète",
            text="Le diabète est une maladie.",
        ),
    ]
    step = Decontaminate(_benchmarks())
    result = step.process(training)
    assert result.kept == training
    assert result.rejected == []


@pytest.mark.parametrize(
    ("question", "lang", "source_id", "benchmark"),
    [(ZH_QUESTION, "zh", "bench-zh-1", "cmexam/test"), (JA_QUESTION, "ja", "bench-ja-1", "igakuqa/test")],
)
def test_cjk_character_ngrams(question: str, lang: str, source_id: str, benchmark: str) -> None:
    compact = question.replace("，", "").replace("、", "").replace("。", "")
    thirty = compact[10:40]
    twenty_nine = compact[10:39]
    assert len(thirty) == 30
    contaminated = qa("t1", "请看这个病例：", f"前文{thirty}后文。", lang=lang, source="huatuo26m_lite")
    clean = qa("t2", "请看这个病例：", f"前文{twenty_nine}后文。", lang=lang, source="huatuo26m_lite")
    result = Decontaminate(_benchmarks()).process([contaminated, clean])
    assert [item.source_id for item in result.kept] == ["t2"]
    assert [reject.source_id for reject in result.rejected] == ["t1"]
    assert f"{benchmark} item {source_id}" in result.rejected[0].detail
    assert "30-character" in result.rejected[0].detail


def test_cjk_punctuation_does_not_hide_contamination() -> None:
    # the same characters with other punctuation and full-width digits still match
    text = ZH_QUESTION.replace("，", " ").replace("六十二", "６２")
    original = ZH_QUESTION.replace("六十二", "62")
    bench = mc("zb", original, {"A": "甲", "B": "乙"}, source="cmb", lang="zh")
    train = qa("zt", "问题", text, lang="zh", source="cmedqa2")
    result = Decontaminate([bench]).process([train])
    assert len(result.rejected) == 1
    assert "cmb/test" in result.rejected[0].detail


def test_empty_benchmark_list_keeps_everything() -> None:
    training: list[Item] = [qa(str(number), f"Question {number}?", BENCH_QUESTION) for number in range(5)]
    step = Decontaminate([])
    result = step.process(training)
    assert result.kept == training
    assert result.rejected == []
    assert len(step.index) == 0
    assert step.details(result.stats, result.rejections)["benchmarks"] == {}  # type: ignore[arg-type]
    assert BenchmarkIndex([]).check(["anything at all"], ["en"]) == [None]


def test_index_check_and_empty_texts() -> None:
    index = BenchmarkIndex(_benchmarks())
    assert len(index) == 4
    assert index.sizes == {"medqa/test": 1, "cmexam/test": 1, "igakuqa/test": 1, "medmcqa/validation": 1}
    hits = index.check([BENCH_QUESTION, "", "?!", "unrelated short text"], ["en", "en", "fr", "es"])
    assert hits[0] is not None
    assert (hits[0].benchmark, hits[0].benchmark_id) == ("medqa/test", "bench-en-1")
    assert hits[1:] == [None, None, None]
    assert index.check([], []) == []


def test_report_details_counts_removed_per_benchmark() -> None:
    words = BENCH_QUESTION.split()
    val_question = question_text(_benchmarks()[3])
    training: list[Item] = [
        qa("a", "q", " ".join(words[:14])),
        qa("b", "q", " ".join(words[10:30])),
        qa("c", "q", val_question),
        qa("d", "q", "Nothing to see here, a clean answer about asthma."),
    ]
    step = Decontaminate(_benchmarks(), DecontamConfig())
    rejections = step.process(training).rejections + step.process([qa("e", "q", " ".join(words[-13:]))]).rejections
    details = step.details(step.new_stats(), rejections)
    assert details["benchmarks"] == {
        "cmexam/test": {"items": 1, "removed": 0},
        "igakuqa/test": {"items": 1, "removed": 0},
        "medmcqa/validation": {"items": 1, "removed": 1},
        "medqa/test": {"items": 1, "removed": 3},
    }
    assert details["examples"]["medqa/test"] == [
        "medquad:a ~ bench-en-1",
        "medquad:b ~ bench-en-1",
        "medquad:e ~ bench-en-1",
    ]
    assert details["examples"]["medmcqa/validation"] == ["medquad:c ~ bench-val-1"]
    assert (details["word_n"], details["char_n"], details["near_threshold"]) == (13, 30, 0.8)


def test_custom_ngram_size() -> None:
    words = BENCH_QUESTION.split()
    item = qa("t", "q", "start " + " ".join(words[3:11]) + " end")  # 8 shared words
    assert Decontaminate(_benchmarks()).process([item]).rejected == []
    assert len(Decontaminate(_benchmarks(), DecontamConfig(word_n=8)).process([item]).rejected) == 1


def test_short_benchmark_question_embedded_verbatim() -> None:
    bench = mc("short-1", "Which vitamin deficiency causes scurvy in sailors?", {"A": "Vitamin C", "B": "Vitamin D"})
    train = qa(
        "t",
        "Question: Which vitamin deficiency causes scurvy in sailors?",
        "Vitamin C, because it is needed to make collagen; explain the mechanism in detail.",
    )
    assert Decontaminate([bench]).process([train]).rejected != []
