"""Text normalisation and language-aware shingling (word n-grams vs character n-grams)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.text.normalize import normalize_text
from mmed_ift.text.shingles import ShingleBatch, Shingler

# -- normalize_text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width letters and digits (NFKC)
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana (NFKC)
        ("Hello,   World!!", "hello world"),
        ("ÉCOLE  Straße", "école strasse"),  # casefold, not just lower()
        ("  a\u00a0b\tc\n\nd  ", "a b c d"),  # every kind of whitespace collapsed and stripped
        ("x+y=z", "x y z"),  # symbols become separators
        ("Гипертония — это «болезнь».", "гипертония это болезнь"),
        ("¿Qué es la diabetes?", "qué es la diabetes"),
        ("高血压是一种常见病。", "高血压是一种常见病"),  # CJK kept, ideographic full stop dropped
        ("高血圧は、血圧が高い状態です。", "高血圧は 血圧が高い状態です"),
        ("50%的患者（成人）", "50 的患者 成人"),
        ("", ""),
        ("?!.,;:", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_variants_collapse_to_one_form() -> None:
    variants = [
        "Metformin 500 mg, twice daily.",
        "metformin 500 mg twice daily",
        "METFORMIN   500 MG; TWICE DAILY!",
        "Ｍｅｔｆｏｒｍｉｎ ５００ ｍｇ，twice daily",
    ]
    assert len({normalize_text(text) for text in variants}) == 1
    assert normalize_text(variants[0]) == "metformin 500 mg twice daily"


def test_normalize_is_idempotent() -> None:
    for text in ["ＡＢＣ  def!", "Ｓｔｒａßｅ", "高血压，是一种病。", "ｶﾀｶﾅ — ok"]:
        once = normalize_text(text)
        assert normalize_text(once) == once


# -- Shingler -----------------------------------------------------------------------------


def test_word_ngrams_for_space_delimited_languages() -> None:
    shingler = Shingler(word_n=3, char_n=3)
    texts = [
        "one two three four five",
        "un deux trois quatre cinq",
        "один два три четыре пять",
        "uno dos tres cuatro cinco",
    ]
    batch = shingler.shingle(texts, ["en", "fr", "ru", "es"])
    assert [len(batch.of(index)) for index in range(4)] == [3, 3, 3, 3]
    # the same words in the same order give the same word 3-grams, whatever the punctuation/case
    same = shingler.shingle(["One, TWO three! four five."], ["en"])
    assert np.array_equal(same.of(0), batch.of(0))
    # a word n-gram is order-sensitive
    swapped = shingler.shingle(["two one three four five"], ["en"])
    assert swapped.of(0)[0] != batch.of(0)[0]
    assert swapped.of(0)[1] != batch.of(0)[1]
    assert swapped.of(0)[2] == batch.of(0)[2]  # "three four five" is untouched


def test_character_ngrams_for_chinese_and_japanese() -> None:
    shingler = Shingler(word_n=3, char_n=3)
    batch = shingler.shingle(["高血压是一种常见病", "高血圧は血圧が高い"], ["zh", "ja"])
    # 9 characters each -> 7 character 3-grams each (no spaces to split on)
    assert [len(batch.of(0)), len(batch.of(1))] == [7, 7]
    # spaces and punctuation inside CJK text do not change the characters
    spaced = shingler.shingle(["高血压 是一种，常见病。"], ["zh"])
    assert np.array_equal(spaced.of(0), batch.of(0))
    # the same string as a space-delimited language is one "word": one shingle
    as_word = shingler.shingle(["高血压是一种常见病"], ["en"])
    assert len(as_word.of(0)) == 1


def test_units_are_words_or_code_points() -> None:
    shingler = Shingler()
    assert len(shingler.units("Hello, big World", "en")) == 3
    assert shingler.units("高 血压", "zh").tolist() == [ord("高"), ord("血"), ord("压")]
    assert len(shingler.units("¡Hola!", "es")) == 1
    assert len(shingler.units("", "fr")) == 0


def test_short_and_empty_texts() -> None:
    shingler = Shingler(word_n=3, char_n=3)
    texts = ["two words", "one", "", "?!", "高血", "高", ""]
    langs = ["en", "ru", "es", "fr", "zh", "ja", "ja"]
    batch = shingler.shingle(texts, langs)
    assert [len(batch.of(index)) for index in range(len(texts))] == [1, 1, 0, 0, 1, 1, 0]
    # the short shingle covers all units: a different short text gets a different shingle
    other = shingler.shingle(["two other"], ["en"])
    assert other.of(0)[0] != batch.of(0)[0]
    # an empty batch is fine too
    empty = shingler.shingle([], [])
    assert len(empty.hashes) == 0
    assert empty.offsets.tolist() == [0]


def test_hashes_are_deterministic_across_instances_and_batches() -> None:
    texts = ["Insulin lowers blood glucose in diabetic patients", "胰岛素降低血糖水平", "Инсулин снижает сахар"]
    langs = ["en", "zh", "ru"]
    first = Shingler().shingle(texts, langs)
    second = Shingler().shingle(texts, langs)
    assert np.array_equal(first.hashes, second.hashes)
    assert np.array_equal(first.offsets, second.offsets)
    # shingling one text alone or inside a batch with others gives the same hashes
    shingler = Shingler()
    for index, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        alone = shingler.shingle([text], [lang])
        assert np.array_equal(alone.of(0), first.of(index))
    # word hashes do not depend on the language label among the space-delimited languages
    assert (
        Shingler().shingle(["a b c"], ["en"]).hashes.tolist() == Shingler().shingle(["A, B; C"], ["es"]).hashes.tolist()
    )


def test_offsets_consistent() -> None:
    texts = ["a b c d e f", "", "高血压是一种常见病", "x", "один два три четыре"]
    langs = ["en", "fr", "zh", "es", "ru"]
    batch = Shingler(word_n=2, char_n=4).shingle(texts, langs)
    assert batch.offsets[0] == 0
    assert batch.offsets[-1] == len(batch.hashes)
    assert np.all(np.diff(batch.offsets) >= 0)
    assert [len(batch.of(index)) for index in range(len(texts))] == [5, 0, 6, 1, 3]
    assert batch.hashes.dtype == np.uint64


def test_different_n_per_language_in_one_batch() -> None:
    shingler = Shingler(word_n=4, char_n=2)
    batch = shingler.shingle(["a b c d e", "一二三四五"], ["en", "ja"])
    assert len(batch.of(0)) == 2  # 5 words, 4-grams
    assert len(batch.of(1)) == 4  # 5 characters, 2-grams


_ALPHABET = st.sampled_from(list("abc xyz,.!ÉéßАБВгд高血压病はかアイ１２ 　\n"))
_TEXTS = st.lists(st.text(alphabet=_ALPHABET, max_size=40), max_size=8)


@settings(max_examples=60, deadline=None)
@given(
    texts=_TEXTS,
    data=st.data(),
    word_n=st.integers(min_value=1, max_value=5),
    char_n=st.integers(min_value=1, max_value=5),
)
def test_shingle_count_property(texts: list[str], data: st.DataObject, word_n: int, char_n: int) -> None:
    langs = data.draw(
        st.lists(st.sampled_from(["en", "zh", "ja", "fr", "ru", "es"]), min_size=len(texts), max_size=len(texts))
    )
    shingler = Shingler(word_n=word_n, char_n=char_n)
    batch = shingler.shingle(texts, langs)
    assert len(batch.offsets) == len(texts) + 1
    assert batch.offsets[-1] == len(batch.hashes)
    for index, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        units = len(shingler.units(text, lang))
        n = char_n if lang in ("zh", "ja") else word_n
        assert len(batch.of(index)) == max(units - n + 1, min(units, 1))
        # and the hashes of a text do not depend on its neighbours
        assert np.array_equal(batch.of(index), Shingler(word_n, char_n).shingle([text], [lang]).hashes)


def test_take_and_concatenate_keep_each_texts_shingles() -> None:
    texts = ["a b c d e", "", "文字文字", "x", "one two three four five six"]
    langs = ["en", "en", "zh", "en", "fr"]
    batch = Shingler().shingle(texts, langs)
    rows = np.array([4, 1, 0, 4], dtype=np.int64)
    taken = batch.take(rows)
    assert [taken.of(index).tolist() for index in range(len(rows))] == [batch.of(row).tolist() for row in rows]
    joined = ShingleBatch.concatenate([batch, taken])
    expected = [batch.of(row).tolist() for row in [0, 1, 2, 3, 4, *rows.tolist()]]
    assert [joined.of(index).tolist() for index in range(len(joined.offsets) - 1)] == expected
    assert len(ShingleBatch.concatenate([]).offsets) == 1


@given(
    st.lists(
        st.sampled_from(
            ["", " ", "a", "Hello, big World", "fièvre élevée 40°C", "x y", "one two three four", "¡Hola!"]
        ),
        max_size=12,
    )
)
def test_word_only_batches_shingle_as_mixed_batches(texts: list[str]) -> None:
    """A batch of space-delimited texts takes polars' hashes whole (no split per text); the same
    texts in a batch with a Chinese one (units per text, joined) get the same shingles."""
    shingler = Shingler()
    langs = ["en" if index % 2 else "fr" for index in range(len(texts))]
    alone = shingler.shingle(texts, langs)
    mixed = shingler.shingle([*texts, "高血压病"], [*langs, "zh"]).take(np.arange(len(texts)))
    assert alone.offsets.tolist() == mixed.offsets.tolist()
    assert alone.hashes.tolist() == mixed.hashes.tolist()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", " ", "a", "Hello, big World", "fièvre élevée", "高血压 病", "心房細動", "x y z w"]),
            st.sampled_from(["en", "fr", "zh", "ja", "ru"]),
        ),
        max_size=12,
    )
)
def test_a_mixed_batch_units_are_each_texts_units_in_order(rows: list[tuple[str, str]]) -> None:
    """The batch's units placed at its texts' offsets are each text's own units, joined."""
    from mmed_ift.text.normalize import normalize_text

    normalized, langs = [normalize_text(text) for text, _ in rows], [lang for _, lang in rows]
    per_text = [Shingler().units(text, lang) for text, lang in rows]
    units, lengths = Shingler._flat_units(normalized, langs)
    assert lengths.tolist() == [len(one) for one in per_text]
    assert units.tolist() == [value for one in per_text for value in one.tolist()]
    assert units.dtype == np.uint64


def test_word_hashes_leave_no_utf8_copy_in_the_texts_and_hash_as_polars_strings() -> None:
    """``word_hashes_flat`` hands polars UTF-8 bytes: the memoised texts do not grow a cached
    UTF-8 copy, and the hashes are those of the same texts given as ``str``."""
    import sys

    import polars as pl

    from mmed_ift.text.shingles import _WORD_HASH_SEED, word_hashes_flat

    texts = ["".join(["épreuve ", str(index), " fièvre aiguë ", "x" * index]) for index in range(40)] + ["plain ascii"]
    sizes = [sys.getsizeof(text) for text in texts]
    hashes, lengths = word_hashes_flat(texts)
    assert [sys.getsizeof(text) for text in texts] == sizes
    words = pl.Series(texts, dtype=pl.String).str.split(" ")
    assert lengths.tolist() == words.list.len().to_list()
    assert hashes.tolist() == words.explode().hash(seed=_WORD_HASH_SEED).to_list()
