# ruff: noqa: E501  (article text, one paragraph per line)
"""Wikipedia as downloaded: a ``wikimedia/wikipedia`` parquet shard and a WikiExtractor ``--json``
folder, both written here in their exact upstream shapes, give the same passages; headings survive
in both; navigation sections go; long sections are cut within the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import Passage, Reject
from mmed_ift.sources.wikipedia import Wikipedia
from mmed_ift.text.wiki_sections import WIKIEXTRACTOR, WIKIMEDIA, chunks, kept_sections, split_sections
from mmed_ift.wiki_options import WikiOptions

#: the schema of wikimedia/wikipedia's parquet shards (every column a string)
WIKIMEDIA_SCHEMA = pa.schema([("id", pa.string()), ("url", pa.string()), ("title", pa.string()), ("text", pa.string())])

ARTICLES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("en", "101", "Measles", [
        ("", "Measles is a highly contagious infectious disease caused by the measles virus, spread through the air."),
        ("Signs and symptoms", "Symptoms usually develop ten to twelve days after exposure and last seven to ten days.\n"
                               "Fever, cough, runny nose and inflamed eyes come first, then a flat red rash."),
        ("Prevention", "The measles vaccine is effective at preventing the disease and is often given with mumps and"
                       " rubella vaccines."),
        ("See also", "Rubella"),
        ("References", "World Health Organization. Measles fact sheet."),
    ]),
    ("ja", "202", "麻疹", [
        ("", "麻疹は麻疹ウイルスによって起こる感染症で、空気感染により非常に強い感染力を示す。"),
        ("症状", "感染から10日前後で発熱、咳、鼻汁、結膜充血が現れ、その後に全身に発疹が広がる。"),
        ("予防", "弱毒生ワクチンの接種が最も有効な予防法であり、風疹との混合ワクチンが広く用いられている。"),
        ("関連項目", "風疹"),
        ("脚注", "国立感染症研究所. 麻疹とは."),
    ]),
    ("ru", "303", "Корь", [
        ("", "Корь — острое инфекционное заболевание, вызываемое вирусом кори и передающееся воздушно-капельным путём."),
        ("Симптомы", "Через десять–двенадцать дней после заражения появляются лихорадка, кашель и насморк, затем сыпь."),
        ("Профилактика", "Самым надёжным способом профилактики является вакцинация живой коревой вакциной."),
        ("Примечания", "Всемирная организация здравоохранения. Корь."),
    ]),
]  # fmt: skip


def wikimedia_text(sections: list[tuple[str, str]]) -> str:
    """How ``wikimedia/wikipedia`` lays out an article: headings as lines, blank lines between blocks."""
    blocks: list[str] = []
    for heading, text in sections:
        blocks += [heading] if heading else []
        blocks.append(text)
    return "\n\n".join(blocks)


def wikiextractor_text(title: str, sections: list[tuple[str, str]]) -> str:
    """How WikiExtractor lays it out: the title first, headings with a full stop, one line per paragraph."""
    lines = [title]
    for heading, text in sections:
        lines += [heading if heading.endswith(("!", "?")) else f"{heading}."] if heading else []
        lines += text.split("\n")
    return "\n".join(lines)


def write_parquet(root: Path) -> Path:
    for lang in sorted({lang for lang, *_ in ARTICLES}):
        rows = [
            {"id": page, "url": f"https://{lang}.wikipedia.org/wiki/{title}", "title": title,
             "text": wikimedia_text(sections)}
            for code, page, title, sections in ARTICLES if code == lang
        ]  # fmt: skip
        shard = root / f"20231101.{lang}" / "train-00000-of-00001.parquet"
        shard.parent.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=WIKIMEDIA_SCHEMA), shard)
    return root


def write_wikiextractor(root: Path) -> Path:
    for lang in sorted({lang for lang, *_ in ARTICLES}):
        folder = root / f"{lang}wiki" / "AA"
        folder.mkdir(parents=True)
        with (folder / "wiki_00").open("w", encoding="utf-8") as handle:
            for code, page, title, sections in ARTICLES:
                if code == lang:
                    record = {"id": page, "revid": "9" + page, "url": f"https://{lang}.wikipedia.org/wiki?curid={page}",
                              "title": title, "text": wikiextractor_text(title, sections)}  # fmt: skip
                    handle.write(json.dumps(record) + "\n")
    return root


def passages(root: Path, **options: object) -> list[Passage]:
    adapter = Wikipedia(WikiOptions(**options))  # type: ignore[arg-type]
    results = list(adapter.read(root))
    assert not [r for r in results if isinstance(r, Reject) and r.reason != "not_medical"], results
    return [r for r in results if isinstance(r, Passage)]


def key(passage: Passage) -> tuple[str, str, str | None, str]:
    return (passage.source_id, passage.title, passage.section, passage.text)


def test_parquet_shard_and_wikiextractor_folder_give_the_same_passages(tmp_path: Path) -> None:
    from_parquet = passages(write_parquet(tmp_path / "hub"), domain_threshold=0.0)
    from_json = passages(write_wikiextractor(tmp_path / "extractor"), domain_threshold=0.0)
    assert sorted(map(key, from_parquet)) == sorted(map(key, from_json))
    # every content section, none of the navigation ones
    measles = sorted((p.section, p.text[:20]) for p in from_parquet if p.source_id.startswith("en/101"))
    assert [section for section, _ in measles] == ["", "Prevention", "Signs and symptoms"]
    sections = {p.section for p in from_parquet}
    assert {"症状", "予防", "Симптомы", "Профилактика"} <= sections
    assert not sections & {"See also", "References", "関連項目", "脚注", "Примечания"}


def test_language_comes_from_the_url_or_the_config_folder(tmp_path: Path) -> None:
    shard = tmp_path / "20231101.ja" / "train-00000-of-00001.parquet"
    shard.parent.mkdir()
    pq.write_table(pa.Table.from_pylist([{"id": "1", "url": "", "title": "麻疹", "text": "麻疹は麻疹ウイルスによって起こる感染症で、発熱と発疹を特徴とする。"}],
                                        schema=WIKIMEDIA_SCHEMA), shard)  # fmt: skip
    (only,) = passages(tmp_path, domain_threshold=0.0)
    assert only.lang == "ja" and only.source_id == "ja/1#s0"


def test_a_shard_without_the_wikimedia_columns_is_one_reject_naming_it(tmp_path: Path) -> None:
    shard = tmp_path / "20231101.en" / "train-00000-of-00001.parquet"
    shard.parent.mkdir()
    pq.write_table(pa.table({"id": ["1"], "body": ["x"]}), shard)
    (reject,) = list(Wikipedia(WikiOptions(domain_threshold=0.0)).read(tmp_path))
    assert isinstance(reject, Reject) and "missing column" in reject.detail and "train-00000" in reject.location


def test_section_budget_cuts_long_sections(tmp_path: Path) -> None:
    long = " ".join(f"Sentence number {i} describes the rash and the fever in some detail." for i in range(60))
    article = [("en", "9", "Measles", [("", long), ("Treatment", long)])]
    root = tmp_path / "w"
    ARTICLES_BACKUP = list(ARTICLES)
    ARTICLES[:] = article
    try:
        write_parquet(root)
    finally:
        ARTICLES[:] = ARTICLES_BACKUP
    wide = passages(root, domain_threshold=0.0, section_max_chars=5000)
    narrow = passages(root, domain_threshold=0.0, section_max_chars=400)
    assert len(wide) == 2 and len(narrow) > 10
    assert all(len(p.text) <= 400 for p in narrow)
    assert {p.section for p in narrow} == {"", "Treatment"}
    assert "".join(p.text for p in narrow if p.section == "Treatment").replace(" ", "") == long.replace(" ", "")


# -- the heading detector, property-tested on both layouts ------------------------------------

HEADINGS = ["Signs and symptoms", "Causes", "Diagnosis", "Treatment", "Epidemiology", "History", "Society and culture",
            "症状", "原因", "治療", "Symptômes", "Traitement", "Симптомы", "Лечение", "Síntomas", "Tratamiento"]  # fmt: skip
SENTENCES = [
    "The disease is usually diagnosed from the history and a physical examination of the patient.",
    "Treatment depends on the severity of the symptoms and on the age of the person affected.",
    "多くの患者では数日のうちに症状が軽くなり、特別な治療を必要としないことが多い。",
    "La maladie touche surtout les enfants de moins de cinq ans dans les pays à faible revenu.",
    "Заболевание чаще встречается у пожилых людей и у больных с хроническими болезнями.",
    "El diagnóstico se basa en la clínica y se confirma con pruebas de laboratorio específicas.",
]
sections_strategy = st.lists(
    st.tuples(st.sampled_from(HEADINGS), st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3)),
    min_size=0, max_size=5, unique_by=lambda pair: pair[0],
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(lead=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3), body=sections_strategy)
def test_headings_are_found_in_both_layouts(lead: list[str], body: list[tuple[str, list[str]]]) -> None:
    sections = [("", "\n".join(lead)), *((heading, "\n".join(paragraphs)) for heading, paragraphs in body)]
    expected = [(heading, "\n\n".join(text.split("\n"))) for heading, text in sections]
    for text, layout in ((wikimedia_text(sections), WIKIMEDIA), (wikiextractor_text("Topic", sections), WIKIEXTRACTOR)):
        found = [(section.heading, section.text) for section in split_sections("Topic", text, layout)]
        assert found == expected


def test_short_lines_of_a_list_are_not_headings() -> None:
    text = ("Measles is an infection.\n\nSymptoms\n\nThe first signs are these:\nFever\nCough\nRunny nose\n"
            "They are followed after some days by a rash spreading from the face to the whole body.")  # fmt: skip
    found = split_sections("Measles", text)
    assert [section.heading for section in found] == ["", "Symptoms"]
    assert "Fever\n\nCough" in found[1].text


@pytest.mark.parametrize(
    "heading",
    ["References", "See also", "External links", "参考文献", "関連項目", "外部リンク", "Примечания", "Литература",
     "Ссылки", "Véase también", "Referencias", "Enlaces externos", "Notes et références", "Voir aussi",
     "Liens externes", "参考资料", "外部链接", "参见"],
)  # fmt: skip
def test_navigation_sections_are_dropped(heading: str) -> None:
    text = f"A long enough lead paragraph about the topic of this article.\n\n{heading}\n\nSmith J. A book. 2001."
    kept = kept_sections(split_sections("T", text))
    assert [section.heading for section in kept] == [""]


@settings(max_examples=200, deadline=None)
@given(
    paragraphs=st.lists(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=8), min_size=1, max_size=6),
    budget=st.integers(min_value=60, max_value=800),
)
def test_chunks_stay_within_the_budget_and_lose_nothing(paragraphs: list[list[str]], budget: int) -> None:
    text = "\n\n".join(" ".join(sentences) for sentences in paragraphs)
    pieces = chunks(text, budget)
    assert all(0 < len(piece) <= budget for piece in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
