"""The cross-lingual check's word lexicon: learned from aligned training items of an exam family
(IBM model 1), it finds translated repeats that share no cognate word with the benchmark item."""

from __future__ import annotations

from itertools import product

import pytest

from mmed_ift.filters.chain import REGISTRY, FilterContext, FilterOptions
from mmed_ift.filters.decontam import DecontamConfig, Decontaminate
from mmed_ift.filters.decontam_xling import CrossLingualIndex, family, translated_words
from mmed_ift.filters.decontam_xling_lexicon import (
    Lexicon,
    learn_lexicons,
    lexicon_tokens,
    parallel_key,
    parallel_pairs,
)
from mmed_ift.schemas import MCQuestion
from tests.filters.test_decontam import mc as decontam_mc

#: Spanish / English words of the crafted parallel exam (no two are cognates)
ORGANS = [("hígado", "liver"), ("bazo", "spleen"), ("riñón", "kidney"), ("corazón", "heart"), ("pulmón", "lung")]
THINGS = [("hierro", "iron"), ("sangre", "blood"), ("grasa", "fat"), ("azúcar", "sugar")]
VERBS = [("almacena", "stores"), ("limpia", "cleans"), ("produce", "makes")]


def mc(source_id: str, question: str, options: list[str], lang: str, split: str) -> MCQuestion:
    return decontam_mc(source_id, question, options, source="headqa", split=split, lang=lang)


def parallel_exam(split: str = "train") -> list[MCQuestion]:
    """Every (verb, thing) question in both languages with the same id, as HEAD-QA has them."""
    items = []
    for number, ((verb_es, verb_en), (thing_es, thing_en)) in enumerate(product(VERBS, THINGS)):
        rotated = ORGANS[number % 5 :] + ORGANS[: number % 5]
        qid = f"Cuaderno_2013_1_B/{number}"
        items.append(
            mc(
                f"es/{qid}",
                f"¿Qué órgano {verb_es} el {thing_es}?",
                [es.capitalize() for es, _ in rotated],
                "es",
                split,
            )
        )
        items.append(
            mc(
                f"en/{qid}",
                f"Which organ {verb_en} the {thing_en}?",
                [en.capitalize() for _, en in rotated],
                "en",
                split,
            )
        )
    return items


#: an English benchmark question (another exam year) and the Spanish training versions of it
BENCH = mc(
    "en/Cuaderno_2016_1_B/1",
    "Which organ cleans the blood of old red cells?",
    ["Spleen.", "Liver.", "Kidney.", "Heart.", "Lung."],
    "en",
    "test",
)
OTHER_BENCH = mc(
    "en/Cuaderno_2016_1_B/2",
    "Which organ stores the sugar as glycogen?",
    ["Liver.", "Lung.", "Heart.", "Kidney.", "Spleen."],
    "en",
    "test",
)
TRANSLATED = mc(
    "es/Cuaderno_2014_1_B/9",
    "¿Qué órgano limpia la sangre de glóbulos rojos viejos?",
    ["Bazo.", "Hígado.", "Riñón.", "Corazón.", "Pulmón."],
    "es",
    "train",
)


def test_lexicon_tokens_fold_case_accents_and_decimal_marks() -> None:
    assert lexicon_tokens("¿Qué órgano almacena 0,5 g de Hierro?") == [
        "que",
        "organo",
        "almacena",
        "0.5",
        "g",
        "de",
        "hierro",
    ]


def test_parallel_pairs_align_versions_by_release_id_and_option_keys() -> None:
    items = parallel_exam()
    pairs = parallel_pairs(items, "es", "en")
    assert len(pairs) == len(VERBS) * len(THINGS)
    assert all(parallel_key(es) == parallel_key(en) and es.lang == "es" and en.lang == "en" for es, en in pairs)
    # an item with no other-language version, or other option keys, is not a pair
    lonely = mc("es/Cuaderno_2013_1_B/99", "¿Qué órgano?", ["Bazo.", "Hígado."], "es", "train")
    fewer = mc("en/Cuaderno_2013_1_B/0", "Which organ?", ["Liver.", "Lung."], "en", "train")
    assert len(parallel_pairs([*items, lonely], "es", "en")) == len(pairs)
    assert len(parallel_pairs([*items[2:], fewer], "es", "en")) == len(pairs) - 1
    assert parallel_key(mc("x1", "q", ["a", "b"], "es", "train")) is None


