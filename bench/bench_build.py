"""The whole local build against its read+write floor, on a corpus in three languages.

    python bench/bench_build.py [--n 200000] [--repeats 1] [--seed 0] [--profile FILE]

A seeded corpus of ``--n`` multiple-choice records in three real upstream formats, a third each:
MedQA (English, jsonl), FrenchMedMCQA (French, a JSON array) and HEAD-QA (Spanish, one JSON
object of exams), each with a held-out ``test`` split (3% of its records: the benchmark).  Planted
among the training records: 5% exact duplicates (case and punctuation changed), 5%
near-duplicates (one word changed) and 1% benchmark leaks (a test question copied into train).
Questions are ~45 words drawn from a per-language medical vocabulary, so language ID keeps them.

Each measurement runs in its own process, interleaved over ``--repeats`` rounds (medians):

* ``build``: ``mmed_ift.build`` (local engine, template generator, the default filter chain);
  CPU seconds (user + system) and peak RSS (``ru_maxrss``, minus the process's RSS before the
  build, so the interpreter and imports are not charged per record);
* ``floor``: polars reading the same input files and pyarrow writing the same number of output
  rows (the build's own output tables, loaded before the clock starts) as parquet.

Prints records per CPU-second of each, peak memory per record, and the build's CPU ratio to the
floor.  ``--profile FILE`` also writes a cProfile of one build (``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: ~70 words per language, joined; a question is 44 of them at random
_VOCAB_TEXT = {
    "en": (
        "patient presents with acute chronic pain fever cough dyspnea fatigue nausea vomiting rash edema "
        "history hypertension diabetes asthma smoking alcohol examination reveals tenderness murmur wheezing "
        "crackles laboratory shows elevated decreased glucose sodium potassium creatinine hemoglobin platelet "
        "count imaging demonstrates mass effusion fracture which following most likely diagnosis next best "
        "step management treatment mechanism drug therapy year old man woman child infant emergency "
        "department hospital admitted weeks days months prior onset sudden gradual worsening"
    ),
    "fr": (
        "patient présente une douleur aiguë chronique fièvre toux dyspnée fatigue nausées vomissements "
        "éruption œdème antécédents hypertension diabète asthme tabagisme alcool examen révèle sensibilité "
        "souffle laboratoire montre élevé diminué glucose sodium potassium créatinine hémoglobine plaquettes "
        "imagerie masse épanchement fracture quel est le diagnostic plus probable prochaine étape prise en "
        "charge traitement mécanisme médicament thérapie ans homme femme enfant nourrisson urgences hôpital "
        "admis semaines jours mois depuis début brutal progressif aggravation concernant parmi propositions "
        "suivantes"
    ),
    "es": (
        "paciente presenta con dolor agudo crónico fiebre tos disnea fatiga náuseas vómitos erupción edema "
        "antecedentes hipertensión diabetes asma tabaquismo alcohol exploración revela sensibilidad soplo "
        "laboratorio muestra elevado disminuido glucosa sodio potasio creatinina hemoglobina plaquetas imagen "
        "masa derrame fractura cuál es el diagnóstico más probable siguiente paso manejo tratamiento "
        "mecanismo fármaco terapia años varón mujer niño lactante urgencias hospital ingresado semanas días "
        "meses desde inicio súbito gradual empeoramiento de los siguientes"
    ),
}
VOCAB = {lang: text.split() for lang, text in _VOCAB_TEXT.items()}
DRUGS = {
    "en": ["metformin", "insulin", "lisinopril", "amlodipine", "atorvastatin", "warfarin", "heparin", "aspirin"],
    "fr": ["metformine", "insuline", "lisinopril", "amlodipine", "atorvastatine", "warfarine", "héparine", "aspirine"],
    "es": ["metformina", "insulina", "lisinopril", "amlodipino", "atorvastatina", "warfarina", "heparina", "aspirina"],
}
TEST_SHARE, EXACT_SHARE, NEAR_SHARE, LEAK_SHARE = 0.03, 0.05, 0.05, 0.01


def _question(rng: random.Random, lang: str) -> str:
    words = VOCAB[lang]
    return f"{rng.randint(18, 90)} " + " ".join(rng.choice(words) for _ in range(44)) + " ?"


def _records(
    rng: random.Random, lang: str, count: int
) -> tuple[list[tuple[str, list[str]]], list[tuple[str, list[str]]]]:
    """(train, test) of ``count`` (question, options) pairs with the planted duplicates and leaks."""
    tests = [(_question(rng, lang), rng.sample(DRUGS[lang], 5)) for _ in range(max(1, int(count * TEST_SHARE)))]
    train: list[tuple[str, list[str]]] = []
    while len(train) + len(tests) < count:
        roll = rng.random()
        if train and roll < EXACT_SHARE:
            text, options = rng.choice(train[-1000:])
            train.append((text.upper().replace(" ?", "?"), options))  # the same after normalisation
        elif train and roll < EXACT_SHARE + NEAR_SHARE:
            text, options = rng.choice(train[-1000:])
            words = text.split()
            words[rng.randrange(1, len(words) - 1)] = rng.choice(VOCAB[lang])
            train.append((" ".join(words), options))
        elif roll < EXACT_SHARE + NEAR_SHARE + LEAK_SHARE:
            train.append(rng.choice(tests))  # a benchmark question in the training data
        else:
            train.append((_question(rng, lang), rng.sample(DRUGS[lang], 5)))
    return train, tests


def write_corpus(root: Path, records: int, seed: int) -> None:
    """Three sources in their upstream layouts under ``root``."""
    rng = random.Random(seed)
    share = records // 3
    # MedQA (US, 4 options): one JSON object per line, the split in the file name
    medqa = root / "medqa" / "US" / "4_options"
    medqa.mkdir(parents=True)
    train, test = _records(rng, "en", records - 2 * share)
    for split, rows in (("train", train), ("test", test)):
        with (medqa / f"phrases_no_exclude_{split}.jsonl").open("w", encoding="utf-8") as out:
            for text, options in rows:
                choices = dict(zip("ABCD", options, strict=False))
                record = {"question": text, "answer": choices["A"], "options": choices, "meta_info": "step1",
                          "answer_idx": "A", "metamap_phrases": []}  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    # FrenchMedMCQA: a JSON array per split
    french = root / "frenchmedmcqa" / "corpus"
    french.mkdir(parents=True)
    train, test = _records(rng, "fr", share)
    for split, rows in (("train", train), ("test", test)):
        items = [
            {"id": f"{split}-{index:07d}", "question": text, "answers": dict(zip("abcde", options, strict=True)),
             "correct_answers": ["a"], "subject_name": "pharmacie", "type": "simple", "nbr_correct_answers": 1}
            for index, (text, options) in enumerate(rows)
        ]  # fmt: skip
        (french / f"{split}.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    # HEAD-QA: one object of exams per split file (1,000 questions an exam)
    head = root / "headqa" / "HEAD"
    head.mkdir(parents=True)
    train, test = _records(rng, "es", share)
    for split, rows in (("train", train), ("test", test)):
        exams = {}
        for start in range(0, len(rows), 1000):
            exam_id = f"Cuaderno_{split}_{start // 1000}_M"
            data = [
                {"qid": str(index + 1), "qtext": text, "ra": "1", "image": "",
                 "answers": [{"aid": aid + 1, "atext": option} for aid, option in enumerate(options)]}
                for index, (text, options) in enumerate(rows[start : start + 1000])
            ]  # fmt: skip
            exams[exam_id] = {"name": exam_id, "data": data, "category": "medicine", "year": "2013"}
        document = {"version": "1.0", "language": "es", "exams": exams}
        (head / f"{split}_HEAD.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mb() -> float:
    """Current resident set (Linux ``/proc``), to subtract the imports from the peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_build(sources: Path, out: Path, profile: Path | None) -> dict[str, Any]:
    import mmed_ift.filters.chain  # noqa: F401  (imports are not the build's per-record cost)
    from mmed_ift import build
    from mmed_ift.pipeline.config import BuildConfig

    config = BuildConfig(languages=("en", "fr", "es"), sources_dir=sources, out_dir=out, progress=False)
    stages = _stage_cpu()
    before_mb = _rss_mb()
    cpu, start = _cpu(), time.perf_counter()
    if profile is not None:
        import cProfile

        with cProfile.Profile(time.process_time) as profiler:  # CPU, not wall: the machine is shared
            result = build(config)
        profiler.dump_stats(profile)
    else:
        result = build(config)
    report = result.report.to_dict()
    spent = _cpu() - cpu
    stages["other (chain setup, checks)"] = spent - sum(stages.values())
    return {
        "cpu": spent,
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
        "before_mb": before_mb,
        "read": sum(source["read"] for source in report["sources"].values()),
        "kept": sum(source["kept"] for source in report["sources"].values()),
        "rejected": {name: step["rejected"] for name, step in report["filters"].items()},
        "stages": stages,
    }


