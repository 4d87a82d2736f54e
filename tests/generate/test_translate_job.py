"""The translate task from any language, MC samples included (what gap-filling sends)."""

from __future__ import annotations

import pytest

from mmed_ift.generate.parsing import OutputError
from mmed_ift.generate.prompts import translate
from mmed_ift.generate.tasks import JobRejected, translate_job
from mmed_ift.languages import LANGUAGE_CODES, get_language
from mmed_ift.schemas import Message, Provenance, Sample

QUESTION = "患者，男，45岁，每日服用阿司匹林100 mg。最可能的诊断是？\nA. 胃溃疡\nB. 心肌梗死\nC. 肺炎\nD. 肝炎"


def mc_sample(answer: str = "答案：B\nB. 心肌梗死") -> Sample:
    return Sample(
        id="mc-zh-1",
        lang="zh",
        dataset="mc",
        task="mc_answer_text",
        messages=[Message(role="user", content=QUESTION), Message(role="assistant", content=answer)],
        provenance=Provenance(
            source="cmexam",
            source_id="42",
            split="train",
            license="CC-BY-NC-4.0",
            generator="template",
            prompt_version="template-v1",
        ),
    )


def test_every_language_pair_has_a_prompt_naming_the_source_language() -> None:
    for source in LANGUAGE_CODES:
        for target in LANGUAGE_CODES:
            if source == target:
                continue
            template = translate.template_for(source, target)
            assert template.lang == target and template.version == translate.VERSION
    assert translate.template_for("en", "ja") is translate.TEMPLATES["ja"], "English sources keep translate-v1 prompts"
    assert "Chinese" in translate.template_for("zh", "en").system
    with pytest.raises(ValueError):
        translate.template_for("fr", "fr")


def test_mc_translation_rewrites_the_answer_line_and_links_its_origin() -> None:
    sample = mc_sample()
    assert get_language("zh").answer_pattern.match(sample.messages[-1].content), "the fixture uses zh's answer line"
    job = translate_job(sample, "en", "m")
    assert "Chinese" in job.messages[0]["content"] and job.lang == "en"
    reply = translate.TranslateOutput(
        turns=[
            "A 45-year-old man takes aspirin 100 mg daily. What is the most likely diagnosis?\nA. Gastric ulcer\n"
            "B. Myocardial infarction\nC. Pneumonia\nD. Hepatitis",
            "The answer is B\nB. Myocardial infarction",
        ]
    )
    [made] = job.accept(reply)
    assert made.lang == "en" and made.dataset == "mc" and made.task == "translate_mc_answer_text"
    assert made.messages[-1].content == "Answer: B\nB. Myocardial infarction"
    assert made.provenance.derived_from == "mc-zh-1"
    assert (made.provenance.source, made.provenance.source_id) == ("cmexam", "42")


def test_mc_translation_must_keep_every_option_key() -> None:
    job = translate_job(mc_sample(), "en", "m")
    reply = translate.TranslateOutput(
        turns=[
            "A 45-year-old man takes aspirin 100 mg daily. What is the most likely diagnosis?\n1) Gastric ulcer\n"
            "2) Myocardial infarction\n3) Pneumonia\n4) Hepatitis",
            "Answer: B\nB. Myocardial infarction",
        ]
    )
    with pytest.raises(OutputError) as raised:
        job.accept(reply)
    assert raised.value.reason == "options_changed"


def test_an_mc_sample_without_an_answer_line_is_rejected_not_crashed() -> None:
    job = translate_job(mc_sample("心肌梗死"), "en", "m")
    with pytest.raises(JobRejected) as raised:
        job.accept(translate.TranslateOutput(turns=["A question\nA. a\nB. b\nC. c\nD. d", "Myocardial infarction"]))
    assert raised.value.reason == "no_answer_line"
