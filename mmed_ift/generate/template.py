"""Offline, deterministic generator: source items become chat samples by fixed templates.

This is the default generator because it needs no model and gives byte-identical output on
every run.  Every MC item becomes two samples so the model learns both the bare answer form (what
the evaluator parses) and the answer with its justification:

* ``mc_answer``: the answer line only, in the language's fixed form (``Answer: B``);
* ``mc_rationale`` when the item has a rationale (answer line + explanation), otherwise
  ``mc_answer_text`` (answer line + the text of the correct options).

QA pairs become ``qa`` (or ``qa_context`` when they come with a passage) samples and passages an
``explain`` sample whose instruction names the passage title.
"""

from __future__ import annotations

from mmed_ift.languages import Language, get_language
from mmed_ift.schemas import Item, MCQuestion, Message, Passage, Provenance, QAPair, Sample, stable_id

GENERATOR_NAME = "template"
PROMPT_VERSION = "template-v1"



def mc_prompt(item: MCQuestion, language: Language) -> str:
    """The user turn of an MC sample; the evaluator builds its prompts with this too."""
    instruction = language.mc_instruction_multi if item.is_multi_answer else language.mc_instruction
    parts = [instruction, ""]
    if item.context:
        parts += [item.context.strip(), ""]
    parts.append(item.question.strip())
    parts += [language.format_option(key, text.strip()) for key, text in item.options.items()]
    return "\n".join(parts)


def _sample(item: Item, task: str, user: str, assistant: str, dataset: str) -> Sample:
    return Sample(
        id=stable_id(item.source, item.source_id, task),
        lang=item.lang,
        dataset=dataset,  # type: ignore[arg-type]
        task=task,
        messages=[Message(role="user", content=user), Message(role="assistant", content=assistant)],
        provenance=Provenance(
            source=item.source,
            source_id=item.source_id,
            split=item.split,
            license=item.license,
            generator=GENERATOR_NAME,
            model=None,
            prompt_version=PROMPT_VERSION,
        ),
    )


def mc_samples(item: MCQuestion) -> list[Sample]:
    language = get_language(item.lang)
    prompt = mc_prompt(item, language)
    answer = language.format_answer(item.answer)
    if item.rationale:
        second_task = "mc_rationale"
        second = f"{answer}\n\n{language.explanation_header} {item.rationale.strip()}"
    else:
        second_task = "mc_answer_text"
        lines = [language.format_option(key, item.options[key].strip()) for key in item.answer]
        second = "\n".join([answer, *lines])
    return [
        _sample(item, "mc_answer", prompt, answer, "mc"),
        _sample(item, second_task, prompt, second, "mc"),
    ]


def qa_samples(item: QAPair) -> list[Sample]:
    if item.context:
        user = f"{item.context.strip()}\n\n{item.question.strip()}"
        return [_sample(item, "qa_context", user, item.answer.strip(), "ift")]
    return [_sample(item, "qa", item.question.strip(), item.answer.strip(), "ift")]


def passage_samples(item: Passage) -> list[Sample]:
    language = get_language(item.lang)
    user = language.knowledge_prompts["explain"].format(title=item.title.strip())
    return [_sample(item, "explain", user, item.text.strip(), "ift")]


def generate(item: Item) -> list[Sample]:
    """All template samples for one item (MC items go to MMed-IFT-MC, the rest to MMed-IFT)."""
    if isinstance(item, MCQuestion):
        return mc_samples(item)
    if isinstance(item, QAPair):
        return qa_samples(item)
    return passage_samples(item)