def _stage_cpu() -> dict[str, float]:
    """CPU seconds per stage of the build (the report's ``timings_s`` are wall seconds, which
    other jobs on a shared machine inflate): ``BuildReport.timed`` wrapped to add up
    ``process_time`` per stage name."""
    from contextlib import contextmanager

    from mmed_ift.pipeline.report import BuildReport

    stages: dict[str, float] = {}
    timed = BuildReport.timed

    @contextmanager
    def cpu_timed(self: BuildReport, name: str) -> Any:
        start = time.process_time()
        try:
            with timed(self, name):
                yield
        finally:
            stages[name] = stages.get(name, 0.0) + time.process_time() - start

    BuildReport.timed = cpu_timed  # type: ignore[method-assign]
    return stages


def _output_tables(out: Path) -> list[Any]:
    import pyarrow.parquet as pq

    return [pq.read_table(path) for path in sorted(out.rglob("*.parquet"))]


def run_floor(sources: Path, out: Path, scratch: Path) -> dict[str, Any]:
    """Read every input with polars, write the build's output rows with pyarrow."""
    import polars as pl
    import pyarrow.parquet as pq

    tables = _output_tables(out)
    before_mb = _rss_mb()
    cpu, start = _cpu(), time.perf_counter()
    rows = 0
    for path in sorted(sources.rglob("*.jsonl")):
        rows += pl.read_ndjson(path).height
    for path in sorted(sources.rglob("*.json")):
        rows += pl.read_json(path).height
    for index, table in enumerate(tables):
        pq.write_table(table, scratch / f"{index}.parquet")
    return {
        "cpu": _cpu() - cpu,
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
        "before_mb": before_mb,
        "written": sum(table.num_rows for table in tables),
    }


