"""The language-ID filter's function-words-first step skips the model only where the model
cannot change the verdict: with and without it, every text gets the same keep/reject and the
same evidence, on the labelled sets and on real upstream text; and the model sees fewer texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmed_ift.filters.base import item_text
from mmed_ift.filters.langid import LanguageIDFilter, Verdict
from mmed_ift.filters.langid_eval import load_eval_set
from mmed_ift.text.langdetect import FastTextDetector
from tests.filters.test_langid_rules import HARD_SET, CountingDetector, _real_items

EVAL_SET = Path(__file__).parent / "langid_eval"


def _outcomes(verdicts: list[Verdict]) -> list[tuple[bool, str | None, object]]:
    """What reaches the build: kept or not, and a rejection's reason and evidence."""
    return [(v.keep, None if v.keep else v.why, v.evidence) for v in verdicts]


def _same_outcomes(texts: list[str], declared: list[str]) -> list[Verdict]:
    fast = LanguageIDFilter().verdicts(texts, declared)
    model = LanguageIDFilter(function_words_first=False).verdicts(texts, declared)
    assert _outcomes(fast) == _outcomes(model)
    return fast


def test_labelled_sets_get_the_same_verdicts_with_and_without_the_model() -> None:
    rows = load_eval_set(EVAL_SET) + load_eval_set(HARD_SET)
    texts = [row.text for row in rows]
    fast = _same_outcomes(texts, [row.filed_as for row in rows])
    _same_outcomes(texts, [other for row in rows for other in ["es" if row.filed_as == "en" else "en"]])
    assert sum(verdict.why == "function_words_first" for verdict in fast) > len(rows) / 4


def test_vendored_real_text_gets_the_same_verdicts(realdata: Path) -> None:
    items = _real_items([(realdata, sorted(path.name for path in realdata.iterdir() if path.is_dir()))])
    texts = [item_text(item) for item in items]
    fast = _same_outcomes(texts, [item.lang for item in items])
    # filed under another language of the same script, too: the rejections must still come
    swapped = {"en": "fr", "fr": "es", "es": "en", "ru": "ru", "zh": "zh", "ja": "ja"}
    _same_outcomes(texts, [swapped[item.lang] for item in items])
    latin = [v for v, item in zip(fast, items, strict=True) if item.lang in {"en", "fr", "es"}]
    assert sum(v.why == "function_words_first" for v in latin) > len(latin) / 2


@pytest.mark.slow
def test_complete_upstream_files_get_the_same_verdicts(realdata_full: Path) -> None:
    items = _real_items([(realdata_full, ["headqa", "frenchmedmcqa", "rumedbench"])])
    assert len(items) > 10_000
    _same_outcomes([item_text(item) for item in items], [item.lang for item in items])


def test_the_model_sees_only_the_texts_it_can_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    counting = CountingDetector(FastTextDetector())
    monkeypatch.setattr("mmed_ift.filters.langid.detector", lambda backend: counting)
    english = "The patient was admitted with fever and cough for three days."
    french = "Le patient présente une fièvre élevée depuis trois jours."
    verdicts = LanguageIDFilter().verdicts([english, french, french], ["en", "fr", "en"])
    assert [v.keep for v in verdicts] == [True, True, False]
    assert [v.why for v in verdicts[:2]] == ["function_words_first", "function_words_first"]
    assert counting.texts_seen == 1  # only the French text filed as English
    LanguageIDFilter(function_words_first=False).verdicts([english, french, french], ["en", "fr", "en"])
    assert counting.texts_seen == 1 + 3


def test_one_label_is_the_first_of_five() -> None:
    """The batch call asks lid.176 for one label (the only one the filter reads): the same as the
    first of the top five, on every labelled text."""
    texts = [row.text for row in load_eval_set(EVAL_SET) + load_eval_set(HARD_SET)]
    model = FastTextDetector()
    assert model.labels(texts, k=1) == [labels[:1] for labels in model.labels(texts)]
