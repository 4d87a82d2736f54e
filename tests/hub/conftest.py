"""A small real build (MedQA in English, Wikipedia in Japanese and French) shared by the Hub tests.

The sources are written here, in the upstream formats, rather than taken from the bundled samples
so that the counts the tests assert do not move when the samples grow.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mmed_ift.hub.checksums import REPORT_KEY, output_checksums
from mmed_ift.pipeline import BuildConfig, build
from tests.hub.fake_hub import FakeHub

DRUGS = {"A": "Lisinopril", "B": "Metoprolol", "C": "Amlodipine", "D": "Hydrochlorothiazide"}
ARTICLES = [
    ("ja", "1", "心房細動", "心房細動は心房が不規則に興奮する不整脈で、脳梗塞の主要な原因となる。"),
    ("ja", "2", "甲状腺機能亢進症", "甲状腺機能亢進症では甲状腺ホルモンが過剰に分泌され、動悸や体重減少がみられる。"),
    ("fr", "3", "Méningite", "La méningite est une inflammation des méninges, le plus souvent d'origine infectieuse."),
]


#: distinct vignettes, so that the dedup and decontamination filters keep every one of them
VIGNETTES = {
    0: "A 45-year-old woman with diabetic kidney disease and albuminuria needs blood pressure control.",
    1: "A man with chronic stable angina and palpitations asks which drug lowers his resting heart rate.",
    2: "An elderly patient of African descent with isolated systolic hypertension starts monotherapy.",
    3: "A young athlete is found to have mild fluid retention after a week of heavy training.",
    4: "Which medicine causes a persistent dry cough through bradykinin accumulation?",
    10: "Ankle edema that improves with an ACE inhibitor is typical of which calcium channel blocker?",
    11: "A thiazide diuretic may precipitate gout because it raises serum uric acid; name it.",
    20: "A beta-blocker is contraindicated in severe asthma; which listed agent is cardioselective?",
    21: "Pregnancy is an absolute contraindication to which antihypertensive class on this list?",
}


def _medqa(number: int) -> str:
    answer = "ABCD"[number % 4]
    record = {
        "question": VIGNETTES[number],
        "answer": DRUGS[answer],
        "options": DRUGS,
        "meta_info": "step1",
        "answer_idx": answer,
        "metamap_phrases": ["blood pressure"],
    }
    return json.dumps(record, ensure_ascii=False)


def write_sources(root: Path) -> Path:
    medqa = root / "medqa" / "US" / "4_options"
    medqa.mkdir(parents=True)
    for split, numbers in (("train", range(5)), ("dev", range(10, 12)), ("test", range(20, 22))):
        lines = "\n".join(_medqa(number) for number in numbers) + "\n"
        (medqa / f"phrases_no_exclude_{split}.jsonl").write_text(lines, encoding="utf-8")
    for lang in ("ja", "fr"):
        folder = root / "wikipedia" / f"{lang}wiki" / "AA"
        folder.mkdir(parents=True)
        rows = [
            {
                "id": page,
                "revid": "7",
                "url": f"https://{lang}.wikipedia.org/wiki?curid={page}",
                "title": title,
                "text": text,
            }
            for article_lang, page, title, text in ARTICLES
            if article_lang == lang
        ]
        (folder / "wiki_00").write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", "utf-8")
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished build folder; tests must not modify it (copy it first)."""
    root = tmp_path_factory.mktemp("hub")
    config = BuildConfig(
        languages=("en", "ja", "fr"),
        out_dir=root / "out",
        sources_dir=write_sources(root / "sources"),
        progress=False,
    )
    out = build(config).out_dir
    record_checksums(out)
    return out


def record_checksums(out: Path) -> None:
    """What the build's writer records (``output_sha256``); added here when the build did not."""
    path = out / "build_report.json"
    report = json.loads(path.read_text("utf-8"))
    if REPORT_KEY not in report:
        report[REPORT_KEY] = output_checksums(out)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()
