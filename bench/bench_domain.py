"""Precision and recall of the medical-article classifier, per language, on the project's labelled set.

    python bench/bench_domain.py [--sources DIR] [--threshold 0.5] [--labelled tests/data/domain_labelled.jsonl]

Trains each language's classifier exactly as a build does (``mmed_ift.sources.wiki_select``):
positives from the other sources' training items under ``--sources`` (default: the bundled
samples) and the seed lexicon, negatives from a random sample of the Wikipedia articles found
there and the general lexicon.  Then scores the held-out labelled snippets (medical / other,
written by the project, never used in training) and prints precision, recall and the count of
each, per language and overall, at ``--threshold``; and the scoring speed (articles/s, one CPU
thread: an article's title and text, as a build scores them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mmed_ift.sources import bundled_samples_root, registry  # noqa: E402
from mmed_ift.sources.wiki_formats import Article, iter_articles  # noqa: E402
from mmed_ift.sources.wiki_select import Reservoir, classifiers  # noqa: E402
from mmed_ift.wiki_options import WikiOptions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, default=None)
    parser.add_argument("--threshold", type=float, default=WikiOptions().domain_threshold)
    parser.add_argument("--articles", action="store_true", help="also score the bundled articles (selected / not)")
    parser.add_argument("--labelled", type=Path, default=ROOT / "tests" / "data" / "domain_labelled.jsonl")
    args = parser.parse_args()
    root = args.sources or bundled_samples_root()
    labelled = [json.loads(line) for line in args.labelled.read_text(encoding="utf-8").splitlines() if line.strip()]
    langs = sorted({row["lang"] for row in labelled})
    wiki = root / "wikipedia"
    wiki_adapter = registry()["wikipedia"]()
    reservoir = Reservoir(WikiOptions().negatives_per_language)
    articles: list[Article] = []
    for path in wiki_adapter.find_files(wiki):
        for article in iter_articles(path, wiki):
            if isinstance(article, Article):
                reservoir.offer(article.lang, f"{article.title}\n{article.text}")
                articles.append(article)
    for lang in langs:
        reservoir.kept.setdefault(lang, [])
    others = tuple((name, str(root / name)) for name in registry() if name != "wikipedia" and (root / name).is_dir())
    started = time.perf_counter()
    models = dict(classifiers(WikiOptions(positive_sources=others), reservoir.kept))
    seconds = time.perf_counter() - started
    print(f"sources: {root}  threshold: {args.threshold}  trained {len(models)} classifiers in {seconds:.1f} s")
    print(f"{'lang':<6}{'precision':>10}{'recall':>8}{'medical':>9}{'other':>7}{'dump':>7}")
    totals = [0, 0, 0]  # true positives, predicted positives, actual positives
    for lang in langs:
        rows = [row for row in labelled if row["lang"] == lang]
        predicted = [models[lang].score(row["text"]) >= args.threshold for row in rows]
        actual = [row["label"] == "medical" for row in rows]
        tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
        counts = [tp, sum(predicted), sum(actual)]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        precision = tp / counts[1] if counts[1] else float("nan")
        recall = tp / counts[2] if counts[2] else float("nan")
        print(f"{lang:<6}{precision:>10.3f}{recall:>8.3f}{counts[2]:>9}{len(rows) - counts[2]:>7}"
              f"{len(reservoir.kept[lang]):>7}")  # fmt: skip
    precision = totals[0] / totals[1] if totals[1] else float("nan")
    recall = totals[0] / totals[2] if totals[2] else float("nan")
    print(f"{'all':<6}{precision:>10.3f}{recall:>8.3f}")
    _print_speed(models, articles)
    if args.articles:
        for lang in langs:
            scores = sorted(round(models[lang].score(text), 2) for text in reservoir.kept[lang])
            chosen = sum(score >= args.threshold for score in scores)
            print(f"{lang}: {chosen}/{len(scores)} dump articles selected; lowest scores {scores[:8]}")


def _print_speed(models: dict[str, Any], articles: list[Article], rounds: int = 5) -> None:
    """Articles scored per second (the selection's CPU cost per article), best of ``rounds``."""
    from mmed_ift.text import domain

    best = 0.0
    for _ in range(rounds):
        domain._word_buckets.cache_clear()  # a dump's vocabulary is mostly cached; start cold anyway
        started = time.perf_counter()
        for article in articles:
            models[article.lang].score(f"{article.title}\n{article.text}")
        best = max(best, len(articles) / (time.perf_counter() - started))
    print(f"scoring: {best:,.0f} articles/s ({len(articles)} articles, best of {rounds})")


if __name__ == "__main__":
    main()
