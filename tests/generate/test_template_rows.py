"""The template generator's rows built without models equal the rows of its validated models.

The local engine stores template samples as rows made straight from their drafts
(:func:`~mmed_ift.pipeline.stages.template_rows`); every other path builds pydantic models.  These
tests hold the fast form to the slow one for every item kind and option, and for the items the
models reject.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mmed_ift.generate import typography
from mmed_ift.generate.template import TemplateOptions
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.pipeline.config import BuildConfig
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.pipeline.sample_store import SampleStore
from mmed_ift.pipeline.stages import generate_template, generate_template_rows, template_rows, template_samples
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, Sample

OPTIONS = [TemplateOptions(), TemplateOptions(system_message=True)]

PASSAGE_TEXT = (
    "Migraine\n\nMigraine is a primary headache disorder with recurrent attacks.\n"
    "Treatment\nAcute attacks are treated with NSAIDs or triptans taken early.\n"
    "Prevention.\nBeta-blockers, topiramate or CGRP antibodies reduce attack frequency."
)


def items(lang: str) -> list[Item]:
    """One item of every kind and shape the template generator words differently."""
    common = {"source": "medqa", "lang": lang, "split": "train", "license": "MIT"}
    options = {"A": "un\u00a0;", "B": "deux", "C": "trois"}
    mc = MCQuestion(source_id=f"{lang}-mc", question=" Question : quel ? ", options=options, answer=["B"], **common)
    dialogue = {**common, "source": "meddialog", "patient_dialogue": True}
    return [
        mc,
        mc.model_copy(update={"source_id": f"{lang}-multi", "answer": ["A", "C"]}),
        mc.model_copy(update={"source_id": f"{lang}-why", "rationale": "Parce que ; voilà. Mail [EMAIL] ici."}),
        mc.model_copy(update={"source_id": f"{lang}-ctx", "context": "Contexte：  long\u3000texte."}),
        QAPair(source_id=f"{lang}-qa", question="What is asthma ?", answer="A disease： of the airways.", **common),
        QAPair(source_id=f"{lang}-qac", question="Why?", answer="Because.", context="Some passage.", **common),
        QAPair(
            source_id=f"{lang}-dlg",
            question="Hello doctor, I have a cough?",
            answer="Hi. Take rest. Thanks.",
            **dialogue,
        ),
        Passage(source_id=f"{lang}-p", title="Migraine", text=PASSAGE_TEXT, **{**common, "source": "wikipedia"}),
        Passage(
            source_id=f"{lang}-pii",
            title="Migraine",
            text="Call [PHONE] now.\nTreatment\nRest in the dark.",
            **{**common, "source": "wikipedia"},
        ),
        Passage(
            source_id=f"{lang}-s",
            title="Asthma",
            text="Inhaled steroids.",
            section="Treatment",
            **{**common, "source": "wikipedia"},
        ),
        Passage(
            source_id=f"{lang}-lead", title="Asthma", text="A disease.", section="", **{**common, "source": "wikipedia"}
        ),
    ]


def rejected_items() -> list[Item]:
    """Items the models reject: an unlicensed item, a blank id a filter's copy let through, a
    target made only of PII, an answer made only of pleasantries."""
    base = QAPair(
        source="meddialog",
        source_id="1",
        lang="en",
        split="train",
        question="Q?",
        answer="A.",
        license="MIT",
        patient_dialogue=True,
    )
    return [
        base.model_copy(update={"license": ""}),
        base.model_copy(update={"source_id": "  "}),
        base.model_copy(update={"answer": "Mail me at [EMAIL]."}),
        base.model_copy(update={"answer": "Thank you!"}),
        Passage(
            source="wikipedia", source_id="2", lang="en", split="train", title="T", text="Call [PHONE].", license="MIT"
        ),
    ]


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "system"])
@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_rows_equal_the_rows_of_the_validated_models(lang: str, options: TemplateOptions) -> None:
    for item in items(lang):
        samples = template_samples(item, options)
        assert isinstance(samples, list), item
        assert template_rows(item, options) == [sample.to_row() for sample in samples], item


def test_every_task_is_covered() -> None:
    tasks = {sample.task for item in items("en") for sample in template_samples(item)}  # type: ignore[union-attr]
    assert tasks == {
        "mc_answer_text",
        "mc_rationale",
        "qa",
        "qa_context",
        "explain",
        "explain_section",
        "section_question",
        "section_explain",
    }


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "system"])
def test_an_item_the_models_reject_gives_no_rows(options: TemplateOptions) -> None:
    reasons = []
    for item in rejected_items():
        assert template_rows(item, options) is None
        reject = template_samples(item, options)
        assert isinstance(reject, Reject)
        reasons.append(reject.reason)
    assert reasons == ["invalid_sample", "invalid_sample", "pii_in_target", "empty_after_cleanup", "pii_in_target"]


def _run(
    into: SampleStore | Callable[[Sample, str], None], options: TemplateOptions
) -> tuple[BuildReport, list[Reject]]:
    """Into a store as rows, or through a callback as models."""
    corpus = [item for lang in LANGUAGE_CODES for item in items(lang)] + rejected_items()
    report = BuildReport()
    config = BuildConfig(languages=LANGUAGE_CODES, system_message=options.system_message)
    if isinstance(into, SampleStore):
        return report, generate_template_rows(corpus, report, False, config, into)
    return report, generate_template(corpus, report, False, config, into)


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "system"])
def test_the_store_path_equals_the_model_path(options: TemplateOptions) -> None:
    """``generate_template_rows`` into a store and ``generate_template`` through a callback (models): the same
    rows per group, rejects, report counts and card tallies."""
    fast, slow = SampleStore(batch_rows=3), SampleStore(batch_rows=3)
    fast_report, fast_rejects = _run(fast, options)
    slow_report, slow_rejects = _run(slow.add, options)
    assert fast_rejects == slow_rejects and len(fast_rejects) == len(rejected_items())
    assert fast_report.steps == slow_report.steps
    assert list(fast_report.steps["generate"].rejected.items()) == list(slow_report.steps["generate"].rejected.items())
    assert list(fast_report.tasks.items()) == list(slow_report.tasks.items())
    assert list(fast_report.source_tasks.items()) == list(slow_report.source_tasks.items())
    assert {k: list(v.items()) for k, v in fast.used.items()} == {k: list(v.items()) for k, v in slow.used.items()}
    assert {k: list(v.items()) for k, v in fast.composition.items()} == {
        k: list(v.items()) for k, v in slow.composition.items()
    }
    for dataset in ("ift", "mc"):
        assert fast.counts(dataset) == slow.counts(dataset)
        for lang, by_split in fast.counts(dataset).items():
            for split in by_split:
                table: pa.Table = fast.take(dataset, lang, split)
                assert table.equals(slow.take(dataset, lang, split))


_FR = re.compile(r"[\u00a0\u202f]+(?=[:;?!»])|(?<=«)[\u00a0\u202f]+")
_ZH_JA = re.compile(f"([{typography.FULL_WIDTH}])[ \u00a0\u3000]+")


@given(
    st.text(alphabet=st.sampled_from(list("ab :;?!«»\u00a0\u202f\u3000：；，。！？、x\n"))),
    st.sampled_from(LANGUAGE_CODES),
)
def test_typography_skips_only_texts_it_would_not_change(text: str, lang: str) -> None:
    """The substring pre-check of :func:`typography.apply` gives what the bare patterns give."""
    expected = _ZH_JA.sub(r"\1", text) if lang in ("zh", "ja") else _FR.sub(" ", text) if lang == "fr" else text
    assert typography.apply(text, lang) == expected


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_generating_a_chunk_at_a_time_equals_one_pass(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The local engine's :func:`generate_rows_releasing` (chunks taken out of the list, so items are
    let go of as they are used): the same rows, rejects, report and card tallies as one call."""
    from mmed_ift.pipeline import local

    monkeypatch.setattr(local, "GENERATE_CHUNK", chunk)
    corpus = [item for lang in LANGUAGE_CODES for item in items(lang)] + rejected_items()
    config = BuildConfig(languages=LANGUAGE_CODES)
    whole, chunked = SampleStore(batch_rows=3), SampleStore(batch_rows=3)
    whole_report, chunked_report = BuildReport(), BuildReport()
    whole_rejects = generate_template_rows(corpus, whole_report, False, config, whole)
    remaining = list(corpus)
    chunked_rejects = local.generate_rows_releasing(remaining, chunked_report, config, chunked)
    assert remaining == []  # every item let go of
    assert chunked_rejects == whole_rejects and whole_rejects
    assert chunked_report.to_dict() == whole_report.to_dict()
    assert list(chunked_report.tasks.items()) == list(whole_report.tasks.items())
    assert list(chunked_report.source_tasks.items()) == list(whole_report.source_tasks.items())
    assert list(chunked_report.steps["generate"].rejected.items()) == list(
        whole_report.steps["generate"].rejected.items()
    )
    assert {k: list(v.items()) for k, v in chunked.composition.items()} == {
        k: list(v.items()) for k, v in whole.composition.items()
    }
    for dataset in ("ift", "mc"):
        assert chunked.counts(dataset) == whole.counts(dataset)
        for lang, by_split in whole.counts(dataset).items():
            for split in by_split:
                assert chunked.take(dataset, lang, split).equals(whole.take(dataset, lang, split))


