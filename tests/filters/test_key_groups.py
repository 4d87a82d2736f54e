"""The local run of a key-group filter: skipping the ``ungrouped`` item types and splitting the
outcomes by comprehension change no outcome (equivalence to the plain per-item path)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.filters.base import Rejection, StepResult, split_outcomes, texts_once
from mmed_ift.filters.conflicts import ConflictingPrompts
from mmed_ift.filters.exact_dedup import ExactDedup
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair


def _mc(source_id: str, question: str = "Which drug lowers glucose?") -> MCQuestion:
    return MCQuestion(
        source="medqa", source_id=source_id, lang="en", split="train", license="MIT",
        question=question, options={"A": "Metformin", "B": "Insulin"}, answer=["A"],
    )  # fmt: skip


def _qa(source_id: str, answer: str, question: str = "What is (are) Glaucoma ?") -> QAPair:
    return QAPair(
        source="medquad", source_id=source_id, lang="en", split="train", license="CC-BY-4.0",
        question=question, answer=answer, title="Glaucoma",
    )  # fmt: skip


def _passage(source_id: str, text: str, title: str = "Asthma") -> Passage:
    return Passage(
        source="wikipedia", source_id=source_id, lang="en", split="train", license="CC-BY-SA-4.0",
        title=title, text=text,
    )  # fmt: skip


def _corpus() -> list[Item]:
    return [
        _mc("m1"), _mc("m1"), _mc("m2"),  # MC items, two with one id: still never a conflict
        _qa("q1", "Glaucoma is a group of eye diseases that damage the optic nerve."),
        _mc("m3", "What is (are) Glaucoma ?"),
        _qa("q2", "Open-angle glaucoma is the most common form."),
        _qa("q3", "Glaucoma is a group of eye diseases that damage the optic nerve."),
        _passage("p1", "Asthma is a long-term inflammatory disease of the airways of the lungs."),
        _passage("p2", "Asthma is a disease."),
        _passage("p3", "Gout is a form of inflammatory arthritis.", title="Gout"),
    ]  # fmt: skip


def _plain(step: ConflictingPrompts | ExactDedup, items: list[Item]) -> StepResult:
    """The path before the skip and the comprehensions: every item keyed, outcomes one by one."""
    groups: dict[str, list[tuple[int, Item]]] = {}
    for index, item in enumerate(items):
        groups.setdefault(step.group_key(item), []).append((index, item))
    stats = step.new_stats()
    rejected: dict[int, Rejection] = {}
    for members in groups.values():
        if len(members) > 1:
            rejected.update(step.resolve_group(members, stats))  # type: ignore[arg-type]
    result = StepResult(stats=stats)
    for index, item in enumerate(items):
        if index in rejected:
            result.rejections.append(rejected[index])
        else:
            result.kept.append(item)
    return result


def _same(left: StepResult, right: StepResult) -> bool:
    return (
        [id(item) for item in left.kept] == [id(item) for item in right.kept]
        and left.rejected == right.rejected
        and left.stats.to_dict() == right.stats.to_dict()
    )


def test_conflicts_skips_mc_keys_with_the_same_outcome() -> None:
    step = ConflictingPrompts()
    assert step.ungrouped == (MCQuestion,)
    items = _corpus()
    result = step.process(items)
    assert result.rejections, "the corpus has conflicts"
    assert _same(result, _plain(step, items))
    assert _same(step.process(items[::-1]), _plain(step, items[::-1]))


def test_exact_dedup_groups_every_kind() -> None:
    step = ExactDedup()
    items = _corpus()
    assert step.ungrouped == ()
    result = step.process(items)
    assert result.rejections and _same(result, _plain(step, items))


def test_split_outcomes_keeps_order() -> None:
    items: Sequence[Item] = _corpus()
    whole = ConflictingPrompts().process(list(items))
    by_index = {index: whole.rejections[0] for index in (7, 2)}
    split = split_outcomes(list(items), by_index, whole.stats)
    assert [id(item) for item in split.kept] == [id(item) for i, item in enumerate(items) if i not in (2, 7)]
    assert len(split.rejections) == 2
    none = split_outcomes(list(items), {}, whole.stats)
    assert none.kept == list(items) and none.kept is not items and none.rejections == []


#: a few stems that normalise alike in pairs (case, punctuation, spacing), so duplicates are common
_STEMS = ["Glaucoma damages the optic nerve.", "glaucoma DAMAGES the optic nerve", "Asthma is a disease.", "Gout?"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["mc", "qa", "passage"]), st.integers(0, 3), st.integers(0, 9)), max_size=24))
def test_exact_dedup_by_text_is_the_digest_grouping(rows: list[tuple[str, int, int]]) -> None:
    """ExactDedup.process groups by (kind, normalised text) in comprehensions; the digest keys of
    :meth:`group_key` (what a distributed engine shuffles by) must give the same outcome."""
    items: list[Item] = []
    for index, (kind, stem, rank) in enumerate(rows):
        text, source_id = _STEMS[stem], f"{rank}-{index}"
        if kind == "mc":
            items.append(_mc(source_id, text))
        elif kind == "qa":
            items.append(_qa(source_id, text, question="Glaucoma"))
        else:
            items.append(_passage(source_id, text, title="Glaucoma"))  # the QA pair's text: kinds keep them apart
    step = ExactDedup()
    with texts_once():
        assert _same(step.process(items), _plain(step, items))
    assert _same(step.process(items), _plain(step, items))
