"""The LLM tasks as jobs: what to ask, how to check the reply, which samples it becomes.

A :class:`Job` is pure data plus an ``accept`` function, so the same job list serves a real run,
a ``--dry-run`` (count and estimate, send nothing) and tests.  ``accept`` raises
:class:`OutputError` for a reply worth retrying (malformed, wrong language, numbers changed) and
:class:`JobRejected` for a final verdict that asking again must not overturn (the model says the
style does not apply; the judge scored the sample too low).

Sample ids are ``stable_id(source, source_id, task, lang, variant)``: a resumed or repeated run
produces the same ids, so nothing is duplicated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from mmed_ift.generate import checks, typography
from mmed_ift.generate.parsing import OutputError
from mmed_ift.generate.phrasings import choose
from mmed_ift.generate.prompts import judge as judge_prompts
from mmed_ift.generate.prompts import knowledge as knowledge_prompts
from mmed_ift.generate.prompts import rationale as rationale_prompts
from mmed_ift.generate.prompts import translate as translate_prompts
from mmed_ift.generate.template import mc_prompt
from mmed_ift.languages import get_language
from mmed_ift.schemas import Item, MCQuestion, Message, Passage, Provenance, QAPair, Reject, Sample, stable_id

GENERATOR_NAME = "openai"
PROMPT_VERSIONS: dict[str, str] = {
    "rationale": rationale_prompts.VERSION,
    "knowledge": knowledge_prompts.VERSION,
    "translate": translate_prompts.VERSION,
    "judge": judge_prompts.VERSION,
}

class JobRejected(Exception):
    """A final verdict on a reply: recorded as a reject, never retried."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class Origin:
    """Where a job's samples come from, for provenance and for reject records."""

    source: str
    source_id: str
    split: str
    location: str
    lang: str
    license: str

    @classmethod
    def of(cls, item: Item) -> Origin:
        return cls(item.source, item.source_id, item.split, item.location, item.lang, item.license)

    def reject(self, reason: str, detail: str, lang: str | None = None) -> Reject:
        return Reject(
            stage="generate",
            reason=reason,
            detail=detail[:500],
            source=self.source,
            location=self.location,
            source_id=self.source_id,
            lang=lang or self.lang,
            split=self.split,
        )


@dataclass
class Job:
    """One generation request (plus its repair retries) and what to do with the reply."""

    task: str
    #: language the reply must be written in; also the language of repair turns
    lang: str
    prompt_version: str
    messages: list[dict[str, str]]
    output_model: type[BaseModel]
    #: checks a validated reply and builds samples from it; raises OutputError / JobRejected
    accept: Callable[[Any], list[Sample]]
    origin: Origin
    #: text the samples are derived from; what the judge compares them against
    source_text: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _provenance(origin: Origin, model: str, task: str, derived_from: str | None = None) -> Provenance:
    return Provenance(
        source=origin.source,
        source_id=origin.source_id,
        split=origin.split,  # type: ignore[arg-type]
        license=origin.license,
        generator=GENERATOR_NAME,
        model=model,
        prompt_version=PROMPT_VERSIONS[task],
        derived_from=derived_from,
    )


def _sample(
    origin: Origin,
    *,
    task: str,
    prompt_task: str,
    lang: str,
    variant: str,
    dataset: str,
    turns: list[tuple[str, str]],
    model: str,
    derived_from: str | None = None,
) -> Sample:
    return Sample(
        id=stable_id(origin.source, origin.source_id, task, lang, variant),
        lang=lang,
        dataset=dataset,  # type: ignore[arg-type]
        task=task,
        messages=[Message(role=role, content=content) for role, content in turns],  # type: ignore[arg-type]
        provenance=_provenance(origin, model, prompt_task, derived_from),
    )


