"""Judge task (optional): rate a generated sample's faithfulness to its source, 1 to 5.

The judge prompt is in English for every language: its output is a score and a reason for the
build report, not training text, and judging models are strongest when instructed in English.
A sample scoring under the threshold is rejected with the judge's reason.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mmed_ift.generate.prompts import PromptTemplate

TASK = "judge"
VERSION = "judge-v1"


class JudgeOutput(BaseModel):
    model_config = ConfigDict(extra="forbid", title="JudgeOutput")

    score: int = Field(ge=1, le=5, description="5: fully faithful to the source; 1: contradicts or invents facts.")
    reason: str = Field(description="One sentence: what is unfaithful, or why it is faithful.")


_SYSTEM = (
    "You check medical training data. Given a source and a sample generated from it (the sample may be in"
    " another language than the source), rate how faithful the sample is to the source on a scale of 1 to 5:"
    " 5 = every medical statement is supported by the source; 3 = minor unsupported details; 1 = it contradicts"
    " the source or invents facts, doses or numbers. Explain the score in one sentence."
)
_USER = "Source:\n{source}\n\nSample ({language}):\n{sample}"

TEMPLATE = PromptTemplate(task=TASK, version=VERSION, lang="en", system=_SYSTEM, user=_USER)
