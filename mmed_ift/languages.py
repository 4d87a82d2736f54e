"""The six target languages and the wording templates need in each of them.

The answer line is the contract between the MC training data and the evaluator's answer
extraction: every MC sample states its answer exactly as ``answer_line.format(keys=...)``, so
``answer_pattern`` can read it back.  Change one and you must change the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

LangCode = Literal["en", "zh", "ja", "fr", "ru", "es"]
LANGUAGE_CODES: tuple[LangCode, ...] = ("en", "zh", "ja", "fr", "ru", "es")


@dataclass(frozen=True)
class Language:
    """Everything language-specific that a template, a filter or the evaluator needs."""

    code: LangCode
    name: str
    native_name: str
    script: str
    #: words are space-delimited (word shingles) or not (character shingles)
    space_delimited: bool
    mc_instruction: str
    mc_instruction_multi: str
    #: ``{keys}`` is replaced by the answer keys joined with ``answer_joiner``
    answer_line: str
    answer_joiner: str
    explanation_header: str
    #: knowledge task styles: name -> instruction template with ``{question}``/``{title}``/``{text}``
    knowledge_prompts: dict[str, str] = field(default_factory=dict)

    def format_option(self, key: str, text: str) -> str:
        """One option line; ``A. text`` reads naturally in all six languages."""
        return f"{key}. {text}"

    def format_answer(self, keys: list[str]) -> str:
        return self.answer_line.format(keys=self.answer_joiner.join(keys))

    @property
    def answer_pattern(self) -> re.Pattern[str]:
        """Regex that reads the keys back from :meth:`format_answer` output (group ``keys``)."""
        head = re.escape(self.answer_line.split("{keys}")[0])
        sep = re.escape(self.answer_joiner.strip()) or ","
        return re.compile(head + r"\s*(?P<keys>[A-H](?:\s*" + sep + r"\s*[A-H])*)")


LANGUAGES: dict[str, Language] = {
    "en": Language(
        code="en",
        name="English",
        native_name="English",
        script="Latn",
        space_delimited=True,
        mc_instruction="Answer the following multiple-choice question. Choose the single best option.",
        mc_instruction_multi=(
            "Answer the following multiple-choice question. More than one option may be correct;"
            " choose all correct options."
        ),
        answer_line="Answer: {keys}",
        answer_joiner=", ",
        explanation_header="Explanation:",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "Explain the following medical topic clearly and accurately: {title}",
            "patient_summary": ("Summarize the following medical text in plain language for a patient.\n\n{text}"),
            "key_points": "List the key medical facts stated in the following text.\n\n{text}",
        },
    ),
    "zh": Language(
        code="zh",
        name="Chinese",
        native_name="中文",
        script="Hans",
        space_delimited=False,
        mc_instruction="请回答下面的单项选择题，选出最佳答案。",
        mc_instruction_multi="请回答下面的选择题，可能有多个正确选项，请选出所有正确答案。",
        answer_line="答案：{keys}",
        answer_joiner="、",
        explanation_header="解析：",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "请准确、清楚地解释以下医学主题：{title}",
            "patient_summary": "请用通俗易懂的语言，为患者总结以下医学内容。\n\n{text}",
            "key_points": "请列出以下文字中的主要医学要点。\n\n{text}",
        },
    ),
    "ja": Language(
        code="ja",
        name="Japanese",
        native_name="日本語",
        script="Jpan",
        space_delimited=False,
        mc_instruction="次の多肢選択問題に答えてください。最も適切な選択肢を1つ選んでください。",
        mc_instruction_multi=(
            "次の多肢選択問題に答えてください。正解は複数の場合があります。正しい選択肢をすべて選んでください。"
        ),
        answer_line="答え：{keys}",
        answer_joiner="、",
        explanation_header="解説：",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "次の医学的なテーマについて、正確かつわかりやすく説明してください：{title}",
            "patient_summary": "次の医学的な文章を、患者さん向けにわかりやすく要約してください。\n\n{text}",
            "key_points": "次の文章に書かれている医学的な要点を挙げてください。\n\n{text}",
        },
    ),
    "fr": Language(
        code="fr",
        name="French",
        native_name="Français",
        script="Latn",
        space_delimited=True,
        mc_instruction="Répondez à la question à choix multiples suivante. Choisissez la meilleure réponse.",
        mc_instruction_multi=(
            "Répondez à la question à choix multiples suivante. Plusieurs réponses peuvent être"
            " correctes ; choisissez toutes les bonnes réponses."
        ),
        answer_line="Réponse : {keys}",
        answer_joiner=", ",
        explanation_header="Explication :",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "Expliquez clairement et précisément le sujet médical suivant : {title}",
            "patient_summary": ("Résumez le texte médical suivant en langage simple pour un patient.\n\n{text}"),
            "key_points": "Énumérez les faits médicaux essentiels du texte suivant.\n\n{text}",
        },
    ),
    "ru": Language(
        code="ru",
        name="Russian",
        native_name="Русский",
        script="Cyrl",
        space_delimited=True,
        mc_instruction="Ответьте на следующий вопрос с вариантами ответа. Выберите один лучший вариант.",
        mc_instruction_multi=(
            "Ответьте на следующий вопрос с вариантами ответа. Верных вариантов может быть"
            " несколько; выберите все верные."
        ),
        answer_line="Ответ: {keys}",
        answer_joiner=", ",
        explanation_header="Объяснение:",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "Объясните понятно и точно следующую медицинскую тему: {title}",
            "patient_summary": ("Кратко изложите следующий медицинский текст простым языком для пациента.\n\n{text}"),
            "key_points": "Перечислите основные медицинские факты из следующего текста.\n\n{text}",
        },
    ),
    "es": Language(
        code="es",
        name="Spanish",
        native_name="Español",
        script="Latn",
        space_delimited=True,
        mc_instruction=("Responda a la siguiente pregunta de opción múltiple. Elija la mejor respuesta."),
        mc_instruction_multi=(
            "Responda a la siguiente pregunta de opción múltiple. Puede haber varias respuestas"
            " correctas; elija todas las correctas."
        ),
        answer_line="Respuesta: {keys}",
        answer_joiner=", ",
        explanation_header="Explicación:",
        knowledge_prompts={
            "answer": "{question}",
            "explain": "Explique de forma clara y precisa el siguiente tema médico: {title}",
            "patient_summary": ("Resuma el siguiente texto médico en un lenguaje sencillo para un paciente.\n\n{text}"),
            "key_points": "Enumere los datos médicos clave del siguiente texto.\n\n{text}",
        },
    ),
}


def get_language(code: str) -> Language:
    """Look up a language, with an error that lists the valid codes."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise ValueError(f"unknown language code {code!r}; expected one of {', '.join(LANGUAGE_CODES)}") from None
