"""Answer extraction over real-looking model outputs in all six languages.

Each row: language, generated text, expected keys (None = no answer can be read).  The rows mimic
what instruct models write: the trained answer line, chatty sentences, markdown, full-width
punctuation, Cyrillic look-alike letters, lower-case IgakuQA keys, multi-answer sets.
"""

from __future__ import annotations

import pytest

from mmed_ift.evaluate.extract import extract_answer
from mmed_ift.evaluate.scoring import judge_generation
from mmed_ift.languages import LANGUAGES

KEYS5 = ("A", "B", "C", "D", "E")

CASES: list[tuple[str, str, list[str] | None]] = [
    # English
    ("en", "Answer: B", ["B"]),
    ("en", "Answer: A, C", ["A", "C"]),
    ("en", "Answer: D\nD. Metformin\n\nExplanation: option A is wrong because...", ["D"]),
    ("en", "The correct answer is (C) Hypokalemia.", ["C"]),
    ("en", "**Answer: E**", ["E"]),
    ("en", "Let's think. A is unlikely, B fits the ECG. So the answer is B.", ["B"]),
    ("en", "B. Increased intracranial pressure", ["B"]),
    ("en", "(A)", ["A"]),
    ("en", "The answer is a beta blocker.", None),
    ("en", "I am not sure, it depends on the patient.", None),
    ("en", "The correct options are A and D.", ["A", "D"]),
    # Chinese
    ("zh", "答案：B", ["B"]),
    ("zh", "答案：A、C、E", ["A", "C", "E"]),
    ("zh", "答案：ACE", ["A", "C", "E"]),
    ("zh", "正确答案是D。解析：患者出现低钾血症……", ["D"]),
    ("zh", "根据题干分析，应选C。", ["C"]),
    ("zh", "答案为：Ｂ", ["B"]),
    ("zh", "这个问题需要更多信息。", None),
    # Japanese
    ("ja", "答え：C", ["C"]),
    ("ja", "答え：a、d", ["A", "D"]),
    ("ja", "正解はbです。", ["B"]),
    ("ja", "答え：Ｅ\n解説：この症例では……", ["E"]),
    ("ja", "選択肢の中で最も適切なのは不明です。", None),
    # French
    ("fr", "Réponse : B", ["B"]),
    ("fr", "Réponse : A, B, E", ["A", "B", "E"]),
    ("fr", "La bonne réponse est la C, car le paracétamol...", ["C"]),
    ("fr", "Les réponses correctes sont A et D.", ["A", "D"]),
    ("fr", "Réponse: D", ["D"]),
    ("fr", "Je ne peux pas répondre à cette question.", None),
    # Russian
    ("ru", "Ответ: A", ["A"]),
    ("ru", "Ответ: В", ["B"]),  # Cyrillic Ve typed for the Latin key B
    ("ru", "Правильный ответ — А, так как...", ["A"]),
    ("ru", "Верный вариант: C", ["C"]),
    ("ru", "Ответ: A, C", ["A", "C"]),
    ("ru", "Недостаточно данных для ответа.", None),
    # Spanish
    ("es", "Respuesta: D", ["D"]),
    ("es", "La respuesta correcta es la B.", ["B"]),
    ("es", "Respuesta: A y C", ["A", "C"]),
    ("es", "La opción correcta es E: insuficiencia renal.", ["E"]),
    ("es", "No hay suficiente información.", None),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_extracts_keys(lang: str, text: str, expected: list[str] | None) -> None:
    assert extract_answer(text, lang, KEYS5) == expected


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_reads_back_every_trained_answer_line(lang: str) -> None:
    """The contract with the MC recipe: whatever format_answer writes, extraction reads back."""
    language = LANGUAGES[lang]
    for keys in (["A"], ["B", "D"], ["A", "C", "E"]):
        written = language.format_answer(keys) + "\n" + language.explanation_header + " A is wrong; E too."
        assert extract_answer(written, lang, KEYS5) == keys


def test_keys_outside_the_options_are_not_read() -> None:
    assert extract_answer("Answer: E", "en", ("A", "B", "C", "D")) is None


def test_exact_option_text_is_read_as_its_key() -> None:
    options = {"A": "Metformin", "B": "Insulin", "C": "Aspirin"}
    assert extract_answer("insulin.", "en", tuple(options), options) == ["B"]
    assert extract_answer("insulin or aspirin", "en", tuple(options), options) is None


def test_multi_answer_needs_the_exact_set() -> None:
    assert judge_generation(["A", "C"], ["A", "C"])
    assert not judge_generation(["A"], ["A", "C"])
    assert not judge_generation(["A", "C", "D"], ["A", "C"])
    assert not judge_generation(None, ["A"])
