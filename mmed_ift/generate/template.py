"""Offline, deterministic generator: source items become chat samples by fixed templates.

This is the default generator because it needs no model and gives byte-identical output on
every run.  One item gives one sample per prompt - never two targets for the same prompt, which
would teach a model that identical inputs have conflicting answers:

* an MC item gives one sample whose target starts with the answer line in the language's fixed,
  parseable form (``Answer: B``) followed by the rationale (``mc_rationale``) when the item has
  one, otherwise by the text of the correct options (``mc_answer_text``);
* a QA pair gives ``qa`` (or ``qa_context`` with its passage), the answer cleaned of dialogue
  pleasantries when the source is patient dialogue;
* a passage gives ``explain`` for its lead and ``explain_section`` for each section under a
  heading; the title is never repeated at the start of the answer.

Instructions are chosen among several wordings per task and language
(:mod:`mmed_ift.generate.phrasings`), recorded in ``provenance.template_id``.  A target loses
every sentence holding a PII placeholder; an item left with no target is rejected
(:class:`TemplateReject`, counted under stage ``generate``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, get_args

from mmed_ift.generate import typography
from mmed_ift.generate.dialogue import drop_placeholder_sentences, strip_pleasantries
from mmed_ift.generate.passages import split_sections
from mmed_ift.generate.phrasings import SYSTEM_MESSAGES, Phrasing, choose
from mmed_ift.languages import LANGUAGE_CODES, Language, get_language
from mmed_ift.schemas import (
    DatasetName,
    Item,
    MCQuestion,
    Message,
    Passage,
    Provenance,
    QAPair,
    Sample,
    Split,
    stable_id,
)

GENERATOR_NAME = "template"
PROMPT_VERSION = "template-v2"


@dataclass(frozen=True)
class TemplateOptions:
    """What a build may change in the template samples.

    Fields:
        system_message: start every template sample with a short system turn in the row's
            language (off by default: the evaluator prompts without one, and some chat templates
            have no system role; a recipe can still add its own).
    """

    system_message: bool = False


class TemplateReject(ValueError):
    """An item that cannot give a clean target; ``reason`` is the reject code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def mc_prompt(item: MCQuestion, language: Language, instruction: str | None = None) -> str:
    """The user turn of an MC sample; the evaluator builds its prompts with this too (with the
    language's first wording, ``instruction=None``)."""
    if instruction is None:
        instruction = language.mc_instruction_multi if item.is_multi_answer else language.mc_instruction
    lines = _option_lines(language, item.options.items())
    context = item.context
    if context:
        return "\n".join([instruction, "", context.strip(), "", item.question.strip(), *lines])
    return "\n".join([instruction, "", item.question.strip(), *lines])


def _option_lines(language: Language, options: Iterable[tuple[str, str]]) -> list[str]:
    """The option lines of an MC prompt: :meth:`Language.format_option`'s words, written here for
    a plain :class:`Language` (a call per option was a tenth of the MC drafts' CPU)."""
    if language.__class__.format_option is _FORMAT_OPTION:
        return [f"{key}. {text.strip()}" for key, text in options]
    option = language.format_option
    return [option(key, text.strip()) for key, text in options]


_FORMAT_OPTION = Language.format_option


class Draft(NamedTuple):
    """One sample's content before it becomes a model (:func:`_sample`) or an Arrow row
    (:func:`sample_row`): both are built from the same drafts, so they cannot drift apart."""

    task: str
    user: str
    assistant: str
    dataset: str
    phrasing: Phrasing | None
    id_parts: tuple[str, ...] = ()


