"""Write the crafted Japanese and Chinese decontamination pairs (``tests/data/decontam_eval/crafted.jsonl``).

    python bench/make_decontam_crafted.py [--out tests/data/decontam_eval/crafted.jsonl]

The full IgakuQA and Chinese exam files are not available here, so ja/zh pairs are made from
the project's own exam-style cases (``bench/crafted_cases.py``), each a vignette with two
questions on it.  True repeats of a question: a one-character typo (``edited``), its options
reordered (``reordered``), one wrong option replaced (``changed_option``), the next exam year's
version (age and one phrase changed, options rotated: ``other_year``).  Hard negatives: the same
vignette with the other question (``same_case_other_question``, both ways), another case sharing
the exam's boilerplate sentences (``shared_boilerplate``), another vignette on the same disease
with the same options (``same_topic``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crafted_cases import JA_CASES, JA_SAME_TOPIC, ZH_CASES, ZH_SAME_TOPIC, Case, Question

from mmed_ift.filters.decontam_eval import Pair, Side, write_pairs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "decontam_eval" / "crafted.jsonl"
#: (what the next exam year rewrites, into what) per language
NEXT_YEAR = {"ja": ("来院した", "受診した"), "zh": ("查体：", "体格检查：")}
PUNCTUATION = set("。、，：；（）()%/.,:;+-−0123456789 ")


def stem(vignette: str, question: Question) -> str:
    return f"{vignette}{question.stem}"


def side(vignette: str, question: Question, lang: str, ref: str, options: tuple[str, ...] | None = None) -> Side:
    return Side(stem(vignette, question), options if options is not None else question.options, lang, ref)


def typo(text: str, lang: str) -> str:
    """One character dropped near the middle of the vignette (zh: and 岁 written 歲)."""
    at = len(text) // 2
    while text[at] in PUNCTUATION:
        at += 1
    edited = text[:at] + text[at + 1 :]
    return edited.replace("岁", "歲", 1) if lang == "zh" else edited


def next_year(vignette: str, lang: str) -> str:
    """The case as a later exam writes it: the patient a year older, one phrase reworded."""
    older = re.sub(r"(\d+)(歳|岁)", lambda m: f"{int(m.group(1)) + 1}{m.group(2)}", vignette, count=1)
    old, new = NEXT_YEAR[lang]
    return older.replace(old, new, 1)


def case_pairs(cases: tuple[Case, ...], same_topic: tuple[tuple[int, str], ...], lang: str) -> list[Pair]:
    pairs: list[Pair] = []
    for number, case in enumerate(cases):
        ref = f"crafted/{lang}/{number}"
        first = side(case.vignette, case.first, lang, f"{ref}/1")
        second = side(case.vignette, case.second, lang, f"{ref}/2")
        options = case.first.options
        donor = cases[(number + 3) % len(cases)].first.options[-1]
        repeats = [
            ("edited", side(typo(case.vignette, lang), case.first, lang, "")),
            ("reordered", side(case.vignette, case.second, lang, "", case.second.options[::-1])),
            ("changed_option", side(case.vignette, case.first, lang, "", (*options[:-1], donor))),
            ("other_year", side(next_year(case.vignette, lang), case.first, lang, "", (*options[2:], *options[:2]))),
        ]
        pairs += [Pair(train, second if kind == "reordered" else first, True, kind) for kind, train in repeats]
        pairs.append(Pair(second, first, False, "same_case_other_question"))
        pairs.append(Pair(first, second, False, "same_case_other_question"))
        other = cases[(number + 1) % len(cases)]
        pairs.append(Pair(side(other.vignette, other.first, lang, ""), first, False, "shared_boilerplate"))
    for number, vignette in same_topic:
        case = cases[number]
        bench = side(case.vignette, case.first, lang, f"crafted/{lang}/{number}/1")
        pairs.append(Pair(side(vignette, case.first, lang, ""), bench, False, "same_topic"))
    return pairs


def crafted_pairs() -> list[Pair]:
    return case_pairs(JA_CASES, JA_SAME_TOPIC, "ja") + case_pairs(ZH_CASES, ZH_SAME_TOPIC, "zh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(f"{write_pairs(crafted_pairs(), args.out)} pairs -> {args.out}")


if __name__ == "__main__":
    main()
