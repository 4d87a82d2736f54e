"""HEAD-QA's options: the shortcut for the usual answers gives exactly what the answer-by-answer
checks give, and leaves every other shape to them (so each error stays word for word the same)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceFormatError
from mmed_ift.sources.formats import JSONObject
from mmed_ift.sources.headqa import _checked_options, _plain_options, options_by_aid


class _Int(int):
    """An int subclass: the checks accept it, the shortcut leaves it to them."""


_AIDS = st.one_of(st.integers(-3, 12), st.sampled_from([True, None, "1", 1.0, _Int(2)]))
_TEXTS = st.sampled_from(["uno", "dos", " tres ", "", " ", "\u3000", "\x1c", 3, None, ["x"]])
_ANSWER = st.one_of(
    st.fixed_dictionaries({"aid": _AIDS, "atext": _TEXTS}),
    st.fixed_dictionaries({"aid": _AIDS}),
    st.fixed_dictionaries({"atext": _TEXTS}),
    st.fixed_dictionaries({"aid": _AIDS, "atext": _TEXTS}).map(lambda pairs: JSONObject(list(pairs.items()))),
    st.sampled_from(["x", 1, None, [1, "x"]]),
)
_PLAIN = st.lists(st.integers(0, 40), min_size=0, max_size=12, unique=True).map(
    lambda aids: [JSONObject([("aid", aid), ("atext", f"t{aid}")]) for aid in aids]
)


def _outcome(call: Any) -> Any:
    try:
        return call()
    except SourceFormatError as error:
        return ("error", error.location, error.problem, error.reason)


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.lists(_ANSWER, max_size=6), _PLAIN))
def test_the_shortcut_gives_what_the_checks_give(answers: list[Any]) -> None:
    fast = _outcome(lambda: options_by_aid({"answers": answers}, "f.json#e[0]"))
    checked = _outcome(lambda: _checked_options(answers, "f.json#e[0]"))
    assert fast == checked
    if not isinstance(fast, tuple) or fast[0] != "error":
        assert [list(part.items()) for part in fast] == [list(part.items()) for part in checked]


def test_usual_answers_take_the_shortcut() -> None:
    answers = [JSONObject([("aid", aid), ("atext", text)]) for aid, text in ((3, "c"), (1, "a"), (2, "b"))]
    made = _plain_options(answers)
    assert made == ({"A": "a", "B": "b", "C": "c"}, {1: "A", 2: "B", 3: "C"})
    for odd in ({"aid": True, "atext": "x"}, {"aid": 4, "atext": " "}, {"aid": 1, "atext": "d"}, "x"):
        assert _plain_options([*answers, odd]) is None