def _spawn(mode: str, root: Path, profile: Path | None = None, tree: Path | None = None) -> dict[str, Any]:
    """One measurement in a fresh process; ``tree``: import ``mmed_ift`` from that checkout."""
    command = [sys.executable, __file__, "--run", mode, "--root", str(root)]
    if profile is not None:
        command += ["--profile", str(profile)]
    env = None if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000, help="records in the corpus")
    parser.add_argument("--repeats", type=int, default=1, help="interleaved rounds (medians are printed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the first build here")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep it")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout of the repository (e.g. `git archive` of an older commit): each round builds"
        " with it and with this tree, interleaved; prints both medians and checks the outputs are identical",
    )
    parser.add_argument("--run", choices=["build", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run == "build":
        print(json.dumps(run_build(args.root / "sources", args.root / "out", args.profile)))
        return
    if args.run == "floor":
        scratch = args.root / "floor"
        scratch.mkdir(exist_ok=True)
        print(json.dumps(run_floor(args.root / "sources", args.root / "out", scratch)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_build_") as folder:
        root = args.keep or Path(folder)
        started = time.perf_counter()
        write_corpus(root / "sources", args.n, args.seed)
        print(f"corpus: {args.n:,} records (en fr es, test splits, planted duplicates and leaks)"
              f" in {time.perf_counter() - started:.1f} s")  # fmt: skip
        if args.baseline is not None:
            compare(root, args.baseline, args.repeats, args.n)
            return
        builds, floors = [], []
        for round_ in range(args.repeats):
            builds.append(_spawn("build", root, args.profile if round_ == 0 else None))
            floors.append(_spawn("floor", root))
    first = builds[0]
    print(f"read {first['read']:,}, kept {first['kept']:,}, rejected by filter {first['rejected']}")
    for name, runs in (("build", builds), ("floor", floors)):
        cpu = statistics.median(run["cpu"] for run in runs)
        extra = statistics.median(run["peak_mb"] - run["before_mb"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        print(
            f"{name:<6} {cpu:8.2f} s CPU  {args.n / cpu:10,.0f} records/CPU-s  peak {peak:7.0f} MB"
            f" ({extra * 1024 * 1024 / args.n / 1000:.2f} KB/record above the {runs[0]['before_mb']:.0f} MB before)"
        )
    print("build CPU per stage (median s): " + ", ".join(
        f"{name} {statistics.median(run['stages'].get(name, 0.0) for run in builds):.2f}" for name in first["stages"]
    ))  # fmt: skip
    ratios = [build["cpu"] / floor["cpu"] for build, floor in zip(builds, floors, strict=True)]
    print(f"build / floor: {statistics.median(ratios):.1f}x the CPU (median of {len(ratios)} interleaved rounds)")


def _output_digests(out: Path) -> dict[str, str]:
    """sha256 of every output file but the report's two files (their timings differ per run)."""
    import hashlib

    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name not in ("build_report.json", "report.html")
    }


def _report_without_timings(out: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((out / "build_report.json").read_text(encoding="utf-8"))
    report.pop("timings_s", None)
    return report


def compare(root: Path, baseline: Path, repeats: int, records: int) -> None:
    """Interleaved rounds of the build with ``baseline``'s code and with this tree's; medians of
    CPU and of CPU per stage, and whether both wrote the same files and the same report."""
    this_tree = Path(__file__).resolve().parents[1]
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this tree": []}
    outputs: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}
    for _ in range(repeats):
        for name, tree in (("baseline", baseline), ("this tree", this_tree)):
            runs[name].append(_spawn("build", root, tree=tree))
            outputs[name] = (_output_digests(root / "out"), _report_without_timings(root / "out"))
    for name, measured in runs.items():
        cpu = statistics.median(run["cpu"] for run in measured)
        extra = statistics.median(run["peak_mb"] - run["before_mb"] for run in measured)
        rounds = ", ".join(f"{run['cpu']:.2f}" for run in measured)
        print(
            f"{name:<10} {cpu:8.2f} s CPU  {records / cpu:8,.0f} records/CPU-s"
            f"  peak {extra * 1024 * 1024 / records / 1000:.2f} KB/record above start  (rounds: {rounds})"
        )
        stages = measured[0]["stages"]
        print("  per stage (median CPU s): " + ", ".join(
            f"{stage} {statistics.median(run['stages'].get(stage, 0.0) for run in measured):.2f}" for stage in stages
        ))  # fmt: skip
    ratios = [new["cpu"] / old["cpu"] for old, new in zip(runs["baseline"], runs["this tree"], strict=True)]
    print(f"this tree / baseline: {statistics.median(ratios):.2f}x the CPU (per round: "
          f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})")  # fmt: skip
    same_files = outputs["baseline"][0] == outputs["this tree"][0]
    same_report = outputs["baseline"][1] == outputs["this tree"][1]
    print(f"outputs: {len(outputs['this tree'][0])} files {'identical' if same_files else 'DIFFER'},"
          f" report (timings aside) {'identical' if same_report else 'DIFFERS'}")  # fmt: skip


if __name__ == "__main__":
    main()
