"""The language-ID filter's in-line path (a Latin-only text declared en/fr/es, settled without
``_by_script``) gives every text the verdict the script rules give it: the same keep/reject,
reason and evidence, with and without the function-words-first step."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters import langid
from mmed_ift.filters.base import item_text
from mmed_ift.filters.langid import LanguageIDFilter, Verdict
from mmed_ift.filters.langid_eval import load_eval_set
from tests.filters.test_langid_rules import HARD_SET, _real_items

EVAL_SET = Path(__file__).parent / "langid_eval"
_LANGS = ["en", "fr", "es", "ru", "zh", "ja", "it", "de"]


def _both_paths(
    monkeypatch: pytest.MonkeyPatch, texts: list[str], declared: list[str], words_first: bool = True
) -> tuple[list[Verdict], list[Verdict]]:
    step = LanguageIDFilter(function_words_first=words_first)
    inline = step.verdicts(texts, declared)
    with monkeypatch.context() as patch:
        patch.setattr(langid, "_LATIN_DECLARED", frozenset())  # every text through _by_script
        general = step.verdicts(texts, declared)
    return inline, general


@pytest.mark.parametrize("words_first", [True, False])
def test_labelled_sets_and_real_text_get_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch, realdata: Path, words_first: bool
) -> None:
    rows = load_eval_set(EVAL_SET) + load_eval_set(HARD_SET)
    items = _real_items([(realdata, sorted(path.name for path in realdata.iterdir() if path.is_dir()))])
    texts = [row.text for row in rows] + [item_text(item) for item in items]
    for declared in (
        [row.filed_as for row in rows] + [item.lang for item in items],
        [lang for _ in texts for lang in ["fr"]],
        [_LANGS[index % len(_LANGS)] for index in range(len(texts))],
    ):
        inline, general = _both_paths(monkeypatch, texts, declared, words_first)
        assert inline == general


_PIECES = st.sampled_from(
    ["the", "of", "la", "de", "el", "und", "il", "patient", "fièvre", "dolor", "боль", "病人", "です", "α",
     "l'homme", "  ", "\n", "\t", "12", ".", "\u00a0", "œdème", "Straße", "ﬁ", "x" * 30]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=60), st.sampled_from(["en", "fr", "es", "ru", "ja", "de"]))
def test_any_text_gets_the_same_verdict(pieces: list[str], declared: str) -> None:
    text = " ".join(pieces)
    with pytest.MonkeyPatch.context() as monkeypatch:
        inline, general = _both_paths(monkeypatch, [text], [declared])
    assert inline == general
