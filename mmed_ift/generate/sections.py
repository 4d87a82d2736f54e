"""Template samples of an article section (Wikipedia passages with a ``section`` heading).

Each section becomes two samples of different styles, both answered by the section's text
(which the reader already cut within ``--section-max-chars``):

* ``section_question``: the question a reader asks of that kind of section, in the language
  (a "Symptoms" section answers "What are the symptoms of asthma?"; 症状 -> 「喘息の症状は？」);
* ``section_explain``: an instruction to write the encyclopedic paragraph on the article's
  topic and section, naming the heading.

What a section is about comes from its heading (:func:`mmed_ift.text.wiki_sections.section_kind`);
a heading of no known kind gets a question naming the heading itself.
"""

from __future__ import annotations

from mmed_ift.generate.template import Draft, TemplateOptions, from_draft
from mmed_ift.schemas import Passage, Sample
from mmed_ift.text.wiki_sections import GENERAL, LEAD, section_kind

#: the question of each section kind, per language ({title}; {section} for ``general``)
QUESTIONS: dict[str, dict[str, str]] = {
    "en": {
        LEAD: "What is {title}?",
        "symptoms": "What are the signs and symptoms of {title}?",
        "causes": "What causes {title}, and what are its risk factors?",
        "diagnosis": "How is {title} diagnosed?",
        "treatment": "How is {title} treated?",
        "prevention": "How can {title} be prevented?",
        "epidemiology": "How common is {title}, and whom does it affect?",
        "prognosis": "What is the prognosis of {title}?",
        "complications": "What complications can {title} lead to?",
        "adverse_effects": "What are the adverse effects of {title}?",
        "mechanism": "What is the mechanism of {title}?",
        GENERAL: "What can you tell me about {title}, regarding {section}?",
    },
    "zh": {
        LEAD: "什么是{title}？",
        "symptoms": "{title}有哪些症状？",
        "causes": "{title}的病因和危险因素是什么？",
        "diagnosis": "{title}如何诊断？",
        "treatment": "{title}如何治疗？",
        "prevention": "如何预防{title}？",
        "epidemiology": "{title}有多常见？哪些人群容易患病？",
        "prognosis": "{title}的预后如何？",
        "complications": "{title}可能引起哪些并发症？",
        "adverse_effects": "{title}有哪些不良反应？",
        "mechanism": "{title}的作用机制或发病机制是什么？",
        GENERAL: "关于{title}的{section}，你能介绍一下吗？",
    },
    "ja": {
        LEAD: "{title}とは何ですか？",
        "symptoms": "{title}の症状を教えてください。",
        "causes": "{title}の原因と危険因子は何ですか？",
        "diagnosis": "{title}はどのように診断されますか？",
        "treatment": "{title}はどのように治療されますか？",
        "prevention": "{title}はどうすれば予防できますか？",
        "epidemiology": "{title}はどのくらい多く、どのような人に起こりますか？",
        "prognosis": "{title}の予後はどうですか？",
        "complications": "{title}ではどのような合併症が起こりえますか？",
        "adverse_effects": "{title}の副作用には何がありますか？",
        "mechanism": "{title}の機序を説明してください。",
        GENERAL: "{title}の「{section}」について教えてください。",
    },
    "fr": {
        LEAD: "Qu'est-ce que : {title} ?",
        "symptoms": "Quels sont les symptômes de : {title} ?",
        "causes": "Quelles sont les causes et les facteurs de risque de : {title} ?",
        "diagnosis": "Comment pose-t-on le diagnostic de : {title} ?",
        "treatment": "Quel est le traitement de : {title} ?",
        "prevention": "Comment prévenir : {title} ?",
        "epidemiology": "Quelle est la fréquence de : {title}, et qui touche-t-elle ?",
        "prognosis": "Quel est le pronostic de : {title} ?",
        "complications": "Quelles complications peut entraîner : {title} ?",
        "adverse_effects": "Quels sont les effets indésirables de : {title} ?",
        "mechanism": "Quel est le mécanisme de : {title} ?",
        GENERAL: "Que peut-on dire de « {title} » au sujet de : {section} ?",
    },
    "ru": {
        LEAD: "Что такое «{title}»?",
        "symptoms": "Каковы симптомы: {title}?",
        "causes": "Каковы причины и факторы риска: {title}?",
        "diagnosis": "Как диагностируют: {title}?",
        "treatment": "Как лечат: {title}?",
        "prevention": "Как предупредить: {title}?",
        "epidemiology": "Насколько распространено: {title}, и кого затрагивает?",
        "prognosis": "Каков прогноз: {title}?",
        "complications": "К каким осложнениям может привести: {title}?",
        "adverse_effects": "Каковы побочные эффекты: {title}?",
        "mechanism": "Каков механизм: {title}?",
        GENERAL: "Расскажите о теме «{title}»: {section}.",
    },
    "es": {
        LEAD: "¿Qué es {title}?",
        "symptoms": "¿Cuáles son los síntomas de {title}?",
        "causes": "¿Cuáles son las causas y los factores de riesgo de {title}?",
        "diagnosis": "¿Cómo se diagnostica {title}?",
        "treatment": "¿Cuál es el tratamiento de {title}?",
        "prevention": "¿Cómo se puede prevenir {title}?",
        "epidemiology": "¿Qué tan frecuente es {title} y a quién afecta?",
        "prognosis": "¿Cuál es el pronóstico de {title}?",
        "complications": "¿Qué complicaciones puede causar {title}?",
        "adverse_effects": "¿Cuáles son los efectos adversos de {title}?",
        "mechanism": "¿Cuál es el mecanismo de {title}?",
        GENERAL: "¿Qué se sabe de {title} en cuanto a {section}?",
    },
}