class _BlankStrip(str):
    """A license equal to a good one whose ``strip`` says it is blank: only its class tells it apart."""

    def strip(self, chars: str | None = None) -> str:
        return ""


def test_the_shared_fields_verdict_is_kept_only_for_plain_strings() -> None:
    """``_item_fits`` keeps its verdict on (source, license, split, lang) for plain strings only: an
    equal value of another class after a good item is checked again, as the models would."""
    good = items("en")[0]
    assert template_rows(good, TemplateOptions()) is not None
    odd = good.model_copy(update={"source_id": "en-odd", "license": _BlankStrip(good.license)})
    assert template_rows(odd, TemplateOptions()) is None
    assert template_rows(good.model_copy(update={"source_id": "en-blank", "license": " "}), TemplateOptions()) is None


def test_the_mc_prompt_is_the_one_format_option_words() -> None:
    """``mc_prompt`` writes the option lines itself for a plain ``Language``: the same text as
    ``format_option`` (with and without a context)."""
    from mmed_ift.generate.template import mc_prompt
    from mmed_ift.languages import get_language

    for lang in LANGUAGE_CODES:
        language = get_language(lang)
        for item in items(lang)[:4]:
            assert isinstance(item, MCQuestion)
            parts = ["Pick.", ""] + ([item.context.strip(), ""] if item.context else [])
            parts += [item.question.strip(), *(language.format_option(k, t.strip()) for k, t in item.options.items())]
            assert mc_prompt(item, language, "Pick.") == "\n".join(parts)


