"""The whole build at scale: local engine vs Ray engine on one machine, and a 100M-record estimate.

    python bench/bench_scale.py [--records 1000000] [--cpus 2] [--engines local,ray] [--seed 0]

A seeded synthetic corpus in two real upstream formats (MedQA jsonl and MedMCQA json lines,
half each, so the Ray read stage has two sources to read in parallel) with 5% exact duplicates
(case and punctuation changed) and 5% near-duplicates (one word changed) of other records.
Every record is English, ~45 words of question plus four options: the cost per record is that of
the MC path (language ID, both dedups, decontamination, two samples each).

Each engine builds it in its own process (``--engine-run``), so each peak RSS is its own; for Ray
the peak is the sum over the driver and every Ray process (workers, raylet, GCS; the object store
is shared memory, so proportional set size (PSS) is summed, not RSS), sampled every 0.5 s.

Then the measured per-record cost of each Ray stage is extrapolated to 100M records on N nodes
(see ``estimate``): a printed model, not a measurement, with its assumptions spelled out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

WORDS = [
    "patient",
    "presents",
    "with",
    "acute",
    "chronic",
    "pain",
    "fever",
    "cough",
    "dyspnea",
    "fatigue",
    "nausea",
    "vomiting",
    "rash",
    "edema",
    "history",
    "hypertension",
    "diabetes",
    "asthma",
    "smoking",
    "alcohol",
    "examination",
    "reveals",
    "tenderness",
    "murmur",
    "wheezing",
    "crackles",
    "laboratory",
    "shows",
    "elevated",
    "decreased",
    "glucose",
    "sodium",
    "potassium",
    "creatinine",
    "hemoglobin",
    "platelet",
    "count",
    "imaging",
    "demonstrates",
    "mass",
    "effusion",
    "fracture",
    "consolidation",
    "which",
    "following",
    "most",
    "likely",
    "diagnosis",
    "next",
    "best",
    "step",
    "management",
    "treatment",
    "mechanism",
    "drug",
    "therapy",
    "year",
    "old",
    "man",
    "woman",
    "child",
    "infant",
    "emergency",
    "department",
    "clinic",
    "hospital",
    "admitted",
    "weeks",
    "days",
    "months",
    "prior",
    "onset",
    "sudden",
    "gradual",
    "worsening",
    "improving",
]
DRUGS = [
    "metformin",
    "insulin",
    "lisinopril",
    "amlodipine",
    "atorvastatin",
    "warfarin",
    "heparin",
    "aspirin",
    "ibuprofen",
    "amoxicillin",
]


def question(rng: random.Random) -> str:
    return f"A {rng.randint(18, 90)}-year-old " + " ".join(rng.choice(WORDS) for _ in range(44)) + "?"


def write_corpus(root: Path, records: int, seed: int) -> None:
    rng = random.Random(seed)
    medqa = root / "medqa" / "US" / "4_options"
    medqa.mkdir(parents=True)
    medmcqa = root / "medmcqa"
    medmcqa.mkdir(parents=True)
    recent: list[tuple[str, list[str]]] = []
    with (medqa / "phrases_no_exclude_train.jsonl").open("w") as qa, (medmcqa / "train.json").open("w") as mc:
        for index in range(records):
            roll = rng.random()
            if recent and roll < 0.05:
                text, options = rng.choice(recent)
                text = text.upper()  # exact duplicate after normalisation
            elif recent and roll < 0.10:
                text, options = rng.choice(recent)
                words = text.split()
                words[rng.randrange(1, len(words))] = rng.choice(WORDS)
                text = " ".join(words)  # near-duplicate: one word changed
            else:
                text, options = question(rng), rng.sample(DRUGS, 4)
            recent = [*recent[-999:], (text, options)]
            if index % 2 == 0:
                record = {"question": text, "answer": options[0], "meta_info": "step1", "answer_idx": "A",
                          "options": dict(zip("ABCD", options, strict=True)), "metamap_phrases": []}  # fmt: skip
                qa.write(json.dumps(record) + "\n")
            else:
                record = {"id": f"syn-{index}", "question": text, "opa": options[0], "opb": options[1],
                          "opc": options[2], "opd": options[3], "cop": 1, "exp": "", "subject_name": "Medicine",
                          "topic_name": "Synthetic", "choice_type": "single"}  # fmt: skip
                mc.write(json.dumps(record) + "\n")


def _tree_rss(pids: set[int]) -> int:
    import psutil

    total = 0
    for pid in pids:
        try:
            # PSS: shared pages (Ray's object store is mapped into every worker) count once
            total += psutil.Process(pid).memory_full_info().pss
        except psutil.Error:
            continue
    return total


def _ray_pids() -> set[int]:
    import psutil

    found = {os.getpid()}
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info.get("cmdline") or [])
        if "ray" in (process.info.get("name") or "") or "ray/" in cmdline or "raylet" in cmdline:
            found.add(process.pid)
    return found


def engine_run(engine: str, sources: Path, out: Path, cpus: int) -> dict[str, object]:
    """One build in this process; returns seconds, rows and peak RSS (sampled, whole Ray tree)."""
    from mmed_ift.pipeline import BuildConfig, build

    config = BuildConfig(languages=("en",), sources_dir=sources, out_dir=out, progress=False)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            pids = _ray_pids() if engine == "ray" else {os.getpid()}
            peak = max(peak, _tree_rss(pids))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    if engine == "ray":
        from mmed_ift.pipeline.distributed.session import ensure_ray

        ensure_ray(num_cpus=cpus)
        init_s = time.perf_counter() - started
        sampler.start()
        from mmed_ift.pipeline.distributed.runner import run_ray_build

        began = time.perf_counter()
        result = run_ray_build(config)
    else:
        init_s = 0.0
        sampler.start()
        began = time.perf_counter()
        result = build(config)
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    report = result.report.to_dict()
    return {
        "engine": engine,
        "seconds": round(seconds, 2),
        "ray_start_s": round(init_s, 2),
        "read": sum(source["read"] for source in report["sources"].values()),
        "kept": sum(source["kept"] for source in report["sources"].values()),
        "samples": sum(sum(per_lang.values()) for per_lang in report["outputs"]["MMed-IFT-MC"].values()),
        "peak_rss_mb": round(peak / 2**20),
        "timings": report["timings_s"],
        "filters": {name: step["rejected"] for name, step in report["filters"].items()},
    }


def estimate(ray: dict[str, object], cpus: int, records: int) -> str:
    """100M records on N nodes, from the per-record cost measured here.

    Model: everything but the driver-side part of near dedup runs as Ray tasks and divides over
    all cores; that part does not, and grows with the number of candidates (linear in records at
    a fixed duplicate rate).  Since the pair checks and the connected components run as Ray
    shuffles, the engine reports no ``near_dedup:driver`` timing and that part reads 0.  CPU cost
    of the parallel part = (wall - driver) x cpus / records: both cores were busy, so this
    overstates the work a little; Ray's start-up is left out.
    """
    timings = ray["timings"]
    assert isinstance(timings, dict)
    wall = float(ray["seconds"])  # type: ignore[arg-type]
    driver_s = float(timings.get("near_dedup:driver", 0.0))
    parallel_cpu_per_record = (wall - driver_s) * cpus / records
    driver_per_record = driver_s / records
    lines = ["", "estimate for 100M records (model, not measured):",
             f"  parallel stages: {parallel_cpu_per_record * 1e6:.0f} CPU-us/record; "
             f"driver (near-dedup candidates): {driver_per_record * 1e6:.1f} us/record"]  # fmt: skip
    target = 100_000_000
    for nodes in (1, 4, 16, 64):
        cores = nodes * 16
        parallel = parallel_cpu_per_record * target / cores
        serial = driver_per_record * target
        lines.append(
            f"  {nodes:>3} nodes x 16 cores: {parallel / 3600:6.2f} h parallel + {serial / 3600:5.2f} h driver"
            f" = {(parallel + serial) / 3600:6.2f} h"
        )
    lines.append("  (shuffles assumed to scale like the map stages; read parallelism = number of sources)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--engines", default="local,ray")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine-run", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_run:
        print(json.dumps(engine_run(args.engine_run, args.sources, args.out, args.cpus)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as scratch:
        root = Path(scratch)
        started = time.perf_counter()
        write_corpus(root / "sources", args.records, args.seed)
        print(f"corpus: {args.records:,} records in {time.perf_counter() - started:.1f} s")
        results = {}
        for engine in args.engines.split(","):
            command = [sys.executable, __file__, "--engine-run", engine, "--sources", str(root / "sources"),
                       "--out", str(root / f"out_{engine}"), "--cpus", str(args.cpus)]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode:
                print(done.stdout[-2000:], done.stderr[-4000:])
                raise SystemExit(f"{engine} failed")
            results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{'engine':<8}{'records':>10}{'seconds':>10}{'records/s':>11}{'peak RSS':>11}  kept / samples")
        for engine, found in results.items():
            rate = found["read"] / found["seconds"]
            print(f"{engine:<8}{found['read']:>10,}{found['seconds']:>10}{rate:>11,.0f}{found['peak_rss_mb']:>8} MB"
                  f"  {found['kept']:,} / {found['samples']:,}")  # fmt: skip
            print(f"         stages: {found['timings']}; rejected: {found['filters']}")
        if "ray" in results:
            print(f"ray start (not in seconds): {results['ray']['ray_start_s']} s")
            print(estimate(results["ray"], args.cpus, int(results["ray"]["read"])))
        same = len({(found["kept"], found["samples"]) for found in results.values()}) == 1
        print(f"\nsame kept and sample counts on every engine: {same}")


if __name__ == "__main__":
    main()
