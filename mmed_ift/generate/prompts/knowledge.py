"""Knowledge task: a QA pair or a passage becomes instruction samples of several styles.

One request per (source item, style).  Separate requests cost a little more than one request for
all styles, but each reply is small and flat, which small local models and grammar-constrained
decoders get right far more often, and a failure loses one style instead of all of them.
Styles that need content the source may not have (a differential diagnosis, several treatments)
let the model answer ``applicable: false``; that is recorded as a reject, not invented.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mmed_ift.generate.options import KNOWLEDGE_STYLES
from mmed_ift.generate.prompts import PromptTemplate

TASK = "knowledge"
VERSION = "knowledge-v1"
STYLES: tuple[str, ...] = KNOWLEDGE_STYLES


class KnowledgeOutput(BaseModel):
    """One instruction sample written from the source."""

    model_config = ConfigDict(extra="forbid", title="KnowledgeOutput")

    applicable: bool = Field(description="False when the source does not support this style.")
    instruction: str = Field(description="What a user asks (the user turn).")
    response: str = Field(description="The answer, based only on the source (the assistant turn).")


_USER: dict[str, str] = {
    "en": "Style: {style}\n\nSource:\n{source}",
    "zh": "类型：{style}\n\n原文：\n{source}",
    "ja": "形式：{style}\n\n原文：\n{source}",
    "fr": "Style : {style}\n\nSource :\n{source}",
    "ru": "Стиль: {style}\n\nИсточник:\n{source}",
    "es": "Estilo: {style}\n\nFuente:\n{source}",
}

_ROLE: dict[str, str] = {
    "en": (
        "You write medical instruction-tuning data in English. From the source text, write one instruction (what a"
        " user would ask) and its response, in the requested style. Use only facts stated in the source; keep drug"
        " names, numbers and units exactly as in the source."
    ),
    "zh": (
        "你用中文编写医学指令微调数据。请根据原文，按要求的类型写出一条指令（用户会提出的问题）及其回答。"
        "只使用原文中的事实；药名、数字和单位与原文保持一致。"
    ),
    "ja": (
        "あなたは日本語で医学の指示チューニング用データを作成します。原文をもとに、指定された形式で指示（ユーザーの質問）"
        "とその回答を1つずつ書いてください。原文にある事実だけを使い、薬剤名・数値・単位は原文どおりにしてください。"
    ),
    "fr": (
        "Vous rédigez, en français, des données d'instruction médicales. À partir du texte source, écrivez une"
        " instruction (ce qu'un utilisateur demanderait) et sa réponse, dans le style demandé. N'utilisez que les"
        " faits du texte source ; gardez les noms de médicaments, les nombres et les unités tels quels."
    ),
    "ru": (
        "Вы пишете на русском языке медицинские данные для обучения по инструкциям. По исходному тексту напишите"
        " одну инструкцию (вопрос пользователя) и ответ на неё в заданном стиле. Используйте только факты из"
        " источника; названия препаратов, числа и единицы сохраняйте как в источнике."
    ),
    "es": (
        "Usted redacta, en español, datos médicos de instrucciones. A partir del texto fuente, escriba una"
        " instrucción (lo que preguntaría un usuario) y su respuesta, en el estilo pedido. Use solo hechos del"
        " texto fuente; mantenga los nombres de fármacos, los números y las unidades tal cual."
    ),
}

#: What each style asks for, per language.
STYLE_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "en": {
        "explain": "explain: ask for an explanation of the topic; answer with a clear, accurate explanation.",
        "patient_summary": "patient_summary: ask for a summary for a patient; answer in plain, non-technical words.",
        "differential_diagnosis": (
            "differential_diagnosis: a short clinical question asking for the differential diagnosis, answered with"
            " the likely diagnoses and what distinguishes them. If the source has no disease or presentation to"
            " support this, set applicable to false."
        ),
        "compare_treatments": (
            "compare_treatments: ask to compare treatments named in the source; answer comparing them. If the source"
            " names fewer than two treatments, set applicable to false."
        ),
    },
    "zh": {
        "explain": "explain：请求解释该主题；用清楚、准确的说明回答。",
        "patient_summary": "patient_summary：请求为患者总结；用通俗、非专业的语言回答。",
        "differential_diagnosis": (
            "differential_diagnosis：提出一个简短的临床问题，询问鉴别诊断，回答列出可能的诊断及其鉴别要点。"
            "如果原文没有可支持的疾病或表现，将 applicable 设为 false。"
        ),
        "compare_treatments": (
            "compare_treatments：请求比较原文提到的治疗方法并作比较回答。"
            "如果原文提到的治疗少于两种，将 applicable 设为 false。"
        ),
    },
    "ja": {
        "explain": "explain：テーマの説明を求め、明確で正確な説明で答える。",
        "patient_summary": "patient_summary：患者向けの要約を求め、専門用語を使わない平易な言葉で答える。",
        "differential_diagnosis": (
            "differential_diagnosis：鑑別診断を問う短い臨床的な質問を書き、考えられる診断とその鑑別点で答える。"
            "原文に根拠となる疾患や症状がなければ applicable を false にする。"
        ),
        "compare_treatments": (
            "compare_treatments：原文にある治療法の比較を求め、比較して答える。"
            "原文にある治療法が2つ未満なら applicable を false にする。"
        ),
    },
    "fr": {
        "explain": "explain : demander une explication du sujet ; répondre par une explication claire et exacte.",
        "patient_summary": (
            "patient_summary : demander un résumé pour un patient ; répondre avec des mots simples, non techniques."
        ),
        "differential_diagnosis": (
            "differential_diagnosis : une courte question clinique demandant le diagnostic différentiel, avec en"
            " réponse les diagnostics probables et ce qui les distingue. Si la source ne décrit ni maladie ni"
            " tableau clinique, mettez applicable à false."
        ),
        "compare_treatments": (
            "compare_treatments : demander de comparer des traitements cités dans la source ; répondre en les"
            " comparant. Si la source cite moins de deux traitements, mettez applicable à false."
        ),
    },
    "ru": {
        "explain": "explain: попросите объяснить тему; ответьте ясным и точным объяснением.",
        "patient_summary": "patient_summary: попросите резюме для пациента; ответьте простыми словами, без терминов.",
        "differential_diagnosis": (
            "differential_diagnosis: короткий клинический вопрос о дифференциальном диагнозе; в ответе — вероятные"
            " диагнозы и их отличия. Если в источнике нет заболевания или клинической картины, укажите"
            " applicable: false."
        ),
        "compare_treatments": (
            "compare_treatments: попросите сравнить методы лечения из источника; ответьте сравнением. Если в"
            " источнике меньше двух методов лечения, укажите applicable: false."
        ),
    },
    "es": {
        "explain": "explain: pedir una explicación del tema; responder con una explicación clara y exacta.",
        "patient_summary": "patient_summary: pedir un resumen para un paciente; responder con palabras sencillas.",
        "differential_diagnosis": (
            "differential_diagnosis: una pregunta clínica breve que pida el diagnóstico diferencial, respondida con"
            " los diagnósticos probables y lo que los distingue. Si la fuente no describe una enfermedad o un cuadro"
            " clínico, ponga applicable en false."
        ),
        "compare_treatments": (
            "compare_treatments: pedir que se comparen tratamientos citados en la fuente; responder comparándolos."
            " Si la fuente cita menos de dos tratamientos, ponga applicable en false."
        ),
    },
}

TEMPLATES: dict[str, dict[str, PromptTemplate]] = {
    lang: {
        style: PromptTemplate(
            task=TASK,
            version=VERSION,
            lang=lang,
            system=f"{_ROLE[lang]}\n\n{STYLE_DESCRIPTIONS[lang][style]}",
            user=_USER[lang],
        )
        for style in STYLES
    }
    for lang in _ROLE
}
