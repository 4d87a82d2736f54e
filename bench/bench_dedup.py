"""Near-duplicate detection at scale: mmed_ift's vectorised MinHash LSH next to its fastest peers.

    python bench/bench_dedup.py [--n 200000] [--repeats 3] [--methods ours,datasketch,rensa] [--seed 0]

A seeded multilingual corpus (en fr es ru as word text, zh ja as character text) is generated
with near-duplicates planted at known Jaccard levels (0.5 .. 1.0, by a computed number of
spaced substitutions).  Every method does the same job, in its own process (so its CPU and peak
RSS are its own), on the same records, at the same settings: LSH tuned at 0.6 (128
permutations; datasketch's optimal bands x rows), then every candidate pair confirmed by its
*exact* Jaccard similarity at >= 0.8, so precision and recall are comparable:

(a) ``ours``: ``mmed_ift.filters.near_dedup.find_near_duplicates`` (its 128 columns come from
    one-permutation hashing with densification, :func:`mmed_ift.text.minhash.signatures`, not
    from 128 permutations; the bands x rows are the same);
(b) ``datasketch`` used as its documentation advises for speed: ``MinHash.bulk`` (the batch
    form of ``update_batch``) with an xxhash ``hashfunc``, ``MinHashLSH`` filled in an
    ``insertion_session``, every record queried, candidates checked on shingle sets;
(c) ``rensa`` (Rust MinHash): ``RMinHash.update`` with the shingle list, ``RMinHashLSH`` with
    the same number of bands, ``insert_many`` + ``query_all``, the same exact check.

The peers shingle as a user would (``normalize_text``, then word / character 3-gram strings);
that work is part of their cost, as ours is part of ours (a faster ``normalize_text`` speeds
them up as much as us).  Runs are interleaved (one run of
every method per round, ``--repeats`` rounds) and the medians printed: CPU seconds per record
(user + system, so threads count), records per CPU-second, peak RSS, precision and recall at
Jaccard >= 0.8, and each peer's CPU ratio to ours (median of the per-round ratios).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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
LSH_THRESHOLD = 0.6
NUM_PERM = 128


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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_ours(texts: list[str], langs: list[str]) -> list[tuple[int, int]]:
    from mmed_ift.filters.near_dedup import NearDedupConfig, find_near_duplicates

    found = find_near_duplicates(texts, langs, NearDedupConfig(threshold=THRESHOLD, lsh_threshold=LSH_THRESHOLD))
    return [(left, right) for left, right, _ in found.pairs]


def _shingle_strings(texts: list[str], langs: list[str]) -> list[list[bytes]]:
    """Word (en fr es ru) or character (zh ja) 3-grams of the normalised text, as a user writes it."""
    from mmed_ift.text.normalize import normalize_text

    out = []
    for text, lang in zip(texts, langs, strict=True):
        normalized = normalize_text(text)
        if lang in ("zh", "ja"):
            units = list(normalized.replace(" ", ""))
            joiner = ""
        else:
            units = normalized.split()
            joiner = " "
        out.append([joiner.join(units[i : i + N]).encode("utf-8") for i in range(max(1, len(units) - N + 1))])
    return out


def _confirmed(candidates: set[tuple[int, int]], shingles: list[list[bytes]]) -> list[tuple[int, int]]:
    """The exact-Jaccard check every method does: candidate pairs at similarity >= THRESHOLD."""
    sets: dict[int, set[bytes]] = {}
    kept = []
    for left, right in sorted(candidates):
        a = sets.setdefault(left, set(shingles[left]))
        b = sets.setdefault(right, set(shingles[right]))
        shared = len(a & b)
        if shared / (len(a) + len(b) - shared) >= THRESHOLD:
            kept.append((left, right))
    return kept


def run_datasketch(texts: list[str], langs: list[str]) -> list[tuple[int, int]]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    shingles = _shingle_strings(texts, langs)
    minhashes = MinHash.bulk(shingles, num_perm=NUM_PERM, hashfunc=xxhash.xxh32_intdigest)
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for index, minhash in enumerate(minhashes):
            session.insert(index, minhash, check_duplication=False)
    candidates = set()
    for index, minhash in enumerate(minhashes):
        for other in lsh.query(minhash):
            if other != index:
                candidates.add((min(index, other), max(index, other)))
    return _confirmed(candidates, shingles)


def run_rensa(texts: list[str], langs: list[str]) -> list[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    from mmed_ift.text.minhash import optimal_bands_rows

    # rensa needs num_perm divisible by the bands: bands x rows permutations (18 x 7 = 126 at
    # 0.6) give exactly the banding the others use, which only ever read those 126 columns
    bands, rows = optimal_bands_rows(LSH_THRESHOLD, NUM_PERM)
    shingles = _shingle_strings(texts, langs)
    minhashes = []
    for grams in shingles:
        minhash = RMinHash(num_perm=bands * rows, seed=1)
        minhash.update(grams)
        minhashes.append(minhash)
    lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=bands * rows, num_bands=bands)
    lsh.insert_many(minhashes)
    candidates = set()
    for index, found in enumerate(lsh.query_all(minhashes)):
        for other in found:
            if other != index:
                candidates.add((min(index, other), max(index, other)))
    return _confirmed(candidates, shingles)


METHODS = {"ours": run_ours, "datasketch": run_datasketch, "rensa": run_rensa}


def worker(method: str, corpus: Path, out: Path) -> None:
    frame = pl.read_parquet(corpus)
    texts, langs = frame["text"].to_list(), frame["lang"].to_list()
    cpu, start = _cpu(), time.perf_counter()
    pairs = METHODS[method](texts, langs)
    out.write_text(
        json.dumps(
            {
                "cpu": _cpu() - cpu,
                "seconds": time.perf_counter() - start,
                "pairs": pairs,
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    )


def _spawn(method: str, corpus: Path, folder: Path) -> dict[str, Any]:
    out = folder / f"{method}.json"
    subprocess.run(
        [sys.executable, __file__, "--worker", method, "--corpus", str(corpus), "--result", str(out)], check=True
    )
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _exact(texts: list[str], langs: list[str], pairs: list[tuple[int, int]]) -> list[float]:
    from mmed_ift.text.minhash import jaccard
    from mmed_ift.text.shingles import Shingler

    shingler = Shingler(N, N)
    needed = sorted({index for pair in pairs for index in pair})
    batch = shingler.shingle([texts[index] for index in needed], [langs[index] for index in needed])
    sets = {index: np.unique(batch.of(row)) for row, index in enumerate(needed)}
    return [jaccard(sets[left], sets[right]) for left, right in pairs]


def _quality(
    result: dict[str, Any], texts: list[str], langs: list[str], planted: list[tuple[int, int, float]]
) -> tuple[float, float]:
    """(precision, recall) of the reported pairs at exact Jaccard >= THRESHOLD; the truth is
    the planted pairs that reach it (unplanted pairs that happen to reach it count as true)."""
    pairs = [(int(left), int(right)) for left, right in result["pairs"]]
    similarity = _exact(texts, langs, [(left, right) for left, right, _ in planted])
    truth = {(left, right) for (left, right, _), value in zip(planted, similarity, strict=True) if value >= THRESHOLD}
    true_predictions = sum(value >= THRESHOLD for value in _exact(texts, langs, pairs))
    precision = true_predictions / len(pairs) if pairs else 1.0
    recall = len(truth & set(pairs)) / len(truth) if truth else 1.0
    return precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", "--records", dest="n", type=int, default=200_000, help="records in the corpus")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds (medians are printed)")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated, from: " + ", ".join(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", choices=list(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.corpus, args.result)
        return
    methods = [name.strip() for name in args.methods.split(",") if name.strip()]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"unknown methods {unknown}; choose from {list(METHODS)}")
    missing = [name for name in methods if name != "ours" and importlib.util.find_spec(name) is None]
    for name in missing:
        print(f"{name} is not installed (pip install {name}, or the [dev] extra): left out")
    methods = [name for name in methods if name not in missing]
    start = time.perf_counter()
    texts, langs, planted = make_corpus(args.n, args.seed)
    print(
        f"corpus: {len(texts):,} records, {len(planted):,} planted pairs,"
        f" generated in {time.perf_counter() - start:.1f} s"
    )
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in methods}
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.parquet"
        pl.DataFrame({"text": texts, "lang": langs}).write_parquet(corpus)
        for _ in range(args.repeats):
            for name in methods:  # interleaved: load changes hit every method alike
                runs[name].append(_spawn(name, corpus, Path(folder)))
    count = len(texts)
    print(
        f"\n{'method':<11}{'CPU s':>8}{'µs CPU/rec':>11}{'rec/CPU-s':>11}{'wall s':>8}{'peak MB':>9}"
        f"{'precision':>10}{'recall':>8}"
    )
    for name in methods:
        cpu = statistics.median(run["cpu"] for run in runs[name])
        wall = statistics.median(run["seconds"] for run in runs[name])
        peak = statistics.median(run["peak_rss_mb"] for run in runs[name])
        precision, recall = _quality(runs[name][0], texts, langs, planted)
        print(
            f"{name:<11}{cpu:>8.2f}{cpu / count * 1e6:>11.1f}{count / cpu:>11,.0f}{wall:>8.2f}{peak:>9.0f}"
            f"{precision:>10.3f}{recall:>8.3f}"
        )
    if "ours" in methods:
        for name in methods:
            if name != "ours":
                ratios = [peer["cpu"] / ours["cpu"] for peer, ours in zip(runs[name], runs["ours"], strict=True)]
                walls = [peer["seconds"] / ours["seconds"] for peer, ours in zip(runs[name], runs["ours"], strict=True)]
                print(
                    f"{name} / ours: {statistics.median(ratios):.2f}x the CPU, {statistics.median(walls):.2f}x the wall"
                    f" time (median of {len(ratios)} interleaved rounds; per round: "
                    + ", ".join(f"{ratio:.2f}" for ratio in ratios)
                    + ")"
                )


if __name__ == "__main__":
    main()
