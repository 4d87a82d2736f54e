"""Translate task: a sample becomes a sample in another of the six languages.

English samples (``--translate-to``) use the prompts of :data:`TEMPLATES`, unchanged since
``translate-v1``; a composition's gaps (:mod:`mmed_ift.compose.gapfill`) translate from whichever
language holds the rows, with :func:`template_for` (the same instructions naming the source language).

The whole conversation goes in one request as a list of turns so the translation of the answer
is consistent with the translation of the question.  The prompt is written in the target
language (models follow an instruction in the language they are asked to write better than one
in English) and insists on what a medical translation must not change: drug names, numbers and
units.  The generator then checks the language of every turn and compares numbers and units with
the source (:mod:`mmed_ift.generate.checks`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mmed_ift.generate.prompts import PromptTemplate

TASK = "translate"
VERSION = "translate-v1"
TARGETS: tuple[str, ...] = ("zh", "ja", "fr", "ru", "es")


class TranslateOutput(BaseModel):
    """The translated turns, same number and order as the source turns."""

    model_config = ConfigDict(extra="forbid", title="TranslateOutput")

    turns: list[str] = Field(description="One translated string per source turn, in order.")


_SYSTEM: dict[str, str] = {
    "zh": (
        "你是专业的医学翻译。把下面 JSON 列表中的每一段英文译成简体中文。药名保持英文原样（可在括号中加中文名），"
        "所有数字和单位原样保留，不要增加或删减信息。输出的 turns 数量和顺序与输入相同。"
    ),
    "ja": (
        "あなたはプロの医学翻訳者です。次の JSON リストの英文をそれぞれ日本語に翻訳してください。薬剤名は英語のまま残し"
        "（括弧で日本語名を添えてもよい）、数値と単位はすべてそのまま残し、情報を足したり削ったりしないでください。"
        "turns の数と順序は入力と同じにしてください。"
    ),
    "fr": (
        "Vous êtes traducteur médical professionnel. Traduisez en français chaque texte anglais de la liste JSON"
        " ci-dessous. Gardez les noms de médicaments tels quels, conservez exactement tous les nombres et unités,"
        " n'ajoutez ni ne retirez aucune information. Rendez autant de turns, dans le même ordre."
    ),
    "ru": (
        "Вы профессиональный медицинский переводчик. Переведите на русский язык каждый английский текст из JSON-списка"
        " ниже. Названия препаратов оставьте как в оригинале (можно добавить русское в скобках), все числа и единицы"
        " сохраните точно, ничего не добавляйте и не опускайте. Верните столько же turns в том же порядке."
    ),
    "es": (
        "Usted es traductor médico profesional. Traduzca al español cada texto en inglés de la lista JSON siguiente."
        " Mantenga los nombres de fármacos tal cual, conserve exactamente todos los números y unidades, y no añada"
        " ni omita información. Devuelva el mismo número de turns en el mismo orden."
    ),
}

TEMPLATES: dict[str, PromptTemplate] = {
    lang: PromptTemplate(task=TASK, version=VERSION, lang=lang, system=system, user="{turns}")
    for lang, system in _SYSTEM.items()
}

#: instructions for any source language: ``{source}`` is the source language's name in the target language
_SYSTEM_FROM: dict[str, str] = {
    "en": (
        "You are a professional medical translator. Translate each {source} text in the JSON list below into English."
        " Keep drug names as they are, keep every number and unit exactly, and add or drop no information. Return"
        " the same number of turns in the same order."
    ),
    "zh": (
        "你是专业的医学翻译。把下面 JSON 列表中的每一段{source}译成简体中文。药名保持原样（可在括号中加中文名），"
        "所有数字和单位原样保留，不要增加或删减信息。输出的 turns 数量和顺序与输入相同。"
    ),
    "ja": (
        "あなたはプロの医学翻訳者です。次の JSON リストの{source}の文をそれぞれ日本語に翻訳してください。"
        "薬剤名はそのまま残し（括弧で日本語名を添えてもよい）、数値と単位はすべてそのまま残し、情報を足したり削ったりしないでください。"
        "turns の数と順序は入力と同じにしてください。選択肢の記号（A. B. …）は変えないでください。"
    ),
    "fr": (
        "Vous êtes traducteur médical professionnel. Traduisez en français chaque texte {source} de la liste JSON"
        " ci-dessous. Gardez les noms de médicaments tels quels, conservez exactement tous les nombres et unités,"
        " n'ajoutez ni ne retirez aucune information. Rendez autant de turns, dans le même ordre."
    ),
    "ru": (
        "Вы профессиональный медицинский переводчик. Переведите на русский язык каждый {source} текст из JSON-списка"
        " ниже. Названия препаратов оставьте как в оригинале, все числа и единицы сохраните точно, ничего не"
        " добавляйте и не опускайте. Верните столько же turns в том же порядке."
    ),
    "es": (
        "Usted es traductor médico profesional. Traduzca al español cada texto {source} de la lista JSON siguiente."
        " Mantenga los nombres de fármacos tal cual, conserve exactamente todos los números y unidades, y no añada"
        " ni omita información. Devuelva el mismo número de turns en el mismo orden."
    ),
}

#: target language -> source language -> its name as the target's prompt writes it
_SOURCE_NAMES: dict[str, dict[str, str]] = {
    "en": {"zh": "Chinese", "ja": "Japanese", "fr": "French", "ru": "Russian", "es": "Spanish"},
    "zh": {"en": "英文", "ja": "日文", "fr": "法文", "ru": "俄文", "es": "西班牙文"},
    "ja": {"en": "英語", "zh": "中国語", "fr": "フランス語", "ru": "ロシア語", "es": "スペイン語"},
    "fr": {"en": "anglais", "zh": "chinois", "ja": "japonais", "ru": "russe", "es": "espagnol"},
    "ru": {"en": "английский", "zh": "китайский", "ja": "японский", "fr": "французский", "es": "испанский"},
    "es": {"en": "inglés", "zh": "chino", "ja": "japonés", "fr": "francés", "ru": "ruso"},
}


def template_for(source: str, target: str) -> PromptTemplate:
    """The prompt translating ``source``-language turns into ``target`` (English sources keep
    :data:`TEMPLATES`, so their cached replies stay valid)."""
    if source == "en" and target in TEMPLATES:
        return TEMPLATES[target]
    names = _SOURCE_NAMES.get(target, {})
    if source not in names:
        raise ValueError(f"cannot translate from {source!r} into {target!r}")
    system = _SYSTEM_FROM[target].format(source=names[source])
    return PromptTemplate(task=TASK, version=VERSION, lang=target, system=system, user="{turns}")
