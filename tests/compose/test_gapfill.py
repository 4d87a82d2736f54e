"""Which rows gap-filling translates: seeded, order-independent, one family per language at most,
training rows only (``mmed_ift.compose.gapfill``)."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.compose.apply import Gap, plan_composition
from mmed_ift.compose.gapfill import choose_sources, fill_report, origin_languages, translation_pairs
from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.errors import BuildError
from mmed_ift.generate.llm_config import LLMConfig
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.schemas import Message, Provenance, Sample

Grouped = dict[str, dict[str, dict[str, list[Sample]]]]


def sample(
    item: str,
    lang: str = "en",
    task: str = "qa",
    dataset: str = "ift",
    split: str = "train",
    derived_from: str | None = None,
) -> Sample:
    return Sample(
        id=f"{item}-{lang}-{task}",
        lang=lang,
        dataset=dataset,  # type: ignore[arg-type]
        task=task,
        messages=[Message(role="user", content=f"question {item}"), Message(role="assistant", content="answer")],
        provenance=Provenance(
            source="src",
            source_id=item,
            split=split,
            license="MIT",
            generator="template",  # type: ignore[arg-type]
            prompt_version="v1",
            derived_from=derived_from,
        ),
    )


def grouped(*samples: Sample) -> Grouped:
    found: Grouped = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in samples:
        found[row.dataset][row.lang][row.provenance.split].append(row)
    return found


def test_choice_is_seeded_and_independent_of_row_order() -> None:
    rows = [sample(f"i{n}") for n in range(40)]
    gap = Gap("fr", "ift", "qa", 10, "en")
    first = [row.id for row in choose_sources(grouped(*rows), [gap], seed=0)[0].sources]
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    assert [row.id for row in choose_sources(grouped(*shuffled), [gap], seed=0)[0].sources] == first
    assert len(first) == 10
    other = [row.id for row in choose_sources(grouped(*rows), [gap], seed=1)[0].sources]
    assert len(other) == 10 and set(other) != set(first), "the policy seed changes the choice"


def test_an_item_goes_at_most_once_into_a_language() -> None:
    # item i1 has rows of two tasks; i2 is already in French; i3 exists only as a translation
    rows = [sample("i1"), sample("i1", task="summary"), sample("i2"), sample("i2", lang="fr")]
    rows += [sample("i3", derived_from="x"), sample("i4", task="summary")]
    gaps = [Gap("fr", "ift", "qa", 5, "en"), Gap("fr", "ift", "summary", 5, "en"), Gap("es", "ift", "qa", 5, "en")]
    choices = choose_sources(grouped(*rows), gaps, seed=0)
    chosen = {
        (choice.gap.lang, choice.gap.task): sorted(row.provenance.source_id for row in choice.sources)
        for choice in choices
    }
    french = chosen[("fr", "qa")] + chosen[("fr", "summary")]
    assert sorted(french) == ["i1", "i4"], "i1 once, i2 already French, i3 is a translation"
    assert chosen[("es", "qa")] == ["i1", "i2"], "another language may take the same items"
    assert [choice.unsourced for choice in choices] == [5 - len(choices[0].sources), 4, 3]


def test_other_languages_follow_when_the_origin_runs_out() -> None:
    rows = [sample("e1"), sample("e2"), sample("z1", lang="zh"), sample("z2", lang="zh"), sample("z3", lang="zh")]
    rows += [sample("r1", lang="ru")]
    [choice] = choose_sources(grouped(*rows), [Gap("fr", "ift", "qa", 5, "en")], seed=0)
    assert [row.lang for row in choice.sources] == ["en", "en", "zh", "zh", "zh"], "origin first, then most rows"
    assert origin_languages(choice) == {"en": 2, "zh": 3} and choice.unsourced == 0


def test_benchmark_rows_are_never_sources() -> None:
    rows = [sample("t1", split="test"), sample("v1", split="validation"), sample("k1")]
    choice = choose_sources(grouped(*rows), [Gap("ja", "ift", "qa", 3, "en")], seed=0)[0]
    assert [row.provenance.source_id for row in choice.sources] == ["k1"]
    assert choice.unsourced == 2


def test_fill_report_counts_what_was_written_and_left_unfilled() -> None:
    rows = [sample(f"i{n}") for n in range(3)]
    choices = choose_sources(grouped(*rows), [Gap("fr", "ift", "qa", 5, "en")], seed=0)
    assert len(translation_pairs(choices)) == 3 and {lang for _, lang in translation_pairs(choices)} == {"fr"}
    report = fill_report(choices, {"fr": 2}, Counter({"translate:wrong_language": 1}))
    assert report["languages"]["fr"] == {
        "must_write": 5,
        "requested": 3,
        "no_source_rows": 2,
        "written": 2,
        "unfilled": 3,
    }
    assert report["unfilled"] == 3 and report["rejected_by_reason"] == {"translate:wrong_language": 1}


def test_gaps_of_a_plan_name_the_origin_language() -> None:
    available = {("ift", "en", "src", "qa"): 100, ("ift", "fr", "src", "qa"): 5}
    composition = plan_composition(available, ["en", "fr"], CompositionPolicy(target_size=40, balance="equal"))
    assert [(gap.lang, gap.rows, gap.from_lang) for gap in composition.gaps] == [("fr", 15, "en")]


def test_translate_to_does_not_combine_with_a_composition() -> None:
    llm = LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", translate_to=("fr",))
    with pytest.raises(BuildError, match="--translate-to does not combine with --target-size"):
        BuildConfig(
            languages=("en", "fr"),
            out_dir=Path("out"),
            generator="openai",
            llm=llm,
            composition=CompositionPolicy(target_size=10),
        )
    BuildConfig(languages=("en", "fr"), out_dir=Path("out"), generator="openai", llm=llm)  # without one it is fine


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.integers(0, 15),
            st.sampled_from(["en", "zh", "fr"]),
            st.sampled_from(["qa", "sum"]),
            st.sampled_from(["train", "test"]),
        ),
        max_size=60,
    ),
    gaps=st.lists(
        st.tuples(
            st.sampled_from(["en", "zh", "fr", "ja"]),
            st.sampled_from(["qa", "sum"]),
            st.integers(1, 10),
            st.sampled_from(["en", "zh", "fr"]),
        ),
        max_size=6,
    ),
    seed=st.integers(0, 3),
)
def test_sources_are_training_rows_of_the_gap_and_families_never_repeat(
    items: list[tuple[int, str, str, str]], gaps: list[tuple[str, str, int, str]], seed: int
) -> None:
    rows = {(item, lang, task): sample(f"i{item}", lang, task, split=split) for item, lang, task, split in items}
    data = grouped(*rows.values())
    present = {(row.lang, row.provenance.source_id) for row in rows.values() if row.provenance.split == "train"}
    planned = [Gap(lang, "ift", task, n, origin) for lang, task, n, origin in gaps if lang != origin]
    choices = choose_sources(data, planned, seed)
    seen: set[tuple[str, str]] = set()
    for choice in choices:
        assert len(choice.sources) + choice.unsourced == choice.gap.rows and choice.unsourced >= 0
        for row in choice.sources:
            assert row.lang != choice.gap.lang and (row.task, row.provenance.split) == (choice.gap.task, "train")
            family = (choice.gap.lang, row.provenance.source_id)
            assert family not in seen and family not in present
            seen.add(family)
    assert choose_sources(data, planned, seed) == choices
