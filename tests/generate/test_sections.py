"""Article sections become samples of two styles, worded for what the section is about."""

from __future__ import annotations

import pytest

from mmed_ift.generate.sections import QUESTIONS, prompts, section_samples
from mmed_ift.pipeline.stages import template_samples
from mmed_ift.schemas import Passage
from mmed_ift.text.wiki_sections import SECTION_KINDS


def passage(lang: str, title: str, section: str | None, text: str = "Some text of the section.") -> Passage:
    return Passage(source="wikipedia", source_id=f"{lang}/1#s1", lang=lang, split="train", title=title, text=text,
                   section=section, license="CC-BY-SA-4.0")  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "title", "section", "question"),
    [
        ("en", "Asthma", "Signs and symptoms", "What are the signs and symptoms of Asthma?"),
        ("zh", "哮喘", "症状", "哮喘有哪些症状？"),
        ("ja", "喘息", "症状", "喘息の症状を教えてください。"),
        ("fr", "Asthme", "Symptômes", "Quels sont les symptômes de : Asthme ?"),
        ("ru", "Астма", "Симптомы", "Каковы симптомы: Астма?"),
        ("es", "Asma", "Síntomas", "¿Cuáles son los síntomas de Asma?"),
        ("en", "Asthma", "Management", "How is Asthma treated?"),
        ("ja", "喘息", "疫学", "喘息はどのくらい多く、どのような人に起こりますか？"),
        ("en", "Asthma", "", "What is Asthma?"),
        ("en", "Asthma", "Society and culture", "What can you tell me about Asthma, regarding society and culture?"),
    ],
)
def test_the_question_follows_the_section(lang: str, title: str, section: str, question: str) -> None:
    assert prompts(passage(lang, title, section))["section_question"] == question


def test_every_language_words_every_kind() -> None:
    for lang, table in QUESTIONS.items():
        assert set(SECTION_KINDS) <= set(table), lang


def test_two_styles_answered_by_the_section_text() -> None:
    item = passage("fr", "Asthme", "Traitement", "Les corticoïdes inhalés sont le traitement de fond.")
    samples = section_samples(item)
    assert [s.task for s in samples] == ["section_question", "section_explain"]
    assert all(s.messages[1].content == item.text and s.dataset == "ift" for s in samples)
    assert samples[1].messages[0].content == "Rédigez un paragraphe encyclopédique sur « Asthme » : traitement."
    assert len({s.id for s in samples}) == 2 and samples[0].provenance.license == "CC-BY-SA-4.0"


def test_the_build_uses_sections_for_section_passages_only() -> None:
    with_section = template_samples(passage("en", "Asthma", "Diagnosis"))
    whole = template_samples(passage("en", "Asthma", None))
    assert isinstance(with_section, list) and isinstance(whole, list)
    assert {s.task for s in with_section} == {"section_question", "section_explain"}
    assert {s.task for s in whole} == {"explain"}


def test_the_llm_knowledge_task_writes_from_one_section() -> None:
    from mmed_ift.generate.tasks import knowledge_source

    source = knowledge_source(passage("es", "Asma", "Tratamiento", "Los corticoides inhalados."), max_chars=6000)
    assert source == "Asma - Tratamiento\n\nLos corticoides inhalados."
    assert knowledge_source(passage("es", "Asma", None, "Texto."), max_chars=6000) == "Asma\n\nTexto."
