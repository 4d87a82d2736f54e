"""``plain_mc`` (an ``MCQuestion`` made without validation) gives exactly the item validation
gives, and only where validation passes: any record it is unsure of goes to pydantic, so every
error message stays the same."""

from __future__ import annotations

from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mmed_ift.schemas import MCQuestion
from mmed_ift.sources import _fast_items
from mmed_ift.sources._fast_items import plain_mc, same_item


class _Str(str):
    """A str subclass: validation may turn it into a plain str, so the fast path leaves it."""


_LETTERS = st.sampled_from(["A", "B", "C", "D", "E"])
_TEXT = st.sampled_from(["Which drug?", "x", "¿Cuál?", "Quel est le diagnostic ?", " x "])
#: records validation accepts: options keyed by letters, the answer among them
_VALID = st.dictionaries(_LETTERS, _TEXT, min_size=2, max_size=5).flatmap(
    lambda options: st.fixed_dictionaries(
        {
            "source": st.just("medqa"), "source_id": _TEXT, "lang": st.sampled_from(["en", "fr", "es", "zh"]),
            "split": st.sampled_from(["train", "validation", "test"]), "question": _TEXT,
            "options": st.just(options), "answer": st.lists(st.sampled_from(sorted(options)), min_size=1, unique=True),
        },
        optional={
            "location": st.just("f.jsonl:1"), "license": st.just("MIT"), "patient_dialogue": st.booleans(),
            "rationale": st.sampled_from(["why", "", " \n", None]), "context": st.sampled_from(["ctx", "", None]),
            "exam": st.sampled_from(["MedQA", None]), "subject": st.just("s"), "year": st.just("2013"),
        },
    )
)  # fmt: skip
#: one field made what validation refuses, coerces or changes
_CHANGES = st.sampled_from(
    [
        {"question": ""}, {"question": " \t"}, {"question": "\u3000"}, {"question": _Str("q")}, {"question": 3},
        {"source": " "}, {"source": _Str("medqa")}, {"source_id": ""}, {"source_id": 7}, {"lang": "de"},
        {"lang": "EN"}, {"split": "dev"}, {"split": None}, {"location": 3}, {"license": None},
        {"patient_dialogue": 0}, {"patient_dialogue": "yes"}, {"kind": "mc"}, {"kind": "qa"}, {"title": "x"},
        {"options": {"A": "x"}}, {"options": {"A": "x", "b": "y"}}, {"options": {"A": "x", "I": "y"}},
        {"options": {"A": "x", "B": ""}}, {"options": {"A": "x", "B": 2}}, {"options": {"A": "x", 1: "y"}},
        {"options": {"A": "x", _Str("B"): "y"}}, {"options": [("A", "x"), ("B", "y")]}, {"options": None},
        {"answer": []}, {"answer": ["A", "A"]}, {"answer": ["Z"]}, {"answer": "A"}, {"answer": ("A",)},
        {"answer": [1]}, {"answer": [_Str("A")]}, {"rationale": 3}, {"context": ["x"]}, {"exam": 2013},
        {"year": 2013}, {"subject": _Str("s")}, {"rationale": _Str("r")},
        {"answer": [["A"]]}, {"answer": ["A", _Str("A")]}, {"answer": ["A", None]},
        {"options": {"A": "x", "B": "\u2003"}}, {"options": {"A": "x", "B": "\x1c"}},
        {"options": {"B": "y", "A": "x", "C": " z"}}, {"options": {"H": "y", "A": "x"}},
    ]
)  # fmt: skip
_FIELDS = st.builds(lambda base, changes: {**base, **{k: v for c in changes for k, v in c.items()}},
                    _VALID, st.lists(_CHANGES, max_size=2))  # fmt: skip


def _validated(fields: dict[str, Any]) -> MCQuestion | None:
    try:
        return MCQuestion(**fields)
    except ValidationError:
        return None


@settings(max_examples=1500, deadline=None)
@given(_FIELDS)
def test_the_fast_item_is_the_validated_item(fields: dict[str, Any]) -> None:
    made = plain_mc(dict(fields))
    validated = _validated(fields)
    if made is not None:
        assert validated is not None and same_item(made, validated)
    elif validated is not None:
        event("left to validation")


def test_a_plain_record_takes_the_fast_path() -> None:
    assert _fast_items._ENABLED
    fields = {
        "source": "headqa", "source_id": "es/1/2", "lang": "es", "split": "test", "question": "¿Cuál?",
        "options": {"B": "dos", "A": "uno", "C": "tres"}, "answer": ["C", "A"], "context": "\n", "year": "2013",
    }  # fmt: skip
    made = plain_mc(fields)
    assert made is not None and same_item(made, MCQuestion(**fields))
    assert made.answer == ["A", "C"] and list(made.options) == ["A", "B", "C"] and made.context is None
    assert made.model_dump_json() == MCQuestion(**fields).model_dump_json()


def test_valid_but_unusual_records_are_left_to_validation() -> None:
    base = {"source": "s", "source_id": "1", "lang": "en", "split": "train", "question": "q",
            "options": {"A": "x", "B": "y"}, "answer": ["A"]}  # fmt: skip
    assert plain_mc(base) is not None
    for change in ({"kind": "mc"}, {"question": _Str("q")}, {"options": {"A": "x", "B": _Str("y")}}):
        fields = {**base, **change}
        assert _validated(fields) is not None and plain_mc(fields) is None


def test_options_in_order_are_copied_and_the_others_sorted() -> None:
    """The no-sort shortcut (options already keyed in order) makes the item sorting makes."""
    base = {"source": "s", "source_id": "1", "lang": "en", "split": "train", "question": "q", "answer": ["A"]}
    for keys in (("A", "B"), ("B", "A"), ("A", "C", "H"), ("H", "C", "A"), ("C", "A", "B", "D")):
        options = {key: key.lower() for key in keys}
        made = plain_mc({**base, "options": options})
        assert made is not None and same_item(made, MCQuestion(**base, options=options))
        assert list(made.options) == sorted(keys) and made.options is not options