#: the instruction of the ``section_explain`` style, per language ({title}, {section})
EXPLAIN: dict[str, str] = {
    "en": "Write an encyclopedic paragraph on {title}: {section}.",
    "zh": "请就{title}的“{section}”写一段百科式的说明。",
    "ja": "{title}の「{section}」について、百科事典のように説明してください。",
    "fr": "Rédigez un paragraphe encyclopédique sur « {title} » : {section}.",
    "ru": "Напишите энциклопедический абзац на тему «{title}»: {section}.",
    "es": "Escribe un párrafo enciclopédico sobre {title}: {section}.",
}

#: how the lead (no heading) is named in ``section_explain``
LEAD_NAME: dict[str, str] = {
    "en": "overview", "zh": "概述", "ja": "概要", "fr": "présentation générale", "ru": "общие сведения",
    "es": "visión general",
}  # fmt: skip


def _in_sentence(heading: str) -> str:
    """A capitalised heading as it reads inside a sentence ("Signs and symptoms" -> "signs and
    symptoms"); an acronym stays ("MRI findings")."""
    if len(heading) > 1 and heading[0].isupper() and heading[1].islower():
        return heading[0].lower() + heading[1:]
    return heading


def prompts(item: Passage) -> dict[str, str]:
    """The user turn of each style for one section."""
    kind = section_kind(item.section or "")
    title = item.title.strip()
    section = (item.section or "").strip() or LEAD_NAME[item.lang]
    shown = _in_sentence(section) if item.lang in ("en", "fr", "es", "ru") else section
    return {
        "section_question": QUESTIONS[item.lang][kind].format(title=title, section=shown),
        "section_explain": EXPLAIN[item.lang].format(title=title, section=shown),
    }


def section_drafts(item: Passage) -> list[Draft]:
    """Both styles' drafts of one section (MMed-IFT), answered by the section's text."""
    return [Draft(task, user, item.text.strip(), "ift", None) for task, user in prompts(item).items()]


def section_samples(item: Passage, options: TemplateOptions | None = None) -> list[Sample]:
    """Both styles' samples of one section (MMed-IFT), built like every template sample (the
    language's typography, the optional system turn)."""
    options = options or TemplateOptions()
    return [from_draft(item, draft, options) for draft in section_drafts(item)]
