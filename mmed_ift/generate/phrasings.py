"""Several wordings of each template instruction, per language, and the seeded choice among them.

One fixed instruction per task teaches a model one prompt; a few natural wordings teach it the
task.  The choice is a hash of the record (source, id, task), never a random draw, so a build is
byte-identical on every run and engine, and the chosen wording is recorded in the row
(``provenance.template_id``, e.g. ``explain/fr/2``) so a user can filter or rebalance by it.

Wording 0 of ``mc``/``mc_multi`` is :class:`~mmed_ift.languages.Language`'s ``mc_instruction``
(``_multi``): the evaluator prompts with that one.  Placeholders: ``{title}``, ``{section}``.
Zh/ja strings use full-width punctuation with no space after it; French uses a plain space
before ``: ; ? !`` (as the answer line ``Réponse : B`` does) - see ``docs/samples.md``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from mmed_ift.languages import LANGUAGES

PHRASINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "mc": (
            LANGUAGES["en"].mc_instruction,
            "Read the question below and pick the one correct option.",
            "Choose the best answer to this medical exam question.",
            "Which option is correct? Answer the question below.",
        ),
        "mc_multi": (
            LANGUAGES["en"].mc_instruction_multi,
            "Read the question below; several options may be correct. Pick every correct one.",
            "Choose all correct answers to this medical exam question (there may be more than one).",
        ),
        "explain": (
            "Explain the following medical topic clearly and accurately: {title}",
            "What should a clinician know about {title}?",
            "Give an accurate overview of {title}.",
            "Describe {title} for a medical student.",
        ),
        "explain_section": (
            "{title}: explain the part on {section}.",
            "What does the medical literature say about {title}, specifically {section}?",
            "Describe {title} with respect to {section}.",
        ),
        "qa_context": (
            "Read the passage and answer the question.",
            "Answer the question using the text below.",
            "Based on the following passage, answer the question.",
        ),
    },
    "zh": {
        "mc": (
            LANGUAGES["zh"].mc_instruction,
            "阅读下面的题目，选出唯一正确的选项。",
            "这是一道医学考试题，请选择最合适的答案。",
            "下列哪一项正确？请作答。",
        ),
        "mc_multi": (
            LANGUAGES["zh"].mc_instruction_multi,
            "阅读下面的题目，正确选项可能不止一个，请全部选出。",
            "这是一道多选题，请选出所有正确答案。",
        ),
        "explain": (
            "请准确、清楚地解释以下医学主题：{title}",
            "关于{title}，医生需要了解哪些要点？",
            "请简要而准确地介绍{title}。",
            "请向医学生讲解{title}。",
        ),
        "explain_section": (
            "请介绍{title}的{section}。",
            "关于{title}，请说明其{section}方面的内容。",
            "{title}：请讲解“{section}”部分。",
        ),
        "qa_context": (
            "阅读下面的材料，回答问题。",
            "请根据以下内容回答问题。",
            "结合下面的文字作答。",
        ),
    },
    "ja": {
        "mc": (
            LANGUAGES["ja"].mc_instruction,
            "次の問題を読み、正しい選択肢を1つ選んでください。",
            "医学の試験問題です。最も適切な答えを選んでください。",
            "正しいものはどれですか。次の問題に答えてください。",
        ),
        "mc_multi": (
            LANGUAGES["ja"].mc_instruction_multi,
            "次の問題を読んでください。正解が複数ある場合は、すべて選んでください。",
            "医学の試験問題です。正しい選択肢をすべて選んでください。",
        ),
        "explain": (
            "次の医学的なテーマについて、正確かつわかりやすく説明してください：{title}",
            "{title}について、医療者が知っておくべきことは何ですか。",
            "{title}の概要を正確にまとめてください。",
            "医学生向けに{title}を解説してください。",
        ),
        "explain_section": (
            "{title}の{section}について説明してください。",
            "{title}：「{section}」の内容を解説してください。",
            "{title}に関して、{section}はどうなっていますか。",
        ),
        "qa_context": (
            "次の文章を読んで、質問に答えてください。",
            "以下の内容をもとに質問に答えてください。",
            "次の資料に基づいて答えてください。",
        ),
    },
    "fr": {
        "mc": (
            LANGUAGES["fr"].mc_instruction,
            "Lisez la question ci-dessous et choisissez la bonne réponse.",
            "Question d'examen de médecine : choisissez la réponse la plus juste.",
            "Quelle est la bonne réponse ? Répondez à la question suivante.",
        ),
        "mc_multi": (
            LANGUAGES["fr"].mc_instruction_multi,
            "Lisez la question ci-dessous ; plusieurs réponses peuvent être justes. Choisissez-les toutes.",
            "Question d'examen de médecine à réponses multiples : indiquez toutes les bonnes réponses.",
        ),
        "explain": (
            "Expliquez clairement et précisément le sujet médical suivant : {title}",
            "Que doit savoir un clinicien sur le sujet suivant : {title} ?",
            "Présentez de façon exacte le sujet suivant : {title}.",
            "Expliquez à un étudiant en médecine le sujet suivant : {title}.",
        ),
        "explain_section": (
            "{title} : expliquez la partie « {section} ».",
            "Sujet : {title}. Que faut-il savoir sur ce point : {section} ?",
            "Décrivez le sujet suivant, {title}, sous l'angle suivant : {section}.",
        ),
        "qa_context": (
            "Lisez le texte et répondez à la question.",
            "Répondez à la question à l'aide du texte ci-dessous.",
            "D'après le passage suivant, répondez à la question.",
        ),
    },
    "ru": {
        "mc": (
            LANGUAGES["ru"].mc_instruction,
            "Прочитайте вопрос и выберите один правильный вариант.",
            "Это вопрос медицинского экзамена. Выберите наиболее верный ответ.",
            "Какой вариант верен? Ответьте на вопрос.",
        ),
        "mc_multi": (
            LANGUAGES["ru"].mc_instruction_multi,
            "Прочитайте вопрос; верных вариантов может быть несколько. Выберите все.",
            "Вопрос медицинского экзамена с несколькими верными ответами: укажите все верные варианты.",
        ),
        "explain": (
            "Объясните понятно и точно следующую медицинскую тему: {title}",
            "Что должен знать врач по теме «{title}»?",
            "Дайте точный обзор темы «{title}».",
            "Расскажите студенту-медику о теме «{title}».",
        ),
        "explain_section": (
            "{title}: объясните раздел «{section}».",
            "Что известно по теме «{title}» в части «{section}»?",
            "Опишите тему «{title}»: {section}.",
        ),
        "qa_context": (
            "Прочитайте текст и ответьте на вопрос.",
            "Ответьте на вопрос, опираясь на текст ниже.",
            "На основе следующего отрывка ответьте на вопрос.",
        ),
    },
    "es": {
        "mc": (
            LANGUAGES["es"].mc_instruction,
            "Lea la pregunta y elija la opción correcta.",
            "Pregunta de examen de medicina: elija la respuesta más adecuada.",
            "¿Cuál es la opción correcta? Responda a la siguiente pregunta.",
        ),
        "mc_multi": (
            LANGUAGES["es"].mc_instruction_multi,
            "Lea la pregunta; puede haber varias opciones correctas. Elíjalas todas.",
            "Pregunta de examen de medicina con varias respuestas: indique todas las correctas.",
        ),
        "explain": (
            "Explique de forma clara y precisa el siguiente tema médico: {title}",
            "¿Qué debe saber un profesional sanitario sobre {title}?",
            "Ofrezca una visión general precisa de {title}.",
            "Explique {title} a un estudiante de medicina.",
        ),
        "explain_section": (
            "{title}: explique el apartado «{section}».",
            "¿Qué se sabe de {title} en cuanto a {section}?",
            "Describa {title} en lo que respecta a {section}.",
        ),
        "qa_context": (
            "Lea el texto y responda a la pregunta.",
            "Responda a la pregunta con ayuda del texto siguiente.",
            "Según el siguiente pasaje, responda a la pregunta.",
        ),
    },
}

#: the optional system turn (``--system-message``), one per language
SYSTEM_MESSAGES: dict[str, str] = {
    "en": "You are a careful medical assistant. Answer accurately and concisely.",
    "zh": "你是一名严谨的医学助手，请准确、简明地回答。",
    "ja": "あなたは慎重な医療アシスタントです。正確かつ簡潔に答えてください。",
    "fr": "Vous êtes un assistant médical rigoureux. Répondez avec exactitude et concision.",
    "ru": "Вы — внимательный медицинский ассистент. Отвечайте точно и кратко.",
    "es": "Usted es un asistente médico riguroso. Responda con exactitud y concisión.",
}


@dataclass(frozen=True)
class Phrasing:
    """One chosen wording and the id recorded in the row (``task/lang/index``)."""

    template_id: str
    text: str


def choose(lang: str, task: str, *key: str, shift: int = 0) -> Phrasing:
    """The wording of ``task`` in ``lang`` for the record identified by ``key`` (deterministic).

    ``shift`` picks the wording that many places after the template's own: the LLM rationale of
    an MC item uses ``shift=1`` so its prompt never equals the template sample's prompt (two
    different targets for one prompt would teach a model that one input has two answers).
    """
    options = PHRASINGS[lang][task]
    made = _MADE.get((lang, task))
    if made is None or made[0] is not options:  # the wordings are module data a test may swap
        made = _MADE[(lang, task)] = (
            options,
            tuple(Phrasing(template_id=f"{task}/{lang}/{index}", text=text) for index, text in enumerate(options)),
        )
    digest = _sha256("\x00".join((task, *key)).encode("utf-8")).digest()
    return made[1][(int.from_bytes(digest[:8], "big") + shift) % len(options)]


_sha256 = hashlib.sha256
#: (lang, task) -> its wordings and their :class:`Phrasing`, made once per wording table: a
#: phrasing is frozen, so every record that draws it can share one (building it per record was a
#: tenth of the template generator's CPU; one look-up per (lang, task), not per wording, saves a
#: key tuple per record)
_MADE: dict[tuple[str, str], tuple[tuple[str, ...], tuple[Phrasing, ...]]] = {}
