"""How well each filter does what it claims, as measured by the benchmark scripts under ``bench/``.

The card prints these figures beside the build's own counts (a count says how much a filter
removed; only a labelled benchmark says how much of that was right).  Each entry is
``{metric: value, ..., "bench": "bench/x.py"}`` (optionally ``"note"``: what was measured on);
rerun the script and update the entry when a filter changes.  An entry with no metric (or a
metric set to ``None``) is rendered as "not measured" - better than a figure nobody can reproduce.
"""

from __future__ import annotations

#: a metric's value in [0, 1], or None while not measured; "bench" and "note" are text
Measurement = dict[str, float | str | None]

MEASURED: dict[str, Measurement] = {
    "pii": {"precision": None, "recall": None, "bench": ""},
    "langid": {
        "accuracy (texts > 20 chars)": 0.9973,
        "min precision (zh)": 0.950,
        "min recall (ja)": 0.951,
        "accuracy on the hard set": 1.000,
        "wrong rejections of real upstream text (rate)": 0.000,
        "bench": "bench/bench_langid.py",
        "note": "1,355 labelled medical texts in six languages; a hard set of 86 hand-written texts"
        " (disease-name-dense English, kanji-only Japanese, mixed script); 18,551 real upstream texts, whose"
        " one rejection (IgakuQA119 119A3, printed in English) is justified",
    },
    "exact_dedup": {"precision": None, "recall": None, "bench": ""},
    "near_dedup": {
        "precision": 1.000,
        "recall": 0.999,
        "precision (template pages about different entities)": 1.000,
        "recall (template pages)": 1.000,
        "bench": "bench/bench_dedup.py, bench/bench_near_dedup_eval.py",
        "note": "200,000 records with 33,106 planted pairs against exact Jaccard >= 0.8; 173 labelled"
        " MedQuAD-shaped page pairs (Jaccard >= 0.8 alone: precision 0.714)",
    },
    "decontam": {
        "precision (en)": 0.987,
        "recall (en)": 0.985,
        "precision (es)": 0.985,
        "recall (es)": 0.985,
        "precision (fr)": 0.981,
        "recall (fr)": 1.000,
        "precision (ru)": 1.000,
        "recall (ru)": 1.000,
        "precision (ja)": 1.000,
        "recall (ja)": 1.000,
        "precision (zh)": 1.000,
        "recall (zh)": 1.000,
        "precision (es -> en translations of the release's own versions, default, by release id)": 1.0,
        "recall (es -> en translations of the release's own versions, default, by release id)": 1.0,
        "recall (es -> en translations with no version link, default check)": 0.0,
        "precision (es -> en other-year repeats, default, through the release's language versions)": 0.564,
        "recall (es -> en other-year repeats, default, through the release's language versions)": 1.0,
        "precision (es -> en, opt-in --decontam-crosslingual, translations, cognates only)": 0.999,
        "recall (es -> en, opt-in --decontam-crosslingual, translations, cognates only)": 0.825,
        "precision (es -> en, opt-in --decontam-crosslingual, translations, lexicon from train + dev)": 0.999,
        "recall (es -> en, opt-in --decontam-crosslingual, translations, lexicon from train + dev)": 0.982,
        "bench": "bench/bench_decontam.py",
        "note": "2,574 labelled pairs: HEAD-QA es/en, FrenchMedMCQA and RuMedBench repeats across exam years,"
        " edited/reordered/changed-option repeats and hard negatives, plus 60 crafted ja and 60 zh pairs"
        " (same case with another question, shared vignette boilerplate, same topic); the opt-in cross-lingual"
        " check finds other-year repeats in the other language with recall 0.86 at precision 0.17 (cognates"
        " only) or 1.00 at precision 0.32 (with the word lexicon learned from HEAD-QA train + dev)",
    },
}
