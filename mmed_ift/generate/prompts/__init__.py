"""Versioned prompt templates for the LLM generator, one module per task.

Each task module defines ``VERSION`` (part of every request's cache key and of every sample's
provenance: change a prompt, bump the version, and the cache and the datasets both say which
prompt wrote what), ``TEMPLATES`` (one :class:`PromptTemplate` per language) and the Pydantic
model its output is validated into.

The JSON Schema of that model is appended to the system prompt.  Servers that support structured
output get it as ``response_format`` as well; for the others it is the only description of the
format, and the tolerant parser in :mod:`mmed_ift.generate.parsing` does the rest.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

#: Told to the model under the schema, per language (the schema itself is language-neutral).
JSON_INSTRUCTION: dict[str, str] = {
    "en": "Reply with one JSON object that matches this JSON Schema, and nothing else:",
    "zh": "只输出一个符合以下 JSON Schema 的 JSON 对象，不要输出其他内容：",
    "ja": "次の JSON Schema に従う JSON オブジェクトを1つだけ出力し、それ以外は何も書かないでください：",
    "fr": "Répondez par un seul objet JSON conforme à ce JSON Schema, et rien d'autre :",
    "ru": "Ответьте одним JSON-объектом, соответствующим этой JSON Schema, и ничем больше:",
    "es": "Responda con un único objeto JSON que cumpla este JSON Schema, y nada más:",
}

#: The follow-up turn when a reply could not be used; ``{problem}`` is the parser's detail.
REPAIR_INSTRUCTION: dict[str, str] = {
    "en": "Your previous reply could not be used ({problem}). Reply again with only the corrected JSON object.",
    "zh": "你上一次的回复无法使用（{problem}）。请只输出修正后的 JSON 对象。",
    "ja": "前回の回答は使用できませんでした（{problem}）。修正した JSON オブジェクトだけを出力してください。",
    "fr": "Votre réponse précédente est inutilisable ({problem}). Répondez à nouveau avec le seul objet JSON corrigé.",
    "ru": "Ваш предыдущий ответ нельзя использовать ({problem}). Ответьте снова только исправленным JSON-объектом.",
    "es": "Su respuesta anterior no se puede usar ({problem}). Responda de nuevo solo con el objeto JSON corregido.",
}


@functools.cache
def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema sent to the server and shown to the model (computed once per model: it is
    in every request, and pydantic takes about a millisecond to build it).  Do not mutate."""
    return model.model_json_schema()


@functools.cache
def _schema_text(model: type[BaseModel]) -> str:
    """The schema as the system prompt shows it (encoded once per model, not once per prompt)."""
    return json.dumps(output_schema(model), ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class PromptTemplate:
    """A system prompt and a user-turn template (``str.format`` fields) for one task and language."""

    task: str
    version: str
    lang: str
    system: str
    user: str

    def render(self, output_model: type[BaseModel], **fields: str) -> list[dict[str, str]]:
        """Chat messages for one request: the system prompt with the output schema, the user turn."""
        schema = _schema_text(output_model)
        instruction = JSON_INSTRUCTION.get(self.lang, JSON_INSTRUCTION["en"])
        return [
            {"role": "system", "content": f"{self.system}\n\n{instruction}\n{schema}"},
            {"role": "user", "content": self.user.format(**fields)},
        ]


def repair_turns(lang: str, bad_reply: str, problem: str) -> list[dict[str, str]]:
    """The two turns appended to a request whose reply failed: the reply itself and the complaint."""
    template = REPAIR_INSTRUCTION.get(lang, REPAIR_INSTRUCTION["en"])
    return [
        {"role": "assistant", "content": bad_reply if bad_reply.strip() else "(empty)"},
        {"role": "user", "content": template.format(problem=problem)},
    ]
