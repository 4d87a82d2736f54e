"""Near-duplicate detection at scale: mmed_ift's vectorised MinHash LSH vs the usual datasketch loop.

    python bench/bench_dedup.py [--records 200000] [--baseline-records 20000] [--seed 0]

A seeded multilingual corpus (en fr es ru as word text, zh ja as character text) is generated
with near-duplicates planted at known Jaccard levels (0.5 .. 1.0, by a computed number of
spaced substitutions).  Each method runs in its own process so its peak RSS is its own:

(a) ``mmed_ift.filters.dedup.find_near_duplicates`` (LSH tuned at 0.6, exact-Jaccard check at 0.8);
(b) the baseline a user would write: ``datasketch.MinHash`` with ``update`` per shingle and
    ``MinHashLSH(threshold=0.8)``, every record inserted then queried, on a slice of the
    corpus (the loop is slow; its records/s does not depend on the slice size).

Both use the same normalisation and n-grams (word 3-grams, character 3-grams for zh/ja), so
precision and recall are measured against the same exact Jaccard similarity.  Prints records/s,
peak RSS, precision and recall at Jaccard >= 0.8, and recall per planted Jaccard level.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl

LATIN = "abcdefghijklmnopqrstuvwxyzéèáíóúñç"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"
HAN = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
KANA = [chr(code) for code in range(0x3041, 0x3094)]
LEVELS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5)
LANGS = ("en", "fr", "es", "ru", "zh", "ja")
N = 3
THRESHOLD = 0.8


def _vocabulary(rng: random.Random, alphabet: str, size: int) -> list[str]:
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 10))) for _ in range(size)]


def _units(rng: random.Random, lang: str, vocab: dict[str, list[str]]) -> list[str]:
    if lang in ("zh", "ja"):
        pool = HAN + KANA * 2 if lang == "ja" else HAN
        return [rng.choice(pool) for _ in range(rng.randint(60, 300))]
    words = vocab[lang]
    # Zipf-like: frequent words recur, as in real text
    return [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(rng.randint(30, 150))]


def _join(units: list[str], lang: str) -> str:
    return "".join(units) if lang in ("zh", "ja") else " ".join(units)


def _edited(rng: random.Random, units: list[str], level: float, filler: list[str]) -> list[str]:
    """A copy whose n-gram Jaccard with ``units`` is about ``level``: k spaced substitutions."""
    shingles = max(1, len(units) - N + 1)
    k = round(shingles * (1 - level) / (N * (1 + level)))
    copy = list(units)
    positions = list(range(0, len(units), N))
    for position in rng.sample(positions, min(k, len(positions))):
        copy[position] = rng.choice(filler) + "x" if copy[position] in filler else rng.choice(filler)
    return copy


def make_corpus(
    records: int, seed: int, duplicate_share: float = 0.2
) -> tuple[list[str], list[str], list[tuple[int, int, float]]]:
    """Texts, languages and the planted (original, copy, target level) pairs, in group order."""
    rng = random.Random(seed)
    vocab = {lang: _vocabulary(rng, CYRILLIC if lang == "ru" else LATIN, 20000) for lang in ("en", "fr", "es", "ru")}
    fillers = {lang: vocab.get(lang, HAN) for lang in LANGS}
    texts: list[str] = []
    langs: list[str] = []
    planted: list[tuple[int, int, float]] = []
    while len(texts) < records:
        lang = rng.choice(LANGS)
        units = _units(rng, lang, vocab)
        texts.append(_join(units, lang))
        langs.append(lang)
        if rng.random() < duplicate_share and len(texts) < records:
            level = rng.choice(LEVELS)
            texts.append(_join(_edited(rng, units, level, fillers[lang]), lang))
            langs.append(lang)
            planted.append((len(texts) - 2, len(texts) - 1, level))
    return texts, langs, planted


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(texts: list[str], langs: list[str]) -> list[tuple[int, int]]:
    from mmed_ift.filters.near_dedup import NearDedupConfig, find_near_duplicates

    found = find_near_duplicates(texts, langs, NearDedupConfig(threshold=THRESHOLD))
    return [(left, right) for left, right, _ in found.pairs]


def run_baseline(texts: list[str], langs: list[str]) -> list[tuple[int, int]]:
    from datasketch import MinHash, MinHashLSH

    from mmed_ift.text.normalize import normalize_text

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
    hashes = []
    for index, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        normalized = normalize_text(text)
        units = list(normalized.replace(" ", "")) if lang in ("zh", "ja") else normalized.split()
        grams = [" ".join(units[i : i + N]) for i in range(max(1, len(units) - N + 1))]
        minhash = MinHash(num_perm=128)
        for gram in grams:
            minhash.update(gram.encode("utf-8"))
        lsh.insert(str(index), minhash)
        hashes.append(minhash)
    pairs = set()
    for index, minhash in enumerate(hashes):
        for other in lsh.query(minhash):
            if int(other) != index:
                pairs.add((min(index, int(other)), max(index, int(other))))
    return sorted(pairs)


def worker(method: str, corpus: Path, out: Path) -> None:
    frame = pl.read_parquet(corpus)
    texts, langs = frame["text"].to_list(), frame["lang"].to_list()
    start = time.perf_counter()
    pairs = run_ours(texts, langs) if method == "ours" else run_baseline(texts, langs)
    seconds = time.perf_counter() - start
    out.write_text(json.dumps({"seconds": seconds, "pairs": pairs, "peak_rss_mb": _peak_rss_mb()}))


def _spawn(method: str, texts: list[str], langs: list[str], folder: Path) -> dict[str, object]:
    corpus, out = folder / f"{method}.parquet", folder / f"{method}.json"
    pl.DataFrame({"text": texts, "lang": langs}).write_parquet(corpus)
    subprocess.run(
        [sys.executable, __file__, "--worker", method, "--corpus", str(corpus), "--result", str(out)], check=True
    )
    result: dict[str, object] = json.loads(out.read_text())
    return result


def _exact(texts: list[str], langs: list[str], pairs: list[tuple[int, int]]) -> list[float]:
    from mmed_ift.text.minhash import jaccard
    from mmed_ift.text.shingles import Shingler

    shingler = Shingler(N, N)
    needed = sorted({index for pair in pairs for index in pair})
    batch = shingler.shingle([texts[index] for index in needed], [langs[index] for index in needed])
    sets = {index: np.unique(batch.of(row)) for row, index in enumerate(needed)}
    return [jaccard(sets[left], sets[right]) for left, right in pairs]


def _score(
    name: str, result: dict[str, object], texts: list[str], langs: list[str], planted: list[tuple[int, int, float]]
) -> None:
    pairs = [tuple(pair) for pair in result["pairs"]]  # type: ignore[attr-defined]
    found = set(pairs)
    similarity = _exact(texts, langs, [(left, right) for left, right, _ in planted])
    truth = {(left, right) for (left, right, _), value in zip(planted, similarity, strict=True) if value >= THRESHOLD}
    predicted_similarity = _exact(texts, langs, pairs)  # type: ignore[arg-type]
    true_predictions = sum(value >= THRESHOLD for value in predicted_similarity)
    precision = true_predictions / len(pairs) if pairs else 1.0
    recall = len(truth & found) / len(truth) if truth else 1.0
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    print(
        f"{name:<10}{len(texts):>9,}{seconds:>9.1f}{len(texts) / seconds:>12,.0f}"
        f"{float(result['peak_rss_mb']):>10.0f}{precision:>11.3f}{recall:>8.3f}"  # type: ignore[arg-type]
    )
    by_level: dict[float, list[bool]] = defaultdict(list)
    for (left, right, level), value in zip(planted, similarity, strict=True):
        if value >= THRESHOLD:
            by_level[level].append((left, right) in found)
    print(
        "          recall by planted level: "
        + ", ".join(f"{level}: {sum(hits) / len(hits):.3f}" for level, hits in sorted(by_level.items(), reverse=True))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--baseline-records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.corpus, args.result)
        return
    start = time.perf_counter()
    texts, langs, planted = make_corpus(args.records, args.seed)
    print(
        f"corpus: {len(texts):,} records, {len(planted):,} planted pairs,"
        f" generated in {time.perf_counter() - start:.1f} s"
    )
    small = args.baseline_records
    small_planted = [pair for pair in planted if pair[1] < small]
    with tempfile.TemporaryDirectory() as folder:
        ours = _spawn("ours", texts, langs, Path(folder))
        baseline = _spawn("baseline", texts[:small], langs[:small], Path(folder))
    print(f"\n{'method':<10}{'records':>9}{'seconds':>9}{'records/s':>12}{'peak MB':>10}{'precision':>11}{'recall':>8}")
    _score("mmed_ift", ours, texts, langs, planted)
    _score("datasketch", baseline, texts[:small], langs[:small], small_planted)
    speedup = (len(texts) / float(ours["seconds"])) / (small / float(baseline["seconds"]))  # type: ignore[arg-type]
    print(f"\nspeed-up over the baseline: {speedup:.1f}x records/s (precision/recall at Jaccard >= {THRESHOLD})")


if __name__ == "__main__":
    main()
