"""A source folder in the real upstream formats with every kind of record the filters act on.

The bundled samples (all six languages, PII in the patient-dialogue sources, two benchmark
overlaps) plus MedQA lines planted to exercise the rest: exact duplicates (case and punctuation
changed), a 36-member near-duplicate family (one word changed each, so LSH buckets grow past the
all-pairs limit and the star + chain rule is used), pairs just above and below the Jaccard
threshold, and French text filed as English; and a MedQuAD document with one answer for each rule
of the quality step (link list, flattened table, boilerplate, conflicting prompt).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

from mmed_ift.sources import bundled_samples_root

MEDQA_TRAIN = Path("medqa/US/4_options/phrases_no_exclude_train.jsonl")
_WORDS = ("fever", "cough", "rash", "pain", "nausea", "fatigue", "dizziness", "edema", "pallor", "jaundice")


def medqa_line(question: str, options: dict[str, str] | None = None, answer: str = "A") -> str:
    options = options or {"A": "Metformin", "B": "Insulin", "C": "Glipizide", "D": "Pioglitazone"}
    return json.dumps(
        {
            "question": question,
            "answer": options[answer],
            "options": options,
            "meta_info": "step1",
            "answer_idx": answer,
            "metamap_phrases": [],
        },
        ensure_ascii=False,
    )


def long_stem(topic: int, changed: str) -> str:
    """About 120 words; ``changed`` is one word near the middle."""
    body = " ".join(f"finding{topic}x{index} was recorded on examination day {index}" for index in range(15))
    return f"A {40 + topic}-year-old patient presents with {changed} and {body}. What is the next best step?"


def planted_lines() -> list[str]:
    lines = []
    base = "A 54-year-old man with type 2 diabetes has an HbA1c of 8.1% despite diet. Which drug comes first?"
    lines.append(medqa_line(base))
    lines.append(medqa_line(base.upper().replace("?", " ?")))  # exact duplicate after normalisation
    lines.append(medqa_line(base.replace("54", "54 ").replace(".", ",")))  # and another
    for index in range(36):  # one family of near-duplicates, larger than MAX_BUCKET_ALL_PAIRS
        lines.append(medqa_line(long_stem(1, f"{_WORDS[index % 10]}{index}")))
    for topic in range(2, 8):  # pairs: one word apart (near-duplicates) ...
        lines.append(medqa_line(long_stem(topic, "fever")))
        lines.append(medqa_line(long_stem(topic, "cough")))
    short = "A child has a barking cough and stridor worse at night. What is the diagnosis?"
    lines.append(medqa_line(short, {"A": "Croup", "B": "Asthma", "C": "Epiglottitis", "D": "Pertussis"}))
    lines.append(medqa_line(short.replace("night", "dawn"), {"A": "Croup", "B": "Asthma", "C": "Epiglottitis",
                                                            "D": "Pertussis"}))  # fmt: skip
    french = (
        "Un homme de 60 ans se présente aux urgences avec une douleur thoracique intense depuis une heure."
        " Quel est le traitement de première intention de cet infarctus du myocarde ?"
    )
    lines.append(medqa_line(french))
    return lines


MEDQUAD_PLANTED = Path("medquad/3_GHR_QA/9000001.xml")
#: one MedQuAD document (usual schema) with an answer for each rule of the quality step
_PLANTED_PAIRS = [
    ("information", "What is (are) Kestrel-Lind syndrome ?",
     "Kestrel-Lind syndrome is a rare inherited disorder of the connective tissue that causes loose joints, "
     "fragile skin that bruises easily, and weakness of the blood vessel walls. Signs usually appear in childhood."),
    ("information", "What is (are) Kestrel-Lind syndrome ?",  # same prompt, another answer: a conflict
     "Joint dislocations in this condition are managed with physical therapy and bracing."),
    ("treatment", "What are the treatments for Kestrel-Lind syndrome ?",
     "These resources address the diagnosis or management of Kestrel-Lind syndrome: - Genetic Testing Registry: "
     "Kestrel-Lind syndrome - MedlinePlus Encyclopedia: Joint Hypermobility These resources from MedlinePlus offer "
     "information about the diagnosis and management of various health conditions: - Diagnostic Tests - Surgery"),
    ("symptoms", "What are the symptoms of Kestrel-Lind syndrome ?",
     "Symptoms are listed below. Joint hypermobility 90% Easy bruising 50% Hernia 5% Scoliosis 2% "
     "These frequencies come from a small study of affected families in one clinic."),
    ("inheritance", "Is Kestrel-Lind syndrome inherited ?", "This page is under construction."),
]  # fmt: skip


def planted_medquad() -> str:
    pairs = "".join(
        f'\t<QAPair pid="{pid}">\n\t\t\t<Question qid="9000001-{pid}" qtype="{qtype}">{escape(question)}</Question>\n'
        f"\t\t\t<Answer>{escape(answer)}</Answer>\n\t</QAPair>\n"
        for pid, (qtype, question, answer) in enumerate(_PLANTED_PAIRS, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document id="9000001" source="GHR" url="https://example.org/kl">\n'
        f"<Focus>Kestrel-Lind syndrome</Focus>\n<QAPairs>\n{pairs}</QAPairs>\n</Document>\n"
    )


def write_planted_sources(root: Path) -> Path:
    """Copy the bundled samples to ``root`` and append the planted MedQA lines and MedQuAD
    document; returns ``root``."""
    shutil.copytree(bundled_samples_root(), root)
    target = root / MEDQA_TRAIN
    with target.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(planted_lines()) + "\n")
    (root / MEDQUAD_PLANTED).write_text(planted_medquad(), encoding="utf-8")
    return root