def _sample(
    item: Item,
    task: str,
    user: str,
    assistant: str,
    dataset: str,
    phrasing: Phrasing | None,
    options: TemplateOptions,
    *id_parts: str,
) -> Sample:
    lang = item.lang
    messages = [Message(role="user", content=typography.apply(user, lang))]
    if options.system_message:
        messages.insert(0, Message(role="system", content=SYSTEM_MESSAGES[lang]))
    messages.append(Message(role="assistant", content=typography.apply(assistant, lang)))
    return Sample(
        id=stable_id(item.source, item.source_id, task, *id_parts),
        lang=lang,
        dataset=dataset,  # type: ignore[arg-type]
        task=task,
        messages=messages,
        provenance=Provenance(
            source=item.source,
            source_id=item.source_id,
            split=item.split,
            license=item.license,
            generator=GENERATOR_NAME,
            model=None,
            prompt_version=PROMPT_VERSION,
            template_id=phrasing.template_id if phrasing else None,
        ),
    )


def from_draft(item: Item, draft: Draft, options: TemplateOptions) -> Sample:
    """The validated model of one draft (what the LLM generator and the composition work on)."""
    return _sample(
        item, draft.task, draft.user, draft.assistant, draft.dataset, draft.phrasing, options, *draft.id_parts
    )


_SPLITS = frozenset(get_args(Split))
_DATASETS = frozenset(get_args(DatasetName))
#: the tasks the drafts name (non-blank strings: ``_text`` holds for each)
_TASKS = frozenset({"mc_rationale", "mc_answer_text", "qa", "qa_context", "explain", "explain_section"})


def _text(value: object) -> bool:
    """Whether ``value`` passes the schema's ``Text`` (a string that is not blank)."""
    return isinstance(value, str) and bool(value.strip())


def _item_fits(item: Item) -> bool:
    """Whether the item's fields copied into a sample pass the ``Provenance``/``Sample`` checks.

    An item's own validation does not promise them all (its ``license`` may be empty, and a
    filter's ``model_copy`` does not re-validate), so :func:`sample_row` checks them itself.
    Of the fields checked only ``source_id`` differs from item to item: the verdict on the
    others is kept per (source, license, split, language), a few per build."""
    source, license, split, lang = item.source, item.license, item.split, item.lang
    if not _text(item.source_id):
        return False
    if source.__class__ is str and license.__class__ is str and split.__class__ is str and lang.__class__ is str:
        key = (source, license, split, lang)  # plain strings: equal keys, the same verdict
        fits = _SHARED_FITS.get(key)
        if fits is None:
            fits = _shared_fits(*key)
            if len(_SHARED_FITS) < 4096:
                _SHARED_FITS[key] = fits
        return fits
    return _shared_fits(source, license, split, lang)


def _shared_fits(source: object, license: object, split: object, lang: object) -> bool:
    return _text(source) and _text(license) and split in _SPLITS and lang in LANGUAGE_CODES


#: :func:`_shared_fits` by its arguments (what an item shares with the other items of its source)
_SHARED_FITS: dict[tuple[object, object, object, object], bool] = {}


def sample_row(item: Item, draft: Draft, options: TemplateOptions) -> dict[str, Any] | None:
    """The row ``from_draft(item, draft, options).to_row()`` would give, built without the
    models (a third of the generate stage's CPU went to validating what the checks below
    cover), or ``None`` where that model would fail validation: the caller then builds the
    models, whose ``ValidationError`` is the reject.  Tests prove the two forms equal."""
    task, user, assistant, dataset, phrasing, id_parts = draft
    lang = item.lang
    user = typography.apply(user, lang)
    assistant = typography.apply(assistant, lang)
    if not (
        user.__class__ is str and user.strip() and assistant.__class__ is str and assistant.strip()
        and ((task.__class__ is str and task in _TASKS) or _text(task)) and dataset in _DATASETS
    ):  # fmt: skip
        return None  # (typography.apply returns a plain str for one: anything else, the models decide)
    if not _item_fits(item):
        return None
    source, source_id = item.source, item.source_id
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    if options.system_message:
        messages.insert(0, {"role": "system", "content": SYSTEM_MESSAGES[lang]})
    return {
        "id": stable_id(source, source_id, task, *id_parts),
        "lang": lang,
        "dataset": dataset,
        "task": task,
        "messages": messages,
        "provenance": {
            "source": source,
            "source_id": source_id,
            "split": item.split,
            "license": item.license,
            "generator": GENERATOR_NAME,
            "model": None,
            "prompt_version": PROMPT_VERSION,
            "template_id": phrasing.template_id if phrasing else None,
            "derived_from": None,
        },
    }