def _truncate(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[:max_chars].rstrip() + " …"


# -- rationale ---------------------------------------------------------------------------------


def rationale_job(item: MCQuestion, model: str) -> Job:
    """Ask why the key is right and each other option wrong; the sample goes to MMed-IFT-MC."""
    language = get_language(item.lang)
    template = rationale_prompts.TEMPLATES[item.lang]
    options = "\n".join(language.format_option(key, text.strip()) for key, text in item.options.items())
    keys = language.answer_joiner.join(item.answer)
    question = item.question.strip() if not item.context else f"{item.context.strip()}\n\n{item.question.strip()}"
    messages = template.render(
        rationale_prompts.RationaleOutput,
        question=question,
        options=options,
        key_label=rationale_prompts.KEY_LABELS[item.lang],
        keys=keys,
    )
    origin = Origin.of(item)
    wrong = [key for key in item.options if key not in item.answer]
    # not the template sample's wording: one prompt, one target
    task = "mc_multi" if item.is_multi_answer else "mc"
    instruction = choose(item.lang, task, item.source, item.source_id, shift=1).text

    def accept(output: rationale_prompts.RationaleOutput) -> list[Sample]:
        if output.answer != item.answer:
            raise OutputError(
                "answer_mismatch", f"the reply names {output.answer or 'no answer'} but the key is {item.answer}"
            )
        reasons: dict[str, str] = {}
        for distractor in output.distractors:
            if distractor.option not in item.options or distractor.option in item.answer:
                raise OutputError(
                    "unknown_option", f"distractors must be the wrong options {wrong}, got {distractor.option!r}"
                )
            if distractor.why_wrong.strip():
                reasons.setdefault(distractor.option, distractor.why_wrong.strip())
        missing = [key for key in wrong if key not in reasons]
        if missing:
            raise OutputError("missing_distractors", f"no explanation for the wrong options {missing}")
        if not output.explanation.strip():
            raise OutputError("empty_output", "the explanation is empty")
        checks.check_language(output.explanation, item.lang, "the explanation")
        checks.check_language(" ".join(reasons.values()), item.lang, "the distractor explanations")
        lines = [
            language.format_answer(item.answer),
            "",
            typography.join_label(language.explanation_header, output.explanation.strip()),
            "",
            rationale_prompts.OTHER_OPTIONS_HEADER[item.lang],
            *(f"{language.format_option(key, item.options[key].strip())}: {reasons[key]}" for key in wrong),
        ]
        return [
            _sample(
                origin,
                task="rationale",
                prompt_task="rationale",
                lang=item.lang,
                variant="",
                dataset="mc",
                turns=[("user", mc_prompt(item, language, instruction)), ("assistant", "\n".join(lines))],
                model=model,
            )
        ]

    source_text = f"{question}\n{options}\n{rationale_prompts.KEY_LABELS[item.lang]}: {keys}"
    return Job("rationale", item.lang, rationale_prompts.VERSION, messages, rationale_prompts.RationaleOutput,
               accept, origin, source_text)  # fmt: skip


# -- knowledge ---------------------------------------------------------------------------------


def knowledge_source(item: QAPair | Passage, max_chars: int) -> str:
    """The source text a knowledge sample is written from."""
    if isinstance(item, QAPair):
        parts = [item.context.strip()] if item.context else []
        parts += [item.question.strip(), item.answer.strip()]
        return _truncate("\n\n".join(parts), max_chars)
    # a Wikipedia passage is one section: the model writes from that section, under its heading
    heading = f"{item.title.strip()} - {item.section.strip()}" if item.section else item.title.strip()
    return _truncate(f"{heading}\n\n{item.text.strip()}", max_chars)


def knowledge_job(
    item: QAPair | Passage, style: str, model: str, max_chars: int = 6000
) -> Job:
    """One instruction sample of one style written from a QA pair or passage (MMed-IFT)."""
    if style not in knowledge_prompts.STYLES:
        raise ValueError(f"unknown knowledge style {style!r}; choose from {', '.join(knowledge_prompts.STYLES)}")
    source = knowledge_source(item, max_chars)
    template = knowledge_prompts.TEMPLATES[item.lang][style]
    messages = template.render(knowledge_prompts.KnowledgeOutput, style=style, source=source)
    origin = Origin.of(item)
    task = f"knowledge_{style}"

    def accept(output: knowledge_prompts.KnowledgeOutput) -> list[Sample]:
        if not output.applicable:
            raise JobRejected("not_applicable", f"the model found the source unsuited to {style}")
        instruction, response = output.instruction.strip(), output.response.strip()
        if not instruction or not response:
            raise OutputError("empty_output", "instruction and response must both be non-empty")
        checks.check_language(response, item.lang, "the response")
        checks.check_language(instruction, item.lang, "the instruction")
        checks.check_no_invented_quantities(source, f"{instruction}\n{response}")
        return [
            _sample(
                origin,
                task=task,
                prompt_task="knowledge",
                lang=item.lang,
                variant=style,
                dataset="ift",
                turns=[("user", instruction), ("assistant", response)],
                model=model,
            )
        ]

    job = Job("knowledge", item.lang, knowledge_prompts.VERSION, messages, knowledge_prompts.KnowledgeOutput,
              accept, origin, source)  # fmt: skip
    job.extra["style"] = style
    return job


def planned_sample(job: Job, model: str) -> Sample:
    """The row a rationale or knowledge job writes when its request succeeds: the id, dataset, task
    and provenance it will have, with the job's source text standing in for the reply.  ``--plan``
    composes these before anything is sent, so the rows it selects are the build's (ids rank rows)."""
    if job.task not in ("rationale", "knowledge"):
        raise ValueError(f"only rationale and knowledge jobs write rows of their own, not {job.task!r}")
    style = job.extra.get("style", "")
    knowledge = job.task == "knowledge"
    return _sample(
        job.origin,
        task=f"knowledge_{style}" if knowledge else "rationale",
        prompt_task=job.task,
        lang=job.lang,
        variant=style if knowledge else "",
        dataset="ift" if knowledge else "mc",
        turns=[("user", job.source_text[:200]), ("assistant", job.source_text)],
        model=model,
    )


# -- translate ---------------------------------------------------------------------------------


def translate_job(sample: Sample, target: str, model: str) -> Job:
    """A sample in another language, numbers and units checked against it; the translation's
    ``provenance.derived_from`` names the sample, and its source and source_id are the sample's
    (an item and its translations are one family).

    MC samples (MMed-IFT-MC) are translatable too: every option line must keep its key, and the
    answer line is rewritten in the target language's format from the source's keys (the
    evaluator parses that line; the model is not trusted to keep its exact wording)."""
    template = translate_prompts.template_for(sample.lang, target)
    turns = [message.content for message in sample.messages]
    roles = [message.role for message in sample.messages]
    messages = template.render(translate_prompts.TranslateOutput, turns=json.dumps(turns, ensure_ascii=False, indent=1))
    provenance = sample.provenance
    origin = Origin(provenance.source, provenance.source_id, provenance.split, "", sample.lang, provenance.license)
    task = f"translate_{sample.task}"
    answer_keys = _answer_keys(sample) if sample.dataset == "mc" else None

    def accept(output: translate_prompts.TranslateOutput) -> list[Sample]:
        if sample.dataset == "mc" and not answer_keys:
            raise JobRejected("no_answer_line", f"MC sample {sample.id} does not start its answer with an answer line")
        if len(output.turns) != len(turns):
            raise OutputError("turn_count_mismatch", f"expected {len(turns)} turns, got {len(output.turns)}")
        translated = [turn.strip() for turn in output.turns]
        for index, (source_turn, translated_turn) in enumerate(zip(turns, translated, strict=True)):
            if not translated_turn:
                raise OutputError("empty_output", f"turn {index} is empty")
            checks.check_language(translated_turn, target, f"turn {index}")
            checks.check_numbers_kept(source_turn, translated_turn)
            _check_option_keys(source_turn, translated_turn, index)
        if answer_keys:
            rest = translated[-1].split("\n", 1)[1:]
            translated[-1] = "\n".join([get_language(target).format_answer(answer_keys), *rest])
        made = _sample(
            origin,
            task=task,
            prompt_task="translate",
            lang=target,
            variant=sample.id,
            dataset=sample.dataset,
            turns=list(zip(roles, translated, strict=True)),
            model=model,
            derived_from=sample.id,
        )
        return [made]

    job = Job("translate", target, translate_prompts.VERSION, messages, translate_prompts.TranslateOutput, accept,
              origin, "\n\n".join(turns))  # fmt: skip
    job.extra["source_sample"] = sample.id
    return job


_OPTION_KEY = re.compile(r"^([A-H])\. ", re.MULTILINE)


def _answer_keys(sample: Sample) -> list[str]:
    """The keys on the first line of an MC sample's answer (the source language's answer line)."""
    first_line = sample.messages[-1].content.split("\n", 1)[0]
    found = get_language(sample.lang).answer_pattern.search(first_line)
    return re.findall(r"[A-H]", found.group("keys")) if found else []


def _check_option_keys(source_turn: str, translated_turn: str, index: int) -> None:
    """Option lines (``A. ...``) keep their keys, in order."""
    want, got = _OPTION_KEY.findall(source_turn), _OPTION_KEY.findall(translated_turn)
    if want != got:
        raise OutputError("options_changed", f"turn {index}: option keys {got} instead of {want}")


# -- judge -------------------------------------------------------------------------------------


def judge_job(sample: Sample, source_text: str, origin: Origin, threshold: int) -> Job:
    """Rate one generated sample against its source; under ``threshold`` it is rejected."""
    shown = "\n\n".join(f"[{message.role}]\n{message.content}" for message in sample.messages)
    messages = judge_prompts.TEMPLATE.render(
        judge_prompts.JudgeOutput, source=source_text, sample=shown, language=get_language(sample.lang).name
    )

    def accept(output: judge_prompts.JudgeOutput) -> list[Sample]:
        if output.score < threshold:
            raise JobRejected(
                "low_score", f"{sample.task} {sample.id}: score {output.score} < {threshold}: {output.reason.strip()}"
            )
        return [sample]

    judged = Origin(origin.source, origin.source_id, origin.split, origin.location, sample.lang, origin.license)
    job = Job("judge", "en", judge_prompts.VERSION, messages, judge_prompts.JudgeOutput, accept, judged, source_text)
    job.extra["judged_sample"] = sample.id
    return job


def english_ift_samples(samples: list[Sample]) -> list[Sample]:
    """What ``--translate-to`` translates: English MMed-IFT samples (MC samples only fill a
    composition's gaps: the MC datasets have native exams)."""
    return [sample for sample in samples if sample.lang == "en" and sample.dataset == "ift"]
