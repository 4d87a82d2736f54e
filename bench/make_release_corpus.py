"""A synthetic release corpus: every source in its real upstream file layout, at its published size.

    python bench/make_release_corpus.py OUT [--scale 1.0] [--seed 0]

Issue 16's composition question is about *sizes*: the English and Chinese sources alone exceed
200k rows while Japanese and Russian have about a thousand questions each.  The full upstream
files of the big sources are not available offline, so this script writes files with the same
names, folders, encodings and record shapes the adapters in ``mmed_ift/sources/`` read (see each
adapter's docstring and its bundled sample under ``mmed_ift/sources/samples/<name>/``), filled
with seeded random mixes of per-language medical vocabulary: the right script per language (so
language ID keeps them), no digits (so the PII filter has nothing to find) and ~25-60 words per
field drawn from 60+ words (so no two records are near-duplicates under MinHash).

``--scale`` multiplies every count (at least one record per file), so ``--scale 0.1`` is the same
corpus with the same language proportions at a tenth of the size: a plan at ``--target-size
20000`` on it has the same shares as one at 200000 on the full corpus.  ``OUT/corpus.json`` records
the scale and the counts written.

Published sizes (training split unless said otherwise) and where they are stated:
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: source -> (records written at scale 1, where the number is published)
PUBLISHED: dict[str, tuple[int, str]] = {
    "medmcqa": (182_822, "Pal et al. 2022, MedMCQA (CHIL), Table 1: train 182,822 / dev 4,183 / test 6,150"),
    "pubmedqa_pqaa": (211_269, "Jin et al. 2019, PubMedQA (EMNLP), Sec. 3: PQA-A 211,269 artificially labelled"),
    "pubmedqa_pqal": (1_000, "Jin et al. 2019: PQA-L 1,000 expert-labelled (500 are the test set)"),
    "huatuo26m_lite": (177_703, "FreedomIntelligence/Huatuo26M-Lite dataset card: 177,703 rows"),
    "cmedqa2": (
        100_000,
        "Zhang et al. 2018, cMedQA2 (IEEE Access): 108,000 questions = train 100,000 / dev 4,000 / test 4,000",
    ),
    "cmexam": (54_497, "Liu et al. 2023, CMExam (NeurIPS D&B): 68,119 = train 54,497 / val 6,811 / test 6,811"),
    "medqa_mcmle": (27_400, "Jin et al. 2021, MedQA, Table 2: MCMLE train 27,400 / dev 3,425 / test 3,426"),
    "medqa_usmle": (10_178, "Jin et al. 2021, MedQA, Table 2: USMLE train 10,178 / dev 1,272 / test 1,273"),
    "medquad": (
        16_407,
        "Ben Abacha & Demner-Fushman 2019: 47,457 pairs, 16,407 with answers after the MedlinePlus removal",
    ),
    "headqa_es": (
        2_657,
        "Vilares & Gomez-Rodriguez 2019, HEAD-QA: es train 2,657 / dev 1,366 / test 2,742 (also in realdata-full)",
    ),
    "frenchmedmcqa": (
        2_171,
        "Labrak et al. 2022, FrenchMedMCQA: train 2,171 / dev 312 / test 622 (also realdata-full)",
    ),
    "igakuqa": (1_600, "Kasai et al. 2023, IgakuQA: 2018-2022 exams, ~400 questions a year, ~1,600 text-only"),
    "rumedbench": (
        1_052,
        "Blinov et al. 2022, RuMedBench: RuMedDaNet train 1,052 / dev 256 / test 256 (also realdata-full)",
    ),
    "wikipedia": (300, "not a published size: 300 medical articles per language, a small WikiExtractor dump"),
}
__doc__ = (__doc__ or "") + "\n".join(f"* {name}: {size:,} ({where})" for name, (size, where) in PUBLISHED.items())

_WORDS: dict[str, str] = {
    "en": (
        "patient presents acute chronic pain fever cough dyspnea fatigue nausea vomiting rash edema history"
        " hypertension diabetes asthma smoking examination reveals tenderness murmur wheezing crackles laboratory"
        " elevated decreased glucose sodium potassium creatinine hemoglobin platelet imaging mass effusion fracture"
        " consolidation diagnosis treatment therapy antibiotic insulin steroid surgery biopsy kidney liver heart lung"
        " brain artery vein nerve muscle bone infection inflammation tumor ulcer bleeding anemia jaundice seizure"
        " stroke infarction thyroid adrenal pancreas colon stomach spleen lymph node dose response"
    ),
    "fr": (
        "patient présente douleur aiguë chronique fièvre toux dyspnée fatigue nausées vomissements éruption œdème"
        " antécédents hypertension diabète asthme tabagisme examen révèle sensibilité souffle sibilants crépitants"
        " biologie élevée diminuée glycémie sodium potassium créatinine hémoglobine plaquettes imagerie masse"
        " épanchement fracture diagnostic traitement thérapie antibiotique insuline corticoïde chirurgie biopsie rein"
        " foie cœur poumon cerveau artère veine nerf muscle infection inflammation tumeur ulcère saignement anémie"
        " ictère convulsion accident thyroïde surrénale pancréas côlon estomac rate ganglion posologie réponse"
    ),
    "es": (
        "paciente presenta dolor agudo crónico fiebre tos disnea fatiga náuseas vómitos erupción edema antecedentes"
        " hipertensión diabetes asma tabaquismo exploración muestra sensibilidad soplo sibilancias crepitantes"
        " analítica elevada disminuida glucemia sodio potasio creatinina hemoglobina plaquetas imagen masa derrame"
        " fractura diagnóstico tratamiento terapia antibiótico insulina corticoide cirugía biopsia riñón hígado"
        " corazón pulmón cerebro arteria vena nervio músculo hueso infección inflamación tumor úlcera sangrado"
        " anemia ictericia convulsión ictus tiroides suprarrenal páncreas colon estómago bazo ganglio dosis respuesta"
    ),
    "ru": (
        "пациент жалуется острая хроническая боль лихорадка кашель одышка слабость тошнота рвота сыпь отёк"
        " анамнез гипертензия диабет астма курение осмотр выявляет болезненность шум хрипы анализы повышенный"
        " сниженный глюкоза натрий калий креатинин гемоглобин тромбоциты снимок образование выпот перелом диагноз"
        " лечение терапия антибиотик инсулин гормоны операция биопсия почка печень сердце лёгкое мозг артерия вена"
        " нерв мышца кость инфекция воспаление опухоль язва кровотечение анемия желтуха судороги инсульт"
        " щитовидная железа поджелудочная кишка желудок селезёнка лимфоузел доза ответ"
    ),
    "zh": (
        "患者 主诉 急性 慢性 疼痛 发热 咳嗽 呼吸困难 乏力 恶心 呕吐 皮疹 水肿 病史 高血压 糖尿病 哮喘 吸烟 查体"
        " 压痛 杂音 哮鸣音 湿啰音 化验 升高 降低 血糖 血钠 血钾 肌酐 血红蛋白 血小板 影像 肿块 积液 骨折 实变 诊断"
        " 治疗 抗生素 胰岛素 激素 手术 活检 肾脏 肝脏 心脏 肺部 大脑 动脉 静脉 神经 肌肉 骨骼 感染 炎症 肿瘤 溃疡"
        " 出血 贫血 黄疸 抽搐 中风 梗死 甲状腺 肾上腺 胰腺 结肠 胃部 脾脏 淋巴结 剂量 疗效 建议 医生 检查 复查"
    ),
    "ja": (
        "患者は 主訴として 急性の 慢性の 痛みを 発熱が 咳が 呼吸困難を 倦怠感が 吐き気を 嘔吐が 発疹を むくみが"
        " 既往歴に 高血圧の 糖尿病の 喘息の 喫煙が 診察では 圧痛を 心雑音が 喘鳴を 検査で 上昇した 低下した"
        " 血糖値が ナトリウムが カリウムが クレアチニンが ヘモグロビンが 血小板が 画像では 腫瘤を 胸水が 骨折を"
        " 診断は 治療として 抗菌薬を インスリンを ステロイドを 手術を 生検で 腎臓の 肝臓の 心臓の 肺の 脳の"
        " 動脈が 静脈の 神経の 筋肉の 感染症が 炎症を 腫瘍が 潰瘍を 出血が 貧血を 黄疸が けいれんを 脳卒中の"
        " 甲状腺の 副腎の 膵臓の 大腸の 胃の 脾臓の 投与量を 認める みられる 考えられる"
    ),
}
VOCAB: dict[str, list[str]] = {lang: words.split() for lang, words in _WORDS.items()}
END = {"en": ".", "fr": ".", "es": ".", "ru": ".", "zh": "。", "ja": "。"}
QMARK = {"en": "?", "fr": " ?", "es": "?", "ru": "?", "zh": "？", "ja": "か。"}


class Text:
    """Seeded random word mixes in one language."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, lang: str, low: int, high: int) -> str:
        picked = self.rng.choices(VOCAB[lang], k=self.rng.randint(low, high))
        joiner = "" if lang in ("zh", "ja") else " "
        text = joiner.join(picked)
        return text[:1].upper() + text[1:]

    def sentence(self, lang: str, low: int = 10, high: int = 20) -> str:
        return self.words(lang, low, high) + END[lang]

    def question(self, lang: str, low: int = 14, high: int = 30) -> str:
        return self.words(lang, low, high) + QMARK[lang]

    def paragraph(self, lang: str, sentences: int = 3) -> str:
        joiner = "" if lang in ("zh", "ja") else " "
        return joiner.join(self.sentence(lang) for _ in range(sentences))

    def options(self, lang: str, count: int) -> list[str]:
        return [self.words(lang, 2, 5) for _ in range(count)]


