"""Rationale task: why the keyed answer of an MC question is right and the other options are not.

The model is given the key; it is asked to justify it, not to answer the question.  A reply that
names a different answer is rejected (``answer_mismatch``): a rationale arguing against the key
would teach the wrong fact.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mmed_ift.generate.prompts import PromptTemplate

TASK = "rationale"
VERSION = "rationale-v1"


class Distractor(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Distractor")

    option: str = Field(description="Key of a wrong option, e.g. 'B'.")
    why_wrong: str = Field(description="Why this option is not correct.")

    @field_validator("option", mode="before")
    @classmethod
    def _key(cls, value: Any) -> Any:
        return _option_key(value) if isinstance(value, str) else value


class RationaleOutput(BaseModel):
    """What the model returns; ``answer`` restates the key so a disagreement can be detected."""

    model_config = ConfigDict(extra="forbid", title="RationaleOutput")

    answer: list[str] = Field(description="The keyed correct option letters, e.g. ['A'].")
    explanation: str = Field(min_length=1, description="Why the keyed answer is correct.")
    distractors: list[Distractor] = Field(description="One entry per wrong option.")

    @field_validator("answer", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> Any:
        # Tolerate "A", "A, C" and ["a"] from models that ignore the schema.
        if isinstance(value, str):
            value = [part for part in re.split(r"[,、;]|\s(?=\(?[A-Ha-h][.):]?(?:\s|$))", value) if part.strip()]
        if isinstance(value, list):
            return sorted({_option_key(str(part)) for part in value if str(part).strip()})
        return value


_KEY = re.compile(r"^\s*\(?([A-Ha-h])(?:[.):\s]|$)")


def _option_key(text: str) -> str:
    """'A', 'a)', '(B)', 'A. Metformin' -> the letter; anything else is returned upper-cased, so
    a reply naming an option by its text fails the key comparison instead of matching by luck."""
    match = _KEY.match(text)
    return match.group(1).upper() if match else text.strip().upper()


#: Header before the per-option explanations in the assistant turn of a sample.
OTHER_OPTIONS_HEADER: dict[str, str] = {
    "en": "Why the other options are wrong:",
    "zh": "其他选项错误的原因：",
    "ja": "他の選択肢が誤りである理由：",
    "fr": "Pourquoi les autres réponses sont fausses :",
    "ru": "Почему остальные варианты неверны:",
    "es": "Por qué las demás opciones son incorrectas:",
}

_USER = "{question}\n\n{options}\n\n{key_label}: {keys}"

_SYSTEM: dict[str, tuple[str, str]] = {
    "en": (
        "You are a medical educator writing explanations for exam questions, in English. You are given a"
        " multiple-choice question and its keyed correct answer. Explain accurately and concisely why the"
        " keyed answer is correct, then, for every other option, why it is wrong. Never contradict the key.",
        "Keyed answer",
    ),
    "zh": (
        "你是一名医学教师，用中文为考试题撰写解析。给你一道选择题及其标准答案。请准确、简洁地说明标准答案为何正确，"
        "并对其他每个选项说明其错误原因。不要与标准答案相矛盾。",
        "标准答案",
    ),
    "ja": (
        "あなたは医学教育者で、試験問題の解説を日本語で書きます。多肢選択問題とその正解が与えられます。"
        "正解が正しい理由を正確かつ簡潔に説明し、他の各選択肢が誤りである理由も説明してください。正解と矛盾しないでください。",
        "正解",
    ),
    "fr": (
        "Vous êtes un enseignant en médecine qui rédige, en français, les explications de questions d'examen."
        " On vous donne une question à choix multiples et sa réponse officielle. Expliquez de façon exacte et"
        " concise pourquoi la réponse officielle est correcte, puis, pour chaque autre proposition, pourquoi"
        " elle est fausse. Ne contredisez jamais la réponse officielle.",
        "Réponse officielle",
    ),
    "ru": (
        "Вы преподаватель медицины и пишете на русском языке разборы экзаменационных вопросов. Вам дан вопрос с"
        " вариантами ответа и его правильный ответ. Точно и кратко объясните, почему правильный ответ верен,"
        " а затем для каждого другого варианта — почему он неверен. Никогда не противоречьте правильному ответу.",
        "Правильный ответ",
    ),
    "es": (
        "Usted es un docente de medicina que redacta, en español, explicaciones de preguntas de examen. Se le da"
        " una pregunta de opción múltiple y su respuesta correcta oficial. Explique de forma precisa y concisa"
        " por qué la respuesta oficial es correcta y, para cada una de las demás opciones, por qué es incorrecta."
        " Nunca contradiga la respuesta oficial.",
        "Respuesta oficial",
    ),
}

TEMPLATES: dict[str, PromptTemplate] = {
    lang: PromptTemplate(task=TASK, version=VERSION, lang=lang, system=system, user=_USER)
    for lang, (system, _label) in _SYSTEM.items()
}
KEY_LABELS: dict[str, str] = {lang: label for lang, (_system, label) in _SYSTEM.items()}
