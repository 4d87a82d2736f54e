"""Reading and selecting a whole-language Wikipedia dump in bounded memory.

    python bench/bench_wiki_stream.py [--gb 1.0] [--dir /tmp/wiki_dump] [--keep]

Writes a synthetic ``wikimedia/wikipedia`` dump of about ``--gb`` GB (parquet shards
``20231101.en/train-0000N-of-0000M.parquet``, columns ``id, url, title, text``; one article in
twenty medical, the rest general text, with section headings), then reads it with the Wikipedia
adapter in a child process -- the first pass samples negatives, the classifier is trained, the
second pass scores every article and cuts the selected ones into sections -- and prints the
child's peak RSS, the articles read and selected, and the throughput.  Target: peak < 1.5 GB for
a 1 GB dump (the adapter holds one record batch, the negative sample and the model).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARD_BYTES = 128 * 1024 * 1024


def write_dump(folder: Path, gigabytes: float, seed: int = 0) -> tuple[int, int]:
    """Shards of about ``SHARD_BYTES`` each until ``gigabytes`` of text; returns (articles, bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from mmed_ift.sources.wiki_seed import GENERAL, GENERAL_TEXT, MEDICAL, MEDICAL_TEXT

    rng = random.Random(seed)
    medical_words, general_words = MEDICAL["en"].split(), GENERAL["en"].split()
    headings = ["History", "Geography", "Economy", "Culture", "Signs and symptoms", "Treatment", "References"]
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("title", pa.string()), ("text", pa.string())])
    target = int(gigabytes * 1024**3)
    shards = max(1, round(target / SHARD_BYTES))
    config = folder / "20231101.en"
    config.mkdir(parents=True, exist_ok=True)
    written = articles = 0
    for shard in range(shards):
        rows: list[dict[str, str]] = []
        size = 0
        while size < target // shards:
            medical = rng.random() < 0.05
            words = medical_words if medical else general_words
            sentences = MEDICAL_TEXT["en"] if medical else GENERAL_TEXT["en"]
            blocks = [" ".join(rng.choices(sentences, k=3))]
            for heading in rng.sample(headings, 4):
                paragraph = " ".join(rng.choices(words, k=rng.randint(60, 400))).capitalize() + "."
                blocks += [heading, paragraph]
            text = "\n\n".join(blocks)
            title = " ".join(rng.choices(words, k=2)).title()
            articles += 1
            rows.append({"id": str(articles), "url": f"https://en.wikipedia.org/wiki/A{articles}", "title": title,
                         "text": text})  # fmt: skip
            size += len(text.encode())
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, config / f"train-{shard:05d}-of-{shards:05d}.parquet", row_group_size=1000)
        del rows, table
        written += size
    return articles, written


def read_and_select(folder: Path) -> None:
    """The child: stream the dump through the adapter, counting, keeping nothing."""
    from mmed_ift.schemas import Passage, Reject
    from mmed_ift.sources.wikipedia import Wikipedia

    adapter = Wikipedia()
    passages = rejects = 0
    started = time.perf_counter()
    for result in adapter.read(folder):
        if isinstance(result, Passage):
            passages += 1
        elif isinstance(result, Reject):
            rejects += 1
    seconds = time.perf_counter() - started
    block = adapter.selection.to_dict()["en"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles read {block['articles_read']}, selected {block['articles_selected']}, passages {passages},"
          f" rejects {rejects}, {seconds:.0f} s ({block['articles_read'] / seconds:.0f} articles/s),"
          f" peak RSS {peak:.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/mmed_ift_wiki_dump"))
    parser.add_argument("--keep", action="store_true", help="keep the dump (and reuse it next time)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        read_and_select(args.dir)
        return
    started = time.perf_counter()
    if not (args.keep and args.dir.is_dir()):
        shutil.rmtree(args.dir, ignore_errors=True)
        articles, written = write_dump(args.dir, args.gb)
        seconds = time.perf_counter() - started
        print(f"wrote {articles} articles, {written / 1024**3:.2f} GB of text, in {seconds:.0f} s")
    on_disk = sum(path.stat().st_size for path in args.dir.rglob("*.parquet"))
    print(f"dump: {args.dir} ({on_disk / 1024**3:.2f} GB of parquet)")
    subprocess.run([sys.executable, __file__, "--child", "--dir", str(args.dir)], check=True)
    if not args.keep:
        shutil.rmtree(args.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
