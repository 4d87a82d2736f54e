"""Pydantic models for everything that flows through a build.

Adapters produce :class:`MCQuestion`, :class:`QAPair` and :class:`Passage`; generators turn them
into :class:`Sample` records, which are what lands in the published datasets.  Validation lives
here, once, so that an adapter cannot emit a record the rest of the pipeline would choke on: a
``ValidationError`` from these models is turned into a reject with the record's location.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from mmed_ift.languages import LANGUAGE_CODES

#: Options are re-keyed to capital letters whatever the upstream uses (a-e, 1-4, aid ints).
#: A..E covers nearly everything; IgakuQA has a few 6- and 8-choice questions and CMB keys
#: reach F, so the schema allows up to H rather than dropping real exam questions.
OPTION_KEYS: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G", "H")
_OPTION_KEY_SET = frozenset(OPTION_KEYS)
#: each option key -> the very string of ``OPTION_KEYS`` (an equal key made elsewhere, e.g. by
#: ``"a".upper()``, is another object: code that shares keys between items maps it to this one)
OPTION_KEY_STRINGS: dict[str, str] = {key: key for key in OPTION_KEYS}

Split = Literal["train", "validation", "test"]
DatasetName = Literal["ift", "mc"]
Role = Literal["system", "user", "assistant"]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("text is empty or only whitespace")
    return value


def _known_language(value: str) -> str:
    if value not in LANGUAGE_CODES:
        raise ValueError(f"unknown language code {value!r}; expected one of {', '.join(LANGUAGE_CODES)}")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
LangField = Annotated[str, AfterValidator(_known_language)]


def stable_id(*parts: str) -> str:
    """Deterministic id from its parts: the same input gives the same id on every machine.

    The parts are joined with a separator that cannot appear in them (NUL), so ("ab", "c") and
    ("a", "bc") do not collide.
    """
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:24]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceItem(_Strict):
    """What every adapter output carries: where it came from, down to the record."""

    source: Text = Field(description="Registry name of the source adapter, e.g. 'medqa'.")
    source_id: Text = Field(description="The record's id in the upstream data (or a derived one).")
    lang: LangField = Field(description="ISO 639-1 code of the record's language.")
    split: Split = Field(description="Upstream split; 'test' items are never used for training.")
    location: str = Field(default="", description="path:line or path#key of the upstream record.")
    license: str = Field(
        default="", description="License of the source, stamped by the adapter when it reads the record."
    )
    patient_dialogue: bool = Field(
        default=False,
        description="Whether the source is patient dialogue (PII is scrubbed from it); stamped when read.",
    )


class MCQuestion(SourceItem):
    """A multiple-choice exam question, options re-keyed A.., answers as a list of keys."""

    kind: Literal["mc"] = "mc"
    question: Text
    options: dict[str, Text]
    answer: list[str] = Field(description="Correct option keys, sorted; several for multi-answer.")
    rationale: str | None = None
    context: str | None = Field(default=None, description="Passage the question is about, if any.")
    exam: str | None = None
    subject: str | None = None
    year: str | None = None

    @field_validator("options")
    @classmethod
    def _option_keys(cls, options: dict[str, str]) -> dict[str, str]:
        # a set check in C first: the list of unknown keys is only built for the error
        if not _OPTION_KEY_SET.issuperset(options):
            unknown = [key for key in options if key not in OPTION_KEYS]
            raise ValueError(
                f"option keys {unknown} are not among {'/'.join(OPTION_KEYS)};"
                " re-key upstream options (a-e, 1-4, ints) to capital letters"
            )
        if len(options) < 2:
            raise ValueError(f"a multiple-choice question needs at least 2 options, got {len(options)}")
        return dict(sorted(options.items()))

    @field_validator("answer")
    @classmethod
    def _answer_sorted_unique(cls, answer: list[str]) -> list[str]:
        if len(set(answer)) != len(answer):
            raise ValueError(f"answer {answer} repeats a key")
        return sorted(answer)

    @field_validator("rationale", "context")
    @classmethod
    def _blank_to_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @model_validator(mode="after")
    def _answer_among_options(self) -> MCQuestion:
        if not self.answer:
            raise ValueError("answer is empty; an MC question needs at least one correct key")
        missing = [key for key in self.answer if key not in self.options]
        if missing:
            raise ValueError(f"answer {missing} is not among the options {sorted(self.options)}")
        return self

    @property
    def is_multi_answer(self) -> bool:
        return len(self.answer) > 1


class QAPair(SourceItem):
    """An open question with a free-text answer (consumer health QA, case questions)."""

    kind: Literal["qa"] = "qa"
    question: Text
    answer: Text
    context: str | None = None
    title: str | None = None
    qtype: str | None = None


class Passage(SourceItem):
    """A piece of medical text to turn into knowledge instructions."""

    kind: Literal["passage"] = "passage"
    title: Text
    text: Text
    section: str | None = Field(
        default=None,
        description="Heading of the article section the text is ('' for the lead); None: a whole text.",
    )


Item = MCQuestion | QAPair | Passage


class Message(_Strict):
    role: Role
    content: Text


class Provenance(_Strict):
    """Enough to trace a sample back to its upstream record and regenerate it."""

    source: Text
    source_id: Text
    split: Split
    license: Text
    generator: Text = Field(description="'template' or 'openai'.")
    model: str | None = Field(default=None, description="Model that wrote the sample, if any.")
    prompt_version: Text
    template_id: str | None = Field(
        default=None,
        description="Which instruction wording the template generator chose ('task/lang/index'), if it chose one.",
    )
    derived_from: str | None = Field(
        default=None,
        description=(
            "Id of the sample this one was translated from (same source and source_id: one family), if it is a"
            " translation."
        ),
    )


class Sample(_Strict):
    """One published training record: a chat conversation plus its provenance."""

    id: Text
    lang: LangField
    dataset: DatasetName
    task: Text
    messages: list[Message]
    provenance: Provenance

    @field_validator("messages")
    @classmethod
    def _conversation_shape(cls, messages: list[Message]) -> list[Message]:
        if len(messages) < 2:
            raise ValueError("a sample needs at least a user and an assistant message")
        if messages[-1].role != "assistant":
            raise ValueError("the last message of a sample must be the assistant's answer")
        if not any(message.role == "user" for message in messages):
            raise ValueError("a sample needs a user message")
        return messages

    def to_row(self) -> dict[str, Any]:
        """Plain dict in the column order of the published parquet files."""
        return self.model_dump(mode="python")


class Reject(BaseModel):
    """One dropped record and why; a line of ``rejects.jsonl``."""

    model_config = ConfigDict(extra="forbid")

    stage: str = Field(description="'read', 'validate', a filter name or 'generate'.")
    reason: str = Field(description="Short machine-countable reason, e.g. 'image_required'.")
    detail: str = ""
    source: str
    location: str = ""
    source_id: str | None = None
    lang: str | None = None
    split: str | None = None


EXPORTED_MODELS: dict[str, type[BaseModel]] = {
    "MCQuestion": MCQuestion,
    "QAPair": QAPair,
    "Passage": Passage,
    "Message": Message,
    "Provenance": Provenance,
    "Sample": Sample,
    "Reject": Reject,
}
