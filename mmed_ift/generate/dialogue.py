"""Clean-up of text that becomes a training target: dialogue pleasantries and PII placeholders.

Patient-dialogue sources (ChatDoctor, cMedQA2, Huatuo) open and close answers with formulas
("Hi, thanks for your query.", "Hope this helps.", "Regards, Dr. X", "您好，") that a fine-tuned
model would learn to parrot; they carry no medical content.  The rules below remove them at the
*edges* of a text only (a greeting in the middle of an answer is left alone), one language at a
time, repeatedly (``Hi, thanks for your query.`` is two formulas).

The PII scrub (:mod:`mmed_ift.filters.pii`) replaces an e-mail, URL, phone number or ID with a
placeholder such as ``[PHONE]``.  A placeholder in a prompt is harmless; in a target it teaches
the model to write ``[PHONE]``, so every sentence of a target that holds one is dropped.
"""

from __future__ import annotations

import re

#: what the PII scrub writes (kept in step with mmed_ift.filters.pii.PLACEHOLDERS)
PLACEHOLDER = re.compile(r"\[(?:EMAIL|URL|PHONE|ID)\]")

_EN_NAME = r"(?:,?\s*(?:dr\.?|doctor)\s*(?-i:[A-Z])[\w.\- ]{0,40})?"
_HEADS: dict[str, tuple[str, ...]] = {
    "en": (
        r"(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening))\b[^.!?\n,]{0,30}[,.!:]",
        r"(?:hi|hello|hey)\b\s+(?=(?-i:[A-Z]))",
        r"(?:many )?(?:thanks|thank you)(?: very much)? for (?:your |the |this )?"
        r"(?:query|question|post|posting|writing|reaching out|using|choosing|trusting|contacting)\b[^.!?\n]*[.!]",
        r"welcome to [^.!?\n]*[.!]",
        r"I (?:have )?(?:carefully )?(?:gone through|went through|read|reviewed) your "
        r"(?:query|question|post|concern)[^.!?\n]*[.!]",
    ),
    "zh": (
        r"(?:您好|你好|医生您好|医生你好|大夫您好|大夫你好)[，,！!。：:\s]*",
        r"(?:谢谢|感谢)(?:您|你)?的?(?:提问|咨询|信任|问题)[，,！!。\s]*",
    ),
    "ja": (
        r"(?:こんにちは|はじめまして)[、。！!\s]*",
        r"ご(?:質問|相談)(?:いただき)?ありがとうございます[、。！!\s]*",
    ),
    "fr": (
        r"(?:bonjour|bonsoir|salut|cher patient|chère patiente)\b[^.!?\n,]{0,30}[,.!]",
        r"merci (?:pour|de) votre (?:question|message|confiance)[^.!?\n]*[.!]",
    ),
    "ru": (
        r"(?:здравствуйте|добрый (?:день|вечер)|доброе утро|привет)[^.!?\n,]{0,30}[,.!]",
        r"спасибо за (?:ваш )?(?:вопрос|обращение)[^.!?\n]*[.!]",
    ),
    "es": (
        r"(?:hola|buenos días|buenas tardes|buenas noches|estimado paciente)\b[^.!?\n,]{0,30}[,.!]",
        r"gracias por su (?:consulta|pregunta|confianza)[^.!?\n]*[.!]",
    ),
}
_TAILS: dict[str, tuple[str, ...]] = {
    "en": (
        r"(?:(?:best|kind|warm)? ?regards|sincerely|yours truly|thanks(?: and regards)?|thank you)"
        r"[,.!]?" + _EN_NAME + r"\.?",
        r"(?:dr\.?|doctor) (?-i:[A-Z])[\w.\-]*(?: (?-i:[A-Z])[\w.\-]*){0,2}\.?",
        r"(?:I )?hope (?:this|that|it|my answer|I have|I've)[^.!?\n]*[.!]",
        r"(?:please )?(?:feel free to|do not hesitate to|don't hesitate to)? ?"
        r"\b(?:let me know|ask|write back|contact me)\b"
        r"[^.!?\n]*(?:question|queries|query|doubt|help)[^.!?\n]*[.!]",
        r"(?:take care|get well soon|best wishes|all the best|wish(?:ing)? you[^.!?\n]*)[.!]",
        r"chat ?doctor\.?",
    ),
    "zh": (
        r"(?:祝(?:您|你)?[^。！!\n]{0,12}(?:康复|健康|顺利|平安))[。！!]*",
        r"(?:希望|但愿)[^。！!\n]{0,20}(?:帮助|有用)[。！!]*",
        r"(?:如有|若有)(?:其他)?(?:疑问|问题)[^。！!\n]{0,20}[。！!]*",
        r"以上(?:是我的)?(?:建议|回答)?[，,]?仅供参考[。！!]*",
    ),
    "ja": (
        r"お大事に(?:してください|なさってください)?[。！!]*",
        r"(?:少しでも)?参考になれば幸いです[。！!]*",
    ),
    "fr": (
        r"(?:cordialement|bien à vous|salutations)[,.]?(?:\s*(?:dr\.?|docteur)\s*(?-i:[A-Z])[\w.\- ]{0,40})?\.?",
        r"j'espère que (?:cela|ceci|ma réponse)[^.!?\n]*[.!]",
        r"bon rétablissement[.!]?",
    ),
    "ru": (
        r"с уважением[,.]?[^.!?\n]{0,40}\.?",
        r"надеюсь, (?:это|мой ответ)[^.!?\n]*[.!]",
        r"(?:выздоравливайте|будьте здоровы)[.!]?",
    ),
    "es": (
        r"(?:saludos(?: cordiales)?|atentamente|un saludo)[,.]?(?:\s*(?:dr\.?|doctor)\s*(?-i:[A-Z])[\w.\- ]{0,40})?\.?",
        r"espero que (?:esto|esta información|mi respuesta)[^.!?\n]*[.!]",
        r"que se mejore[^.!?\n]*[.!]?",
    ),
}
_HEAD = {lang: [re.compile(r"^\s*" + rule, re.IGNORECASE) for rule in rules] for lang, rules in _HEADS.items()}
_TAIL = {lang: [re.compile(r"\s*" + rule + r"\s*$", re.IGNORECASE) for rule in rules] for lang, rules in _TAILS.items()}
_SENTENCE = re.compile(r"[^.!?。！？\n]+(?:[.!?。！？]+|\n+|$)\s*")


def strip_pleasantries(text: str, lang: str) -> str:
    """``text`` without the greetings it opens with and the sign-offs it closes with."""
    changed = True
    while changed and text:
        changed = False
        for rule in _HEAD.get(lang, ()):
            trimmed = rule.sub("", text, count=1)
            if trimmed != text:
                text, changed = trimmed, True
        for rule in _TAIL.get(lang, ()):
            trimmed = rule.sub("", text, count=1)
            if trimmed != text:
                text, changed = trimmed, True
    text = text.strip()
    return text[:1].upper() + text[1:] if lang in ("en", "fr", "ru", "es") else text


def drop_placeholder_sentences(text: str) -> str:
    """``text`` without the sentences that hold a PII placeholder (empty if every one does)."""
    if not PLACEHOLDER.search(text):
        return text
    kept = [sentence for sentence in _SENTENCE.findall(text) if not PLACEHOLDER.search(sentence)]
    return "".join(kept).strip()