def write_jsonl(path: Path, records: Iterator[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    return written


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def medmcqa(out: Path, n: int, text: Text) -> int:
    def records() -> Iterator[dict[str, Any]]:
        for index in range(n):
            opa, opb, opc, opd = text.options("en", 4)
            yield {
                "question": text.question("en"),
                "exp": text.paragraph("en", 2),
                "cop": text.rng.randint(1, 4),
                "opa": opa,
                "opb": opb,
                "opc": opc,
                "opd": opd,
                "subject_name": text.rng.choice(["Medicine", "Surgery", "Pharmacology", "Pathology"]),
                "topic_name": text.words("en", 1, 3),
                "id": f"synthetic-medmcqa-{index:08x}",
                "choice_type": "single",
            }

    return write_jsonl(out / "medmcqa" / "train.json", records())


def _pubmed_record(text: Text, decision: str) -> dict[str, Any]:
    return {
        "QUESTION": text.question("en"),
        "CONTEXTS": [text.paragraph("en", 2) for _ in range(3)],
        "LABELS": ["BACKGROUND", "METHODS", "RESULTS"],
        "MESHES": [text.words("en", 1, 3) for _ in range(4)],
        "YEAR": "2015",
        "reasoning_required_pred": decision,
        "reasoning_free_pred": decision,
        "final_decision": decision,
        "LONG_ANSWER": text.paragraph("en", 2),
    }


def _write_json_object(path: Path, entries: Iterator[tuple[str, dict[str, Any]]]) -> int:
    """A JSON object written entry by entry, so 211k records are never held at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("{\n")
        for key, value in entries:
            handle.write(
                ("," if written else "") + json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False) + "\n"
            )
            written += 1
        handle.write("}\n")
    return written


def pubmedqa(out: Path, n_pqaa: int, n_pqal: int, text: Text) -> int:
    folder = out / "pubmedqa"
    written = _write_json_object(
        folder / "ori_pqaa.json",
        ((str(20_000_000 + index), _pubmed_record(text, text.rng.choice(["yes", "no"]))) for index in range(n_pqaa)),
    )
    pqal = [(str(10_000_000 + index), text.rng.choice(["yes", "no", "maybe"])) for index in range(n_pqal)]
    written += _write_json_object(
        folder / "ori_pqal.json", ((pmid, _pubmed_record(text, label)) for pmid, label in pqal)
    )
    write_json(folder / "test_ground_truth.json", dict(pqal[len(pqal) // 2 :]))
    return written


def huatuo(out: Path, n: int, text: Text) -> int:
    def records() -> Iterator[dict[str, Any]]:
        for index in range(n):
            yield {
                "id": index + 1,
                "question": text.question("zh"),
                "answer": text.paragraph("zh", 3),
                "score": text.rng.randint(3, 5),
                "label": text.rng.choice(["内科", "外科", "儿科", "妇产科"]),
                "related_diseases": text.words("zh", 1, 2),
            }

    return write_jsonl(out / "huatuo26m_lite" / "format_data.jsonl", records())


def cmedqa2(out: Path, n: int, text: Text) -> int:
    """``n`` training questions plus dev/test pools of 4% each, ~1.9 answers per question."""
    folder = out / "cmedqa2"
    folder.mkdir(parents=True, exist_ok=True)
    held = max(1, n // 25)
    with (
        (folder / "question.csv").open("w", encoding="utf-8", newline="") as questions,
        (folder / "answer.csv").open("w", encoding="utf-8", newline="") as answers,
        (folder / "train_candidates.txt").open("w", encoding="utf-8", newline="") as train,
        (folder / "dev_candidates.txt").open("w", encoding="utf-8", newline="") as dev,
        (folder / "test_candidates.txt").open("w", encoding="utf-8", newline="") as test,
    ):
        q_writer, a_writer = csv.writer(questions), csv.writer(answers)
        q_writer.writerow(["question_id", "content"])
        a_writer.writerow(["ans_id", "question_id", "content"])
        train.write("question_id,pos_ans_id,neg_ans_id\n")
        dev.write("question_id,ans_id,cnt,label\n")
        test.write("question_id,ans_id,cnt,label\n")
        answer_id = 500_000
        for index in range(n + 2 * held):
            question_id = 20_000_000 + index
            q_writer.writerow([question_id, text.question("zh")])
            ids = []
            for _ in range(text.rng.choice([1, 2, 2, 3])):
                answer_id += 1
                ids.append(answer_id)
                a_writer.writerow([answer_id, question_id, text.paragraph("zh", 2)])
            if index < n:
                negative = text.rng.randint(500_001, max(500_001, answer_id))
                train.write(f"{question_id},{ids[0]},{negative}\n")
            else:
                pool = test if index >= n + held else dev
                for rank, candidate in enumerate(ids):
                    pool.write(f"{question_id},{candidate},{rank},{1 if rank == 0 else 0}\n")
    return n


DEPARTMENT = ("循环系统疾病", "内科", "临床医学", "疾病诊断和鉴别诊断")


def cmexam(out: Path, n: int, text: Text) -> int:
    path = out / "cmexam" / "data" / "train.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = ["Question", "Options", "Answer", "Explanation", "Disease Group", "Clinical Department"]
    columns += ["Medical Discipline", "Competency", "Difficulty level"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for _ in range(n):
            options = "\n".join(
                f"{letter} {option}" for letter, option in zip("ABCDE", text.options("zh", 5), strict=True)
            )
            fields = [text.question("zh"), options, text.rng.choice("ABCDE"), text.paragraph("zh", 2)]
            writer.writerow([*fields, *DEPARTMENT, str(text.rng.randint(1, 5))])
    return n


def medqa(out: Path, region: str, lang: str, n: int, text: Text) -> int:
    def records() -> Iterator[dict[str, Any]]:
        for _ in range(n):
            options = dict(zip("ABCD", text.options(lang, 4), strict=True))
            key = text.rng.choice("ABCD")
            yield {
                "question": text.question(lang, 30, 60),
                "answer": options[key],
                "options": options,
                "meta_info": "step1",
                "answer_idx": key,
                "metamap_phrases": [],
            }

    return write_jsonl(out / "medqa" / region / "4_options" / "phrases_no_exclude_train.jsonl", records())


def medquad(out: Path, n: int, text: Text) -> int:
    """``n`` QA pairs, four per document, spread over the nine upstream folders."""
    from xml.sax.saxutils import escape

    folders = ["1_CancerGov_QA", "2_GARD_QA", "3_GHR_QA", "5_NIDDK_QA", "6_NINDS_QA", "7_SeniorHealth_QA"]
    folders += ["8_NHLBI_QA_XML", "9_CDC_QA", "10_MPlus_ADAM_QA"]
    written = 0
    document = 0
    while written < n:
        document += 1
        folder = out / "medquad" / folders[document % len(folders)]
        folder.mkdir(parents=True, exist_ok=True)
        focus = escape(text.words("en", 2, 3))
        pairs = []
        for pid in range(1, min(4, n - written) + 1):
            pairs.append(
                f'\t<QAPair pid="{pid}">\n\t\t<Question qid="{document:07d}-{pid}" qtype="information">'
                f"{escape(text.question('en', 6, 12))}</Question>\n"
                f"\t\t<Answer>{escape(text.paragraph('en', 3))}</Answer>\n"
                "\t</QAPair>\n"
            )
            written += 1
        (folder / f"{document:07d}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document id="{document:07d}" source="GHR" url="https://ghr.nlm.nih.gov/condition/x{document}">\n'
            f"<Focus>{focus}</Focus>\n<QAPairs>\n{''.join(pairs)}</QAPairs>\n</Document>\n",
            encoding="utf-8",
        )
    return written


def headqa(out: Path, n: int, text: Text) -> int:
    data = [
        {
            "qid": str(index + 1),
            "qtext": text.question("es"),
            "ra": str(text.rng.randint(1, 4)),
            "answers": [{"aid": aid, "atext": option} for aid, option in enumerate(text.options("es", 4), 1)],
            "image": "",
        }
        for index in range(n)
    ]
    exam = {"name": "Cuaderno_2013_1_M", "category": "medicine", "year": "2013", "data": data}
    write_json(
        out / "headqa" / "HEAD" / "train_HEAD.json", {"version": "1.0", "language": "es", "exams": {exam["name"]: exam}}
    )
    return n


def frenchmedmcqa(out: Path, n: int, text: Text) -> int:
    records = []
    for index in range(n):
        correct = sorted(text.rng.sample("abcde", text.rng.randint(1, 2)))
        records.append(
            {
                "id": f"{index:064x}",
                "question": text.question("fr"),
                "answers": dict(zip("abcde", text.options("fr", 5), strict=True)),
                "correct_answers": correct,
                "subject_name": "pharmacie",
                "type": "simple" if len(correct) == 1 else "multiple",
                "nbr_correct_answers": len(correct),
            }
        )
    write_json(out / "frenchmedmcqa" / "corpus" / "train.json", records)
    return n


def igakuqa(out: Path, n: int, text: Text) -> int:
    """``n`` questions over five exams (112-116) of six blocks (A-F), with their metadata files."""
    files = [(2018 + year, f"{112 + year}-{block}") for year in range(5) for block in "ABCDEF"]
    written = 0
    for position, (year, exam) in enumerate(files):
        count = n // len(files) + (1 if position < n % len(files) else 0)
        ids = [f"{exam.replace('-', '')}{number}" for number in range(1, count + 1)]
        folder = out / "igakuqa" / str(year)
        written += write_jsonl(
            folder / f"{exam}.jsonl",
            (
                {
                    "problem_id": problem_id,
                    "problem_text": text.question("ja"),
                    "choices": text.options("ja", 5),
                    "text_only": True,
                    "answer": [text.rng.choice("abcde")],
                    "points": "1",
                }
                for problem_id in ids
            ),
        )
        write_jsonl(
            folder / f"{exam}_metadata.jsonl",
            ({"problem_id": problem_id, "category": "循環器", "kinki": [], "reason": ""} for problem_id in ids),
        )
    return written


def rumedbench(out: Path, n: int, text: Text) -> int:
    return write_jsonl(
        out / "rumedbench" / "RuMedDaNet" / "train_v1.jsonl",
        (
            {
                "context": text.paragraph("ru", 3),
                "question": text.question("ru"),
                "answer": text.rng.choice(["да", "нет"]),
                "pairID": f"{index:032x}",
            }
            for index in range(n)
        ),
    )


def wikipedia(out: Path, n: int, text: Text) -> int:
    written = 0
    for lang in VOCAB:
        written += write_jsonl(
            out / "wikipedia" / f"{lang}wiki" / "AA" / "wiki_00",
            (
                {
                    "id": str(index + 1),
                    "revid": str(index + 7),
                    "url": f"https://{lang}.wikipedia.org/wiki?curid={index + 1}",
                    "title": text.words(lang, 1, 2),
                    "text": "\n".join(text.paragraph(lang, 4) for _ in range(3)),
                }
                for index in range(n)
            ),
        )
    return written


def make_corpus(out: Path, scale: float, seed: int) -> dict[str, int]:
    """Write every source under ``out``; returns records written per source."""
    text = Text(random.Random(seed))

    def size(name: str) -> int:
        return max(1, round(PUBLISHED[name][0] * scale))

    written = {
        "medmcqa": medmcqa(out, size("medmcqa"), text),
        "pubmedqa": pubmedqa(out, size("pubmedqa_pqaa"), size("pubmedqa_pqal"), text),
        "huatuo26m_lite": huatuo(out, size("huatuo26m_lite"), text),
        "cmedqa2": cmedqa2(out, size("cmedqa2"), text),
        "cmexam": cmexam(out, size("cmexam"), text),
        "medqa_mcmle": medqa(out, "Mainland", "zh", size("medqa_mcmle"), text),
        "medqa_usmle": medqa(out, "US", "en", size("medqa_usmle"), text),
        "medquad": medquad(out, size("medquad"), text),
        "headqa_es": headqa(out, size("headqa_es"), text),
        "frenchmedmcqa": frenchmedmcqa(out, size("frenchmedmcqa"), text),
        "igakuqa": igakuqa(out, size("igakuqa"), text),
        "rumedbench": rumedbench(out, size("rumedbench"), text),
        "wikipedia": wikipedia(out, size("wikipedia"), text),
    }
    write_json(out / "corpus.json", {"scale": scale, "seed": seed, "records": written})
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write (created; give it to build --sources)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every published size (e.g. 0.05)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    written = make_corpus(args.out, args.scale, args.seed)
    for name, count in written.items():
        print(f"{name:<16}{count:>9,}")
    print(f"{'total':<16}{sum(written.values()):>9,}  (scale {args.scale}) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
