"""Writes tests/filters/near_dedup_pairs.jsonl: labelled MedQuAD-like pairs, written for this project.

Run from the repository root: ``python tests/filters/make_near_dedup_pairs.py``.  The templates
follow the shape and stock phrasing of MedQuAD's collections (GARD symptom tables, treatment
resource lists, GHR genetic changes and inheritance, CancerGov key points; MedQuAD is CC BY 4.0);
the pages filled in, the diseases, genes and symptom tables, and every edit are this project's.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

SYMPTOMS = (
    "What are the signs and symptoms of {d}? The Human Phenotype Ontology provides the following list of "
    "signs and symptoms for {d}. If the information is available, the table below includes how often the "
    "symptom is seen in people with this condition. You can use the MedlinePlus Medical Dictionary to look up "
    "the definitions for these medical terms. Signs and Symptoms Approximate number of patients (when "
    "available) {s} The Human Phenotype Ontology (HPO) has collected information on how often a sign or "
    "symptom occurs in a condition. Much of this information comes from Orphanet, a European rare disease "
    "database. The frequency of a sign or symptom is usually listed as a rough estimate of the percentage of "
    "patients who have that feature. The frequency may also be listed as a fraction."
)
TREAT = (
    "These resources address the diagnosis or management of {d}: - Genetic Testing Registry: {d} - MedlinePlus "
    "Encyclopedia: {d} These resources from MedlinePlus offer information about the diagnosis and management of "
    "various health conditions: - Diagnostic Tests - Drug Therapy - Surgery and Rehabilitation - Genetic "
    "Counseling - Palliative Care"
)
INHERIT = (
    "This condition is inherited in an autosomal recessive pattern, which means both copies of the gene in each "
    "cell have mutations. The parents of an individual with an autosomal recessive condition each carry one "
    "copy of the mutated gene, but they typically do not show signs and symptoms of the condition. {d} is "
    "caused by mutations in the {g} gene."
)
GENES = (
    "Mutations in the {g} gene cause {d}. The {g} gene provides instructions for making a protein that is "
    "involved in a chemical pathway in the body. Mutations in the {g} gene reduce or eliminate the function of "
    "this protein, which disrupts the pathway and leads to the signs and symptoms of {d}. Learn more about the "
    "gene associated with {d}: - {g}"
)
CANCER = (
    "Key Points - {d} is a disease in which malignant (cancer) cells form in the tissues of the {o}. - Signs of "
    "{d} include a lump or pain. - Tests that examine the {o} are used to detect (find) and diagnose {d}. - "
    "Certain factors affect prognosis (chance of recovery) and treatment options. The prognosis and treatment "
    "options depend on the stage of the cancer, the size of the tumor, and the patient's general health."
)

DISEASES = [
    (
        "Jervell Lange-Nielsen syndrome",
        "KCNQ1",
        "Congenital sensorineural hearing impairment 90% Prolonged QT interval 90% Syncope 50% Sudden cardiac death -",
    ),
    ("Fructosuria", "KHK", "Fructosuria 90% Autosomal recessive inheritance -"),
    ("Aarskog-Scott syndrome", "FGD1", "Hypertelorism 90% Short stature 90% Shawl scrotum 50% Brachydactyly 50%"),
    ("Alkaptonuria", "HGD", "Dark urine 90% Arthralgia 50% Ochronosis 90% Aortic valve calcification -"),
    ("Citrullinemia type I", "ASS1", "Hyperammonemia 90% Vomiting 50% Lethargy 50% Seizures -"),
    ("Citrullinemia type II", "SLC25A13", "Hyperammonemia 90% Cholestasis 50% Fatty liver 50% Pancreatitis -"),
    (
        "Ehlers-Danlos syndrome, classic type",
        "COL5A1",
        "Joint hypermobility 90% Skin hyperextensibility 90% Atrophic scars 50%",
    ),
    (
        "Ehlers-Danlos syndrome, vascular type",
        "COL3A1",
        "Arterial rupture 50% Thin skin 90% Easy bruising 90% Uterine rupture -",
    ),
    ("Galactosemia", "GALT", "Jaundice 90% Cataract 50% Hepatomegaly 50% Failure to thrive -"),
    ("Homocystinuria", "CBS", "Ectopia lentis 90% Marfanoid habitus 50% Thrombosis 50% Intellectual disability -"),
    ("Tyrosinemia type 1", "FAH", "Hepatic failure 90% Renal tubular dysfunction 50% Rickets 50%"),
    ("Argininemia", "ARG1", "Spastic diplegia 90% Seizures 50% Developmental regression 50%"),
]
CANCERS = [
    ("Anal cancer", "anus"),
    ("Penile cancer", "penis"),
    ("Vaginal cancer", "vagina"),
    ("Vulvar cancer", "vulva"),
    ("Thymoma", "thymus"),
    ("Urethral cancer", "urethra"),
]


def qa(question: str, answer: str, title: str | None) -> dict[str, Any]:
    return {"question": question, "answer": answer, "title": title}


pairs: list[dict[str, Any]] = []


def add(kind: str, duplicate: bool, left: dict[str, Any], right: dict[str, Any], note: str) -> None:
    pairs.append(
        {"id": f"{kind}-{len(pairs)}", "kind": kind, "duplicate": duplicate, "note": note, "left": left, "right": right}
    )


# hard negatives: the same template about different diseases
for i in range(0, len(DISEASES) - 1):
    (d1, g1, s1), (d2, g2, s2) = DISEASES[i], DISEASES[i + 1]
    add(
        "template_symptoms",
        False,
        qa(f"What are the symptoms of {d1} ?", SYMPTOMS.format(d=d1, s=s1), d1),
        qa(f"What are the symptoms of {d2} ?", SYMPTOMS.format(d=d2, s=s2), d2),
        f"symptom page of {d1} vs {d2}",
    )
    add(
        "template_treatment",
        False,
        qa(f"What are the treatments for {d1} ?", TREAT.format(d=d1), d1),
        qa(f"What are the treatments for {d2} ?", TREAT.format(d=d2), d2),
        f"treatment resources of {d1} vs {d2}",
    )
    add(
        "template_genes",
        False,
        qa(f"What are the genetic changes related to {d1} ?", GENES.format(d=d1, g=g1), d1),
        qa(f"What are the genetic changes related to {d2} ?", GENES.format(d=d2, g=g2), d2),
        f"genetic changes of {d1} vs {d2}",
    )
for i in range(0, len(DISEASES) - 1, 2):
    (d1, g1, _), (d2, g2, _) = DISEASES[i], DISEASES[i + 1]
    add(
        "template_inheritance",
        False,
        qa(f"Is {d1} inherited ?", INHERIT.format(d=d1, g=g1), d1),
        qa(f"Is {d2} inherited ?", INHERIT.format(d=d2, g=g2), d2),
        f"inheritance page of {d1} vs {d2}",
    )
for (c1, o1), (c2, o2) in itertools.pairwise(CANCERS):
    add(
        "template_cancer",
        False,
        qa(f"What is (are) {c1} ?", CANCER.format(d=c1, o=o1), c1),
        qa(f"What is (are) {c2} ?", CANCER.format(d=c2, o=o2), c2),
        f"cancer key points of {c1} vs {c2}",
    )
# the same pages with no focus in metadata (only the text can tell)
for i in range(0, len(DISEASES) - 1, 2):
    (d1, g1, s1), (d2, g2, s2) = DISEASES[i], DISEASES[i + 1]
    add(
        "template_no_focus",
        False,
        qa(f"What are the symptoms of {d1} ?", SYMPTOMS.format(d=d1, s=s1), None),
        qa(f"What are the symptoms of {d2} ?", SYMPTOMS.format(d=d2, s=s2), None),
        f"symptom page of {d1} vs {d2}, no focus",
    )

# the long symptom template with a one-line table: only the disease name differs
SHORT = "{d} 90% Autosomal recessive inheritance -"
for i in range(len(DISEASES) - 1):
    d1, d2 = DISEASES[i][0], DISEASES[i + 1][0]
    for focus in (True, False):
        add(
            "template_one_line" if focus else "template_one_line_no_focus",
            False,
            qa(f"What are the symptoms of {d1} ?", SYMPTOMS.format(d=d1, s=SHORT.format(d=d1)), d1 if focus else None),
            qa(f"What are the symptoms of {d2} ?", SYMPTOMS.format(d=d2, s=SHORT.format(d=d2)), d2 if focus else None),
            f"one-line symptom page of {d1} vs {d2}" + ("" if focus else ", no focus"),
        )
    # no focus anywhere: a question that names nothing, so only the texts can tell
    add(
        "template_one_line_no_title",
        False,
        qa("Which signs and symptoms are listed ?", SYMPTOMS.format(d=d1, s=SHORT.format(d=d1)), None),
        qa("Which signs and symptoms are listed ?", SYMPTOMS.format(d=d2, s=SHORT.format(d=d2)), None),
        f"one-line symptom page of {d1} vs {d2}, no focus in metadata or question",
    )

# true near-duplicates: the same record again
for d, g, s in DISEASES:
    text = SYMPTOMS.format(d=d, s=s)
    add(
        "recrawl",
        True,
        qa(f"What are the symptoms of {d} ?", text, d),
        qa(f"What are the symptoms of {d} ?", text, d),
        "the same page in two collections",
    )
    add(
        "whitespace",
        True,
        qa(f"What are the symptoms of {d} ?", text, d),
        qa(f"What are the symptoms of {d} ?", "  " + text.replace(". ", ".\n\n    ").replace(" - ", "  -  "), d),
        "re-indented, blank lines",
    )
    add(
        "punctuation",
        True,
        qa(f"What are the treatments for {d} ?", TREAT.format(d=d), d),
        qa(f"What are the treatments for {d}?", TREAT.format(d=d).replace(" - ", "; ").replace(":", " :"), d),
        "list dashes became semicolons",
    )
    add(
        "sentence_added",
        True,
        qa(f"What are the genetic changes related to {d} ?", GENES.format(d=d, g=g), d),
        qa(
            f"What are the genetic changes related to {d} ?",
            GENES.format(d=d, g=g) + " These mutations are rare in the general population.",
            d,
        ),
        "one sentence added",
    )
    add(
        "typo",
        True,
        qa(f"Is {d} inherited ?", INHERIT.format(d=d, g=g), d),
        qa(
            f"Is {d} inherited ?",
            INHERIT.format(d=d, g=g).replace("typically", "typicaly").replace("individual", "indivdual"),
            d,
        ),
        "two typos",
    )
    add(
        "focus_variant",
        True,
        qa(f"What are the symptoms of {d} ?", text, d),
        qa(f"What are the symptoms of {d} ?", text, d.lower() + " (disorder)"),
        "same text, focus spelt differently",
    )
for d, _g, _s in DISEASES:
    text = SYMPTOMS.format(d=d, s=SHORT.format(d=d))
    add(
        "one_line_sentence_added",
        True,
        qa(f"What are the symptoms of {d} ?", text, d),
        qa(
            f"What are the symptoms of {d} ?",
            text + " Ask a genetics professional about the features seen in your family.",
            d,
        ),
        "one sentence added to a one-line symptom page",
    )
for c, o in CANCERS:
    add(
        "updated",
        True,
        qa(f"What is (are) {c} ?", CANCER.format(d=c, o=o), c),
        qa(f"What is (are) {c} ?", CANCER.format(d=c, o=o).replace("a lump or pain", "a lump, bleeding or pain"), c),
        "one phrase edited",
    )

with open("tests/filters/near_dedup_pairs.jsonl", "w", encoding="utf-8") as out:
    for pair in pairs:
        out.write(json.dumps(pair, ensure_ascii=False) + "\n")
print(len(pairs), sum(p["duplicate"] for p in pairs))
