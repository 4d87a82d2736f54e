"""Decontamination on the calibration files (``../shared/realdata-full``): the labelled set's
precision and recall per language, and no leak of a HEAD-QA / FrenchMedMCQA test item."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_eval import EvalReport, evaluate, label_pair, word_candidates
from mmed_ift.filters.decontam_xling import CrossConfig
from mmed_ift.filters.decontam_xling_lexicon import Lexicon, parallel_key, parallel_pairs
from mmed_ift.pipeline.decontam_calibration import (
    build_eval_set,
    crosslingual_counts,
    read_calibration,
    split_items,
)
from mmed_ift.schemas import MCQuestion

CRAFTED = Path(__file__).resolve().parents[1] / "data" / "decontam_eval" / "crafted.jsonl"


@pytest.fixture(scope="module")
def corpora(realdata_full: Path) -> dict[str, list[MCQuestion]]:
    return read_calibration(realdata_full)


@pytest.mark.slow
def test_labelled_set_precision_and_recall_per_language(
    realdata_full: Path, corpora: dict[str, list[MCQuestion]]
) -> None:
    pairs = build_eval_set(realdata_full, CRAFTED)
    kinds = {pair.kind for pair in pairs}
    assert {"other_year", "edited", "reordered", "changed_option", "other_language"} <= kinds
    assert {"shared_stem", "stock_stem", "same_topic", "shared_boilerplate"} <= kinds
    background = [item for items in corpora.values() for item in items if item.split == "test"]
    config = DecontamConfig()
    report = evaluate(
        pairs, background, config.threshold, config.min_shared, question_threshold=config.question_threshold
    )
    monolingual = {lang: counts for lang, counts in report.counts.items() if "-" not in lang}
    assert set(monolingual) == {"en", "es", "fr", "ja", "ru", "zh"}
    # en/es/fr/ru: hundreds of pairs from the calibration files; ja/zh: the crafted pairs (60 each)
    for lang, counts in monolingual.items():
        assert EvalReport.precision(counts) >= 0.95, (lang, counts, report.table())
        assert EvalReport.recall(counts) >= 0.98, (lang, counts, report.table())
    assert report.by_kind["shared_boilerplate"]["fp"] == 0
    assert report.by_kind["same_case_other_question"]["fp"] == 0
    # the machine-translated version of a question shares too little text: a documented limit
    assert EvalReport.recall(report.counts["es-en"]) < 0.5


@pytest.mark.slow
@pytest.mark.parametrize(("corpus", "lang"), [("headqa", "es"), ("headqa", "en"), ("frenchmedmcqa", "fr")])
def test_no_repeated_test_item_leaks_into_training(
    corpora: dict[str, list[MCQuestion]], corpus: str, lang: str
) -> None:
    train, test = split_items(corpora[corpus], lang)
    repeats: set[tuple[str, str]] = set()
    different: set[tuple[str, str]] = set()
    for t, b in word_candidates(train, test):
        labelled = label_pair(train[t], test[b])
        if labelled is not None:
            (repeats if labelled[0] else different).add((train[t].source_id, test[b].source_id))
    assert repeats, "the calibration files hold questions repeated across exam years"
    result = Decontaminate(test).process(list(train))
    removed = {
        (rejection.reject.source_id, rejection.evidence.benchmark_id)  # type: ignore[attr-defined]
        for rejection in result.rejections
    }
    removed_items = {item for item, _ in removed}
    assert {item for item, _ in repeats} <= removed_items
    # removals of pairs the gold rules call different questions: measured 13/79 (es), 12/83 (en),
    # 16/49 (fr). On inspection about half are the same question with its answer worded otherwise
    # ("Linfocitos NK" / "NK") or, in FrenchMedMCQA, the same statements asked with the opposite
    # polarity ("exacte" / "fausse"); see docs/decontamination.md.  This bounds them.
    false_removals = removed & different
    print(
        f"{corpus} {lang}: {len(removed)} removed, {len(repeats)} labelled repeats,"
        f" {len(false_removals)} labelled different"
    )
    assert len(false_removals) <= 0.35 * len(removed), sorted(false_removals)


@pytest.mark.slow
def test_crosslingual_check_on_headqa_es_to_en(corpora: dict[str, list[MCQuestion]]) -> None:
    # cognate words only (no lexicon), measured (docs/decontamination.md): translation precision
    # 0.999, recall 0.825; other-year repeats in the other language: recall 0.86 at precision 0.17
    counts = crosslingual_counts(corpora, CrossConfig())
    translation, other = counts["translation"], counts["other_language"]
    assert EvalReport.precision(translation) >= 0.99 and EvalReport.recall(translation) >= 0.8, counts
    assert EvalReport.recall(other) >= 0.8, counts


@pytest.mark.slow
def test_crosslingual_lexicon_from_train_and_dev_finds_translations(corpora: dict[str, list[MCQuestion]]) -> None:
    # the lexicon learns from train + dev only; the test items it is measured on never teach it
    parallel = [item for item in corpora["headqa"] if item.split != "test"]
    pairs = parallel_pairs(parallel, "es", "en")
    tested = {parallel_key(item) for item in corpora["headqa"] if item.split == "test"}
    assert len(pairs) > 3000 and not tested & {parallel_key(es) for es, _ in pairs}
    lexicon = Lexicon.learn(pairs)
    assert lexicon.translate("higado") == ("liver",) and lexicon.translate("hierro") == ("iron",)
    counts = crosslingual_counts(corpora, CrossConfig(), lexicon=lexicon)
    translation, other = counts["translation"], counts["other_language"]
    # the targets on the translation pairs (measured: precision 0.999, recall 0.982)
    assert EvalReport.precision(translation) >= 0.95 and EvalReport.recall(translation) >= 0.98, counts
    # other exam years in the other language: every labelled repeat is found (29 of 29), but
    # precision stays low (measured 0.32): template questions share their translated options
    assert EvalReport.recall(other) >= 0.95, counts
