"""Greetings, sign-offs and PII placeholders leave training targets; medical content stays."""

from __future__ import annotations

import pytest

from mmed_ift.generate.dialogue import drop_placeholder_sentences, strip_pleasantries
from mmed_ift.generate.template import TemplateReject, generate
from mmed_ift.schemas import QAPair

CASES = [
    (
        "en",
        "Hi, thanks for your query. A dry cough lasting three weeks can be due to asthma. Please see your doctor"
        " for spirometry. Hope this helps. Regards, Dr. Anil Kumar",
        "A dry cough lasting three weeks can be due to asthma. Please see your doctor for spirometry.",
    ),
    (
        "en",
        "Hello, Welcome to HealthcareMagic. I have gone through your query and understand your concern. Fasting"
        " readings around 180 mg/dL suggest poor control. Wishing you good health. Take care.",
        "Fasting readings around 180 mg/dL suggest poor control.",
    ),
    (
        "en",
        "Hi, thanks for reaching out, and I am glad you shared this. Low mood for two months can be depression."
        " Let me know if you have any further questions.",
        "Low mood for two months can be depression.",
    ),
    ("zh", "您好，根据您的描述，可能是慢性胃炎。建议做胃镜检查。祝您早日康复！",
     "根据您的描述，可能是慢性胃炎。建议做胃镜检查。"),
    ("zh", "你好！谢谢你的提问。血压偏高，需要复测。希望对你有帮助。", "血压偏高，需要复测。"),
    ("ja", "こんにちは。ご質問ありがとうございます。早めに耳鼻科を受診してください。お大事にしてください。",
     "早めに耳鼻科を受診してください。"),
    ("fr", "Bonjour, merci pour votre question. Une toux de trois semaines doit être explorée. Cordialement, Dr Martin",
     "Une toux de trois semaines doit être explorée."),
    ("ru", "Здравствуйте! Спасибо за вопрос. Нужно сдать общий анализ крови. С уважением, доктор Иванов.",
     "Нужно сдать общий анализ крови."),
    ("es", "Hola, gracias por su consulta. Debe acudir a urgencias. Espero que esto le ayude. Saludos, Dr. García",
     "Debe acudir a urgencias."),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_pleasantries_are_removed_at_the_edges(lang: str, text: str, expected: str) -> None:
    assert strip_pleasantries(text, lang) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Take care and seek help immediately if the weakness returns."),
        ("en", "Sudden weakness needs urgent care. Please follow up with your doctor."),
        ("en", "High blood pressure usually causes no symptoms."),
        ("zh", "建议您好好休息，多喝水。"),
        ("fr", "Consultez votre médecin traitant."),
    ],
)
def test_medical_content_and_mid_text_words_stay(lang: str, text: str) -> None:
    assert strip_pleasantries(text, lang) == text


def test_sentences_with_placeholders_are_dropped() -> None:
    text = "Burning on urination suggests an infection. Call me on [PHONE] or write to [EMAIL]. Get tested."
    assert drop_placeholder_sentences(text) == "Burning on urination suggests an infection. Get tested."
    assert drop_placeholder_sentences("建议复查。请加微信[ID]联系。") == "建议复查。"
    assert drop_placeholder_sentences("No placeholder here.") == "No placeholder here."


def _dialogue(answer: str, question: str = "Hi doctor, I have a cough. What should I do?") -> QAPair:
    return QAPair(
        source="alpaca", source_id="1", lang="en", split="train", question=question, answer=answer,
        license="Apache-2.0", patient_dialogue=True,
    )  # fmt: skip


def test_dialogue_sample_has_clean_prompt_and_target() -> None:
    answer = "Hi, thanks for your query. Try honey. Email me at [EMAIL] for more. Hope this helps."
    sample = generate(_dialogue(answer))[0]
    assert sample.messages[0].content == "I have a cough. What should I do?"
    assert sample.messages[-1].content == "Try honey."


def test_item_with_only_placeholders_or_pleasantries_is_rejected_with_a_reason() -> None:
    with pytest.raises(TemplateReject) as placeholder:
        generate(_dialogue("Call me on [PHONE]."))
    assert placeholder.value.reason == "pii_in_target"
    with pytest.raises(TemplateReject) as pleasantry:
        generate(_dialogue("Hi, thanks for your query. Hope this helps."))
    assert pleasantry.value.reason == "empty_after_cleanup"


def test_non_dialogue_sources_keep_their_text() -> None:
    item = _dialogue("Hello, this is the answer.").model_copy(update={"patient_dialogue": False})
    assert generate(item)[0].messages[-1].content == "Hello, this is the answer."


def test_the_build_stage_turns_it_into_a_counted_generate_reject() -> None:
    from mmed_ift.pipeline.stages import template_samples
    from mmed_ift.schemas import Reject

    made = template_samples(_dialogue("Call me on [PHONE]."))
    assert isinstance(made, Reject)
    assert (made.stage, made.reason, made.source_id) == ("generate", "pii_in_target", "1")