def test_ibm1_learns_word_translations_from_aligned_items() -> None:
    lexicon = Lexicon.learn(parallel_pairs(parallel_exam(), "es", "en"))
    assert (lexicon.source_lang, lexicon.target_lang, lexicon.learned_from) == ("es", "en", 12)
    for spanish, english in [*ORGANS, *THINGS, *VERBS]:
        assert lexicon.translate(lexicon_tokens(spanish)[0])[0] == english, spanish
    assert lexicon.translate("glóbulos") == ()  # never seen: no translation
    with pytest.raises(ValueError, match="at least one pair"):
        Lexicon.learn([])


def test_translated_words_use_the_lexicon_and_keep_unknown_words() -> None:
    lexicon = Lexicon.learn(parallel_pairs(parallel_exam(), "es", "en"))
    words = translated_words(TRANSLATED.question, lexicon)
    assert {"clean", "blod"} <= set(words)  # limpia -> cleans, sangre -> blood (cognate forms)
    assert "globul" in words  # unknown to the lexicon: kept as its cognate form
    assert "limpi" not in words and "sangr" not in words


def test_lexicon_finds_a_translation_the_cognate_check_misses() -> None:
    training = [*parallel_exam(), TRANSLATED]
    bench = [BENCH, OTHER_BENCH]
    cognates = CrossLingualIndex(bench).best([TRANSLATED])[0]
    assert cognates is None or cognates.score < 0.3  # no shared cognate but "glob"/"cel" fragments
    lexicons = learn_lexicons(training, CrossLingualIndex.groups_of(bench), family)
    assert set(lexicons) == {("es", "en")}
    hit = CrossLingualIndex(bench, lexicons=lexicons).best([TRANSLATED])[0]
    assert hit is not None and hit.bench == 0 and hit.score >= 0.5 and hit.stem >= 0.3


def test_decontaminate_learns_the_lexicon_from_the_training_items_it_is_given() -> None:
    config = DecontamConfig(crosslingual=True)
    without = Decontaminate([BENCH, OTHER_BENCH], config).process([TRANSLATED])
    assert without.rejections == []  # cognates alone: missed
    step = Decontaminate([BENCH, OTHER_BENCH], config, parallel_items=parallel_exam())
    stores_sugar = mc("es/Cuaderno_2015_1_B/4", "¿Qué órgano almacena el azúcar como glucógeno?", [
        "Hígado.", "Pulmón.", "Corazón.", "Riñón.", "Bazo."], "es", "train")  # fmt: skip
    result = step.process([TRANSLATED, stores_sugar])
    removed = [(r.reject.source_id, r.evidence.benchmark_id) for r in result.rejections]  # type: ignore[attr-defined]
    # each translated repeat is matched with its own English version, not the other question
    assert removed == [("es/Cuaderno_2014_1_B/9", BENCH.source_id), ("es/Cuaderno_2015_1_B/4", OTHER_BENCH.source_id)]
    details = step.details(step.new_stats(), result.rejections)
    assert details["crosslingual_lexicons"]["es->en"] > 10


def test_benchmark_items_never_teach_the_lexicon() -> None:
    # the benchmark's own parallel versions are not training items: given only those, no lexicon
    bench_es = mc("es/Cuaderno_2016_1_B/1", TRANSLATED.question, list(TRANSLATED.options.values()), "es", "test")
    step = Decontaminate([BENCH, OTHER_BENCH, bench_es], DecontamConfig(crosslingual=True))
    assert step.index.lexicon_sizes == {}


def test_filter_chain_hands_the_parallel_training_items_to_decontamination() -> None:
    make = next(registration.make for registration in REGISTRY if registration.name == "decontam")
    context = FilterContext(held_out=[BENCH, OTHER_BENCH], parallel=parallel_exam())
    step = make(FilterOptions(decontam_crosslingual=True), context)
    assert isinstance(step, Decontaminate) and step.index.lexicon_sizes["es->en"] > 10
    plain = make(FilterOptions(), context)
    assert isinstance(plain, Decontaminate) and plain.index.lexicon_sizes == {}  # off: nothing learned