def test_the_option_lines_follow_a_language_that_words_them_its_own_way() -> None:
    """``mc_prompt`` and the MC target write the option lines themselves only for a plain
    ``Language``: one whose ``format_option`` differs is asked for each line."""
    from dataclasses import dataclass

    from mmed_ift.generate.template import _option_lines, mc_prompt
    from mmed_ift.languages import Language, get_language

    @dataclass(frozen=True)
    class Bracketed(Language):
        def format_option(self, key: str, text: str) -> str:
            return f"({key}) {text}"

    english = get_language("en")
    bracketed = Bracketed(**{name: getattr(english, name) for name in english.__dataclass_fields__})
    item = items("en")[0]
    assert isinstance(item, MCQuestion)
    assert mc_prompt(item, bracketed, "Pick.").endswith("\n(A) un\u00a0;\n(B) deux\n(C) trois")
    assert _option_lines(english, [("B", " deux ")]) == ["B. deux"]
    assert _option_lines(bracketed, [("B", " deux "), ("B", "deux")]) == ["(B) deux", "(B) deux"]


def test_the_cycle_collector_stays_paused_across_the_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`generate_rows_releasing` keeps the collector paused between its chunks (re-enabled
    there, it fired passes over the pending rows and the items to go), and restores it after."""
    import gc

    from mmed_ift.pipeline import local

    seen: list[bool] = []
    generate = local.generate_template_rows

    def watched(*args: object, **kwargs: object) -> list[Reject]:
        seen.append(gc.isenabled())
        return generate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(local, "GENERATE_CHUNK", 2)
    monkeypatch.setattr(local, "generate_template_rows", watched)
    assert gc.isenabled()
    local.generate_rows_releasing(items("en"), BuildReport(), BuildConfig(languages=LANGUAGE_CODES), SampleStore())
    assert len(seen) > 2 and not any(seen)
    assert gc.isenabled()
