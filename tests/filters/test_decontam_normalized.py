"""The decontamination's shortcuts through already-computed work give what computing it gives.

* ``normalized_training_segments`` takes a record's normalised stem out of the item's normalised
  text (cached by the earlier filters of a build) instead of normalising the stem again: it rests
  on ``normalize_text(a + "\\n" + b)`` being the two normalised parts joined by a space, checked
  here on arbitrary text (combining marks, full-width forms, compatibility characters, Hangul
  jamo, white space of every kind) and on whole items.
* Language versions are checked when a version asks (``VersionLinks``), not all at construction:
  the removals are those of checking every version up front, in whatever batches they come.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.base import Evidence, normalized_item_text, texts_once
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_shingles import (
    _BOUNDARY,
    join_words,
    middle_of,
    normalized_training_segments,
    sentence_ends,
)
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.text.normalize import normalize_text
from tests.filters.test_decontam import mc
from tests.filters.test_decontam_versions import BENCH, OTHER_EN, OTHER_ES, REPEAT_EN

#: characters where normalisation is least local: combining marks, compatibility and full-width
#: forms, jamo that compose, final sigma, dotted I, ligatures, punctuation, every kind of space
TRICKY = (
    "aeiouAEIOU \u0301\u0308\u0327\u0323\u05b0ﬁﬀ①½²ＡＢ？！；，。·…—–-_'\"()[]"
    "\u1100\u1161\u11a8ΣσςİıßẞǅＡ\u00a0\u2003\u3000\t\r\x0b\x0c\x1c\x85\u2028\u200b"
)
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=600, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_normalising_lines_is_joining_the_normalised_lines(parts: list[str]) -> None:
    assert normalize_text("\n".join(parts)) == join_words(normalize_text(part) for part in parts)


@settings(max_examples=300, deadline=None)
@given(texts, texts, texts)
def test_the_middle_of_a_joined_text_is_found(before: str, middle: str, after: str) -> None:
    parts = [normalize_text(text) for text in (before, middle, after)]
    assert middle_of(join_words(parts), parts[0], parts[2]) == parts[1]


def _normalized(stem: str, rest: list[str]) -> tuple[str, tuple[str, ...]]:
    return normalize_text(stem), tuple(normalize_text(text) for text in rest)


@settings(max_examples=300, deadline=None)
@given(texts.filter(str.strip), st.lists(texts.filter(str.strip), min_size=2, max_size=5), st.booleans(), st.booleans())
def test_normalised_segments_are_the_normalised_texts(
    question: str, options: list[str], cached: bool, in_order: bool
) -> None:
    # options keyed out of order: the item text lists them by key, the segments as the item holds
    # them; or in order (the MC path then reuses the options' normalised texts for the item text's)
    keys = (["A", "B", "C", "D", "E"] if in_order else ["C", "A", "E", "B", "D"])[: len(options)]
    item = MCQuestion(
        source="headqa", source_id="x", lang="es", split="train", question=question,
        options=dict(zip(keys, options, strict=True)), answer=[keys[0]],
    )  # fmt: skip
    qa = QAPair(source="medquad", source_id="y", lang="en", split="train", question=question, answer=options[0])
    passage = Passage(source="wiki", source_id="z", lang="fr", split="train", title=options[0], text=question)
    with texts_once():
        if cached:  # as in a build: an earlier filter normalised the item text
            for each in (item, qa, passage):
                normalized_item_text(each)
        assert normalized_training_segments(item).normalized == _normalized(question, list(item.options.values()))
        assert normalized_training_segments(qa).normalized == _normalized(question, [options[0]])
        assert normalized_training_segments(passage).normalized == _normalized(question, [options[0]])
    segments = normalized_training_segments(item)
    assert (segments.stem, segments.rest) == (question, tuple(item.options.values()))


def test_versions_are_checked_when_asked_with_the_removals_of_checking_all_first() -> None:
    """Whatever the batches, and for a language no parallel item has (a Spanish record whose
    release id only the English versions carry): the English repeat's hit reaches it."""
    lone_es = mc(
        "es/Cuaderno_2014_1_B/7", "Una pregunta que ningún examen hace, con sus palabras.", ["Uno.", "Dos."],
        source="headqa", split="train", lang="es",
    )  # fmt: skip
    parallel = [REPEAT_EN, OTHER_EN]
    training: list[Item] = [lone_es, OTHER_ES, REPEAT_EN, OTHER_EN]
    outcomes: list[dict[str | None, Evidence]] = []
    for batches in ([training], [[item] for item in training], [training[::-1]]):
        step = Decontaminate([BENCH], DecontamConfig(), parallel_items=parallel)
        removed: dict[str | None, Evidence] = {}
        for batch in batches:
            for rejection in step.process(batch).rejections:
                removed[rejection.reject.source_id] = rejection.evidence
        outcomes.append(removed)
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert set(outcomes[0]) == {REPEAT_EN.source_id, lone_es.source_id}
    lone = outcomes[0][lone_es.source_id]
    assert lone.shared_span.startswith(f"its en version {REPEAT_EN.source_id} repeats it")  # type: ignore[attr-defined]


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY + ".:;?!\n。？！；，,x") | st.characters(codec="utf-8"), max_size=60))
def test_sentence_ends_are_where_the_boundary_pattern_ends(text: str) -> None:
    expected = [found.end() for found in _BOUNDARY.finditer(text) if found.end() < len(text)]
    assert sentence_ends(text) == expected
