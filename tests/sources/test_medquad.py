"""MedQuAD adapter: the real XML sample (both schemas, the ``DiseaseFile`` root, the empty
copyright-stripped answers per folder), broken documents, the bundled sample, and damaged files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.schemas import QAPair, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.medquad import clean_answer
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("medquad")
SAMPLE_ROOT = bundled_samples_root() / "medquad"
SAMPLE = SAMPLE_ROOT / "1_CancerGov_QA" / "0000001.xml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _document(pairs: str, focus: str = "Anemia", root: str = "Document") -> str:
    head = f'{DECLARATION}<{root} id="0000001" source="GARD" url="https://x">\n<Focus>{focus}</Focus>\n'
    return f"{head}<QAPairs>\n{pairs}</QAPairs>\n</{root}>\n"


def _pair(pid: str, question: str = "What is (are) Anemia ?", answer: str = "Anemia is a lack of red cells.") -> str:
    question_xml = f'<Question qid="0000001-{pid}" qtype="information">{question}</Question>'
    return f'<QAPair pid="{pid}">\n\t{question_xml}\n\t<Answer>{answer}</Answer>\n</QAPair>\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_results(realdata: Path) -> list[Any]:
    return list(ADAPTER.read(realdata / "medquad"))


def test_real_counts_by_folder(real_results: list[Any]) -> None:
    kept, rejected = split_results(real_results)
    assert len(real_results) == 168 and len(kept) == 124 and len(rejected) == 44
    assert all(isinstance(item, QAPair) and (item.lang, item.split) == ("en", "train") for item in kept)
    assert Counter(item.location.split("/")[0] for item in kept) == {
        "1_CancerGov_QA": 15, "2_GARD_QA": 4, "3_GHR_QA": 10, "4_MPlus_Health_Topics_QA": 2, "5_NIDDK_QA": 21,
        "6_NINDS_QA": 12, "7_SeniorHealth_QA": 31, "8_NHLBI_QA_XML": 14, "9_CDC_QA": 15,
    }  # fmt: skip
    assert Counter((reject.location.split("/")[0], reject.reason) for reject in rejected) == {
        ("10_MPlus_ADAM_QA", "empty_answer"): 6,
        ("11_MPlusDrugs_QA", "empty_answer"): 22,
        ("12_MPlusHerbsSupplements_QA", "empty_answer"): 16,
    }
    assert all(reject.detail.startswith("the answer is empty upstream") for reject in rejected)
    assert len({result.source_id for result in real_results}) == 168


@pytest.mark.parametrize(
    ("folder", "stem", "pid", "lower"),
    [
        ("6_NINDS_QA", "0000007", "1", True),
        ("9_CDC_QA", "0000397", "2", False),
        ("1_CancerGov_QA", "0000001_1", "1", False),
    ],
)
def test_real_records_match_raw(
    realdata: Path, real_results: list[Any], folder: str, stem: str, pid: str, lower: bool
) -> None:
    root = ElementTree.parse(realdata / "medquad" / folder / f"{stem}.xml").getroot()
    pair = next(el for el in root.iter("pair" if lower else "QAPair") if el.get("pid") == pid)
    question = pair.find("question" if lower else "Question")
    answer = pair.find("answer" if lower else "Answer")
    focus = root.find("doctitle-focus" if lower else "Focus")
    assert question is not None and answer is not None and focus is not None
    item = {result.location: result for result in real_results}[f"{folder}/{stem}.xml#{pid}"]
    assert isinstance(item, QAPair) and item.source_id == f"{folder}/{stem}/{pid}"
    assert item.question == " ".join((question.text or "").split())
    assert item.qtype == question.get("qtype") and item.title == (focus.text or "").strip()
    assert item.answer.split() == (answer.text or "").split()  # same words, indentation removed
    assert all(line == line.strip() for line in item.answer.splitlines())


def test_real_odd_schemas(real_results: list[Any]) -> None:
    by_location = {result.location: result for result in real_results}
    ninds = by_location["6_NINDS_QA/0000007.xml#1"]
    assert ninds.title == "Holmes-Adie" and ninds.question == "what is holmes-adie syndrome ?"
    cdc = [key for key in by_location if key.startswith("9_CDC_QA/0000397.xml#")]
    assert [key.rsplit("#", 1)[1] for key in cdc] == ["1", "2", "5", "6", "7"]  # upstream pid gaps kept
    disease = by_location["9_CDC_QA/0000397.xml#2"]
    assert disease.title == "Parasites - Taeniasis" and "don't eat raw" in disease.answer  # &apos; decoded
    assert "\n\n" in disease.answer and "\n\n\n" not in disease.answer


# -- traps -----------------------------------------------------------------------------------


def test_empty_and_broken_pairs(tmp_path: Path) -> None:
    pairs = _pair("1") + _pair("2", answer="") + _pair("3", answer="\n\t   \n") + _pair("4", question="  ")
    pairs += '<QAPair pid="5"><Question qid="q" qtype="causes">Why?</Question></QAPair>\n'
    pairs += "<QAPair><Question>No pid?</Question><Answer>Index used.</Answer></QAPair>\n"
    _write(tmp_path / "2_GARD_QA" / "0000001.xml", _document(pairs))
    results: list[Any] = list(ADAPTER.read(tmp_path))
    assert [getattr(result, "reason", None) for result in results] == [
        None, "empty_answer", "empty_answer", "invalid_record", "bad_format", None,
    ]  # fmt: skip
    assert results[1].location == "2_GARD_QA/0000001.xml#2" and "2_GARD_QA" in results[1].detail
    assert isinstance(results[3], Reject) and results[3].stage == "validate"
    assert results[5].location == "2_GARD_QA/0000001.xml#6" and results[5].source_id == "2_GARD_QA/0000001/6"
    assert all(result.title == "Anemia" for result in results if isinstance(result, QAPair))


def test_unreadable_documents(tmp_path: Path) -> None:
    _write(tmp_path / "9_CDC_QA" / "0000001.xml", _document(_pair("1"), root="DiseaseFile"))
    _write(tmp_path / "9_CDC_QA" / "0000002.xml", _document(""))
    _write(tmp_path / "9_CDC_QA" / "0000003.xml", _document(_pair("1")).replace("</QAPairs>", ""))
    (tmp_path / "9_CDC_QA" / "0000004.xml").write_bytes(_document(_pair("1")).encode() + b"\xff")
    results: list[Any] = list(ADAPTER.read(tmp_path))
    # an empty <QAPairs> is a readable document with nothing in it, not a broken file
    assert [getattr(result, "reason", None) for result in results] == [None, "no_qa_pairs"] + ["unreadable_file"] * 2
    assert results[1].location == "9_CDC_QA/0000002.xml" and "<Document>" in results[1].detail
    assert results[2].location.startswith("9_CDC_QA/0000003.xml:") and "invalid XML" in results[2].detail
    assert results[3].location.startswith("9_CDC_QA/0000004.xml")
    with pytest.raises(SourceNotFoundError):
        list(ADAPTER.read(tmp_path / "9_CDC_QA"))  # files must sit in a *_QA* folder


def test_clean_answer() -> None:
    raw = "\n\t\tFirst  line\r\n\t\tsecond\n\n\n\n   Next\u00a0 para  "
    assert clean_answer(raw) == "First line\nsecond\n\nNext para"


def test_repeated_pid_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path / "3_GHR_QA" / "0000001.xml", _document(_pair("1") + _pair("1", question="Again?")))
    first, second = ADAPTER.read(tmp_path)
    assert isinstance(first, QAPair) and isinstance(second, Reject) and second.reason == "duplicate_id"


# -- bundled sample -----------------------------------------------------------------------


def test_bundled_sample_reads_cleanly() -> None:
    kept, rejected = split_results(list(ADAPTER.read(SAMPLE_ROOT)))
    assert rejected == [] and len(kept) == 70
    assert {(item.lang, item.split) for item in kept} == {("en", "train")}
    assert len({item.source_id for item in kept}) == 70
    assert all(item.title and item.qtype for item in kept)
    assert Counter(item.location.split("/")[0] for item in kept)["6_NINDS_QA"] == 10


def test_bundled_sample_is_upstream_format() -> None:
    files = sorted(SAMPLE_ROOT.glob("*_QA*/*.xml"))
    assert len(files) == 14
    roots = Counter(ElementTree.parse(path).getroot().tag for path in files)
    assert roots == {"Document": 13, "doc": 1}  # the NINDS lower-case schema is represented
    for path in files:
        text = path.read_bytes().decode("utf-8")
        assert text.startswith(DECLARATION) and text.endswith("\n") and "\r" not in text, path.name


# -- damaged files --------------------------------------------------------------------------


def _render(record: Any) -> str:
    """A QA pair held as a dict, written back as upstream XML (wrong types become their JSON text)."""
    if not isinstance(record, dict):
        return f"<QAPair>{escape(json.dumps(record))}</QAPair>\n"

    def text(value: Any) -> str:
        return escape(value if isinstance(value, str) else json.dumps(value))

    attrs = f" pid={quoteattr(text(record['pid']))}" if "pid" in record else ""
    body = "".join(
        f"<Question qtype={quoteattr(text(record.get('qtype')))}>{text(value)}</Question>" if key == "Question"
        else f"<{key}>{text(value)}</{key}>"
        for key, value in record.items() if key not in ("pid", "qtype")
    )  # fmt: skip
    return f"<QAPair{attrs}>{body}</QAPair>\n"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    records: list[Any] = [
        {"pid": str(n), "qtype": "information", "Question": f"What is {n}?", "Answer": f"Answer {n}."}
        for n in range(1, 6)
    ]
    index = data.draw(st.integers(0, len(records) - 1))
    records[index] = data.draw(corrupt_json(records[index]))
    root = tmp_path_factory.mktemp("medquad")
    _write(root / "2_GARD_QA" / "0000001.xml", _document("".join(_render(record) for record in records)))
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == len(records)
    assert len(kept) >= len(records) - 1


def _expected_records(damaged: bytes) -> int:
    """One result per QA pair of a parseable document, else one ``unreadable_file`` reject."""
    try:
        document = ElementTree.fromstring(damaged)
    except ElementTree.ParseError:
        return 1
    return max(1, sum(1 for element in document.iter() if element.tag in ("QAPair", "pair")))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    damaged = data.draw(corrupt_bytes(SAMPLE.read_bytes()))
    root = tmp_path_factory.mktemp("medquad")
    (root / "1_CancerGov_QA").mkdir()
    (root / "1_CancerGov_QA" / "0000001.xml").write_bytes(damaged)
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) == _expected_records(damaged)
    assert all(reject.location.startswith("1_CancerGov_QA/0000001.xml") for reject in rejected)