def mc_drafts(item: MCQuestion) -> list[Draft]:
    lang, keys = item.lang, item.answer
    language = get_language(lang)
    phrasing = choose(lang, "mc_multi" if len(keys) > 1 else "mc", item.source, item.source_id)  # is_multi_answer
    prompt = mc_prompt(item, language, phrasing.text)
    answer = language.format_answer(keys)
    rationale = drop_placeholder_sentences(item.rationale.strip()) if item.rationale else ""
    if rationale:
        task = "mc_rationale"
        target = f"{answer}\n\n{typography.join_label(language.explanation_header, rationale)}"
    else:
        task = "mc_answer_text"
        options = item.options
        target = "\n".join([answer, *_option_lines(language, [(key, options[key]) for key in keys])])
    return [Draft(task, prompt, target, "mc", phrasing)]


def mc_samples(item: MCQuestion, options: TemplateOptions) -> list[Sample]:
    return [from_draft(item, draft, options) for draft in mc_drafts(item)]


def _clean_target(item: Item, text: str) -> str:
    cleaned = strip_pleasantries(text, item.lang) if item.patient_dialogue else text.strip()
    if not cleaned:
        raise TemplateReject("empty_after_cleanup", "the answer holds only greetings and sign-offs")
    cleaned = drop_placeholder_sentences(cleaned)
    if not cleaned:
        raise TemplateReject("pii_in_target", "every sentence of the answer holds a PII placeholder")
    return cleaned


def qa_drafts(item: QAPair) -> list[Draft]:
    answer = _clean_target(item, item.answer)
    question = item.question.strip()
    if item.patient_dialogue:
        question = strip_pleasantries(question, item.lang) or question
    if item.context:
        phrasing = choose(item.lang, "qa_context", item.source, item.source_id)
        user = f"{phrasing.text}\n\n{item.context.strip()}\n\n{question}"
        return [Draft("qa_context", user, answer, "ift", phrasing)]
    return [Draft("qa", question, answer, "ift", None)]


def qa_samples(item: QAPair, options: TemplateOptions) -> list[Sample]:
    return [from_draft(item, draft, options) for draft in qa_drafts(item)]


def passage_drafts(item: Passage) -> list[Draft]:
    title = item.title.strip()
    lead, sections = split_sections(item.text, title)
    drafts: list[Draft] = []
    lead = drop_placeholder_sentences(lead)
    if lead:
        phrasing = choose(item.lang, "explain", item.source, item.source_id)
        drafts.append(Draft("explain", phrasing.text.format(title=title), lead, "ift", phrasing))
    for index, (heading, body) in enumerate(sections):
        body = drop_placeholder_sentences(body)
        if not body:
            continue
        phrasing = choose(item.lang, "explain_section", item.source, item.source_id, str(index))
        user = phrasing.text.format(title=title, section=heading)
        drafts.append(Draft("explain_section", user, body, "ift", phrasing, (str(index),)))
    if not drafts:
        raise TemplateReject("pii_in_target", "every sentence of the passage holds a PII placeholder")
    return drafts


def passage_samples(item: Passage, options: TemplateOptions) -> list[Sample]:
    return [from_draft(item, draft, options) for draft in passage_drafts(item)]


def drafts(item: Item) -> list[Draft]:
    """The drafts of one item's samples (raises :class:`TemplateReject`)."""
    if isinstance(item, MCQuestion):
        return mc_drafts(item)
    if isinstance(item, QAPair):
        return qa_drafts(item)
    return passage_drafts(item)


def generate(item: Item, options: TemplateOptions | None = None) -> list[Sample]:
    """All template samples for one item (MC items go to MMed-IFT-MC, the rest to MMed-IFT)."""
    options = options or TemplateOptions()
    return [from_draft(item, draft, options) for draft in drafts(item)]
