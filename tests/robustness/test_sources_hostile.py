"""Hostile source folders: every failure is a located reject or a clear error, nothing is lost.

Each test writes a small upstream folder under ``tmp_path``, reads it with the real adapter and
checks the reject's reason and ``file:line`` location, and that every input record is accounted
for (``read == kept + rejected``).
"""

from __future__ import annotations

import io
import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from mmed_ift.errors import SourceNotFoundError
from mmed_ift.schemas import MCQuestion, Passage
from mmed_ift.sources import files, get_source
from mmed_ift.sources.files import extract_archive
from mmed_ift.text.clean import DEFAULT_MAX_FIELD_CHARS, clean_text
from tests.robustness.conftest import alpaca_record, medqa_line, medqa_record, read, reasons, write_medqa

MEDQA_FILE = "US/phrases_no_exclude_train.jsonl"


def _good(count: int, start: int = 0) -> list[str]:
    return [medqa_line(number) for number in range(start, start + count)]


# -- class 2a: one bad record among good ones, located at file:line ------------------------------


def test_deeply_nested_json_line_is_a_located_reject(tmp_path: Path) -> None:
    deep = '{"question": ' + "[" * 100_000 + "]" * 100_000 + "}"
    write_medqa(tmp_path, [medqa_line(0), deep, medqa_line(2)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["too_deeply_nested"]
    assert rejected[0].location == f"{MEDQA_FILE}:2"


def test_deeply_nested_whole_json_file_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "alpaca"
    folder.mkdir()
    good = json.dumps(alpaca_record(1))
    (folder / "train.json").write_text("[\n" + good + ",\n" + "[" * 50_000 + "]" * 50_000 + "\n]\n", "utf-8")
    kept, rejected = read("alpaca", folder)
    assert kept == [] and reasons(rejected) == ["too_deeply_nested"]
    assert rejected[0].location.startswith("train.json:3")


def test_integer_past_int_digit_limit_in_a_line(tmp_path: Path) -> None:
    huge = medqa_line(1).replace('"meta_info": "step1"', '"meta_info": ' + "9" * 5000)
    write_medqa(tmp_path, [medqa_line(0), huge, medqa_line(2)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["number_too_long"]
    assert rejected[0].location == f"{MEDQA_FILE}:2"


def test_integer_past_int_digit_limit_in_a_json_file(tmp_path: Path) -> None:
    folder = tmp_path / "alpaca"
    folder.mkdir()
    text = "[\n" + json.dumps(alpaca_record(1)) + ',\n{"instruction": ' + "7" * 6000 + "}\n]\n"
    (folder / "train.json").write_text(text, "utf-8")
    kept, rejected = read("alpaca", folder)
    assert kept == [] and reasons(rejected) == ["number_too_long"]
    assert rejected[0].location == "train.json:3"


def test_invalid_utf8_line_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = write_medqa(tmp_path, _good(3))
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"Question", b"Qu\xff\xfestion")
    path.write_bytes(b"\n".join(lines))
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["bad_format"]
    assert rejected[0].location == f"{MEDQA_FILE}:2" and "UTF-8" in rejected[0].detail


def test_invalid_utf8_in_a_whole_json_file_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "alpaca"
    folder.mkdir()
    text = json.dumps([alpaca_record(1), alpaca_record(2)], indent=1).encode()
    (folder / "train.json").write_bytes(text.replace(b"2 days", b"2 d\xc3\x28ays"))
    kept, rejected = read("alpaca", folder)
    assert kept == [] and reasons(rejected) == ["unreadable_file"]
    assert rejected[0].location.startswith("train.json:") and rejected[0].location != "train.json:1"


def test_utf16_file_is_a_clear_reject_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "alpaca"
    folder.mkdir()
    (folder / "train.jsonl").write_bytes(json.dumps(alpaca_record(1)).encode("utf-16"))
    kept, rejected = read("alpaca", folder)
    assert kept == [] and len(rejected) == 1 and rejected[0].location.startswith("train.jsonl:1")


def test_csv_field_past_the_field_limit_is_field_too_long(tmp_path: Path) -> None:
    folder = tmp_path / "cmexam" / "data"
    folder.mkdir(parents=True)
    header = "Question,Options,Answer,Explanation\n"
    row = '"{q}","A 甲\nB 乙\nC 丙",A,解释\n'
    body = row.format(q="问题一？") + row.format(q="长" * 200_000) + row.format(q="问题三？")
    (folder / "train.csv").write_text(header + body, "utf-8")
    kept, rejected = read("cmexam", tmp_path / "cmexam")
    assert len(kept) == 2 and reasons(rejected) == ["field_too_long"]
    assert rejected[0].location == "data/train.csv:5"


def test_duplicate_key_with_different_values_is_reported(tmp_path: Path) -> None:
    twice = medqa_line(1)[:-1] + ', "answer_idx": "C"}'
    write_medqa(tmp_path, [medqa_line(0), twice, medqa_line(2)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["duplicate_key"]
    assert rejected[0].location == f"{MEDQA_FILE}:2" and "answer_idx" in rejected[0].detail


def test_duplicate_key_with_the_same_value_loses_nothing(tmp_path: Path) -> None:
    twice = medqa_line(1)[:-1] + ', "meta_info": "step1"}'
    write_medqa(tmp_path, [medqa_line(0), twice])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and rejected == []


def test_duplicate_record_key_in_a_keyed_json_file_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "pubmedqa"
    folder.mkdir()
    record = {"QUESTION": "Does it work?", "CONTEXTS": ["A trial."], "LABELS": ["RESULTS"],
              "final_decision": "yes", "LONG_ANSWER": "Yes."}  # fmt: skip
    other = {**record, "QUESTION": "Does the other one work?"}
    text = '{\n"1": ' + json.dumps(record) + ',\n"1": ' + json.dumps(other) + "\n}\n"
    (folder / "ori_pqal.json").write_text(text, "utf-8")
    kept, rejected = read("pubmedqa", folder)
    assert kept == [] and reasons(rejected) == ["duplicate_key"]
    assert rejected[0].location == "ori_pqal.json:3"


def test_duplicate_key_inside_one_record_of_a_json_array(tmp_path: Path) -> None:
    folder = tmp_path / "alpaca"
    folder.mkdir()
    twice = json.dumps(alpaca_record(2))[:-1] + ', "output": "something else entirely"}'
    (folder / "train.json").write_text("[" + json.dumps(alpaca_record(1)) + ",\n" + twice + "]", "utf-8")
    kept, rejected = read("alpaca", folder)
    assert len(kept) == 1 and reasons(rejected) == ["duplicate_key"] and rejected[0].location == "train.json[1]"


def test_same_upstream_id_in_two_files_is_a_duplicate_id(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(2), folder="US/a")
    write_medqa(tmp_path, _good(2, start=10), folder="US/b")
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["duplicate_id", "duplicate_id"]
    assert len({item.source_id for item in kept}) == 2
    assert "already read at US/a/" in rejected[0].detail


# -- class 2b: files and folders that cannot be read ---------------------------------------------


def test_permission_denied_file_is_a_reject_and_other_files_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_medqa(tmp_path, _good(2), split="train")
    locked = write_medqa(tmp_path, _good(2, start=5), split="test")
    real_open = Path.open

    def guarded_open(self: Path, *args: object, **kwargs: object) -> object:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", guarded_open)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["unreadable_file"]
    assert rejected[0].location == "US/phrases_no_exclude_test.jsonl" and "Permission denied" in rejected[0].detail


def test_unreadable_sub_folder_is_reported_not_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_medqa(tmp_path, _good(2), folder="US")
    write_medqa(tmp_path, _good(2), folder="Taiwan-copy/locked")
    locked = tmp_path / "medqa" / "Taiwan-copy" / "locked"
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "scandir", scandir)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["unreadable_folder"]
    assert rejected[0].location == "Taiwan-copy/locked" and "Permission denied" in rejected[0].detail


def test_symlink_loop_is_reported_and_records_are_read_once(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(3))
    (tmp_path / "medqa" / "US" / "again").symlink_to(tmp_path / "medqa", target_is_directory=True)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 3 and reasons(rejected) == ["symlink_loop"]
    assert rejected[0].location == "US/again"


def test_folder_reached_through_a_symlink_is_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_medqa(elsewhere, _good(2))
    (tmp_path / "medqa").mkdir()
    (tmp_path / "medqa" / "linked").symlink_to(elsewhere / "medqa" / "US", target_is_directory=True)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and rejected == []
    assert kept[0].location.startswith("linked/phrases_no_exclude_train.jsonl:")


def test_two_links_to_one_folder_read_it_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_medqa(elsewhere, _good(2))
    (tmp_path / "medqa").mkdir()
    for name in ("a", "b"):
        (tmp_path / "medqa" / name).symlink_to(elsewhere / "medqa" / "US", target_is_directory=True)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["symlink_loop"] and rejected[0].location == "b"


def test_link_beside_the_folder_it_points_at_is_the_one_reported(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(2), folder="data")
    (tmp_path / "medqa" / "alias").symlink_to(tmp_path / "medqa" / "data", target_is_directory=True)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 2 and reasons(rejected) == ["symlink_loop"] and rejected[0].location == "alias"
    assert kept[0].location.startswith("data/")


def test_broken_link_is_reported(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(1))
    (tmp_path / "medqa" / "US" / "phrases_no_exclude_test.jsonl").symlink_to(tmp_path / "missing.jsonl")
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 1 and reasons(rejected) == ["unreadable_file"]
    assert rejected[0].location == "US/phrases_no_exclude_test.jsonl"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(1))
    os.mkfifo(tmp_path / "medqa" / "US" / "phrases_no_exclude_test.jsonl")
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 1 and reasons(rejected) == ["unreadable_file"] and "pipe" in rejected[0].detail


def test_unexpected_exception_in_an_adapter_becomes_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_medqa(tmp_path, _good(2), split="train")
    write_medqa(tmp_path, _good(2, start=5), split="test")
    adapter = get_source("medqa")
    original = type(adapter).read_file

    def exploding(self: object, root: Path, path: Path) -> object:
        if "test" in path.name:
            raise ValueError("something no adapter expected")
        return original(self, root, path)  # type: ignore[arg-type]

    monkeypatch.setattr(type(adapter), "read_file", exploding)
    results = list(adapter.read(tmp_path / "medqa"))
    rejected = [result for result in results if not isinstance(result, MCQuestion)]
    assert len(results) == 3 and [reject.reason for reject in rejected] == ["unreadable_file"]  # type: ignore[union-attr]
    assert rejected[0].location == "US/phrases_no_exclude_test.jsonl"


# -- class 2c: text policy and the field-length cap -----------------------------------------------


def test_controls_zero_width_and_bidi_are_stripped(tmp_path: Path) -> None:
    question = "Which\u200b drug\x00 is\u202e first\u2066-line\u2069 in\r\nhypertension\x1b?"
    write_medqa(tmp_path, [medqa_line(0, question=question)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert rejected == [] and kept[0].question == "Which drug is first-line in\nhypertension?"


def test_options_are_cleaned_too(tmp_path: Path) -> None:
    options = {**{key: f"{value}\u200d" for key, value in medqa_record(0)["options"].items()}}
    write_medqa(tmp_path, [medqa_line(0, options=options, answer=options["A"])])
    kept, _ = read("medqa", tmp_path / "medqa")
    assert kept[0].options["A"] == "Lisinopril"


def test_text_is_nfc_normalised(tmp_path: Path) -> None:
    write_medqa(tmp_path, [medqa_line(0, question="Cafe\u0301 au lait spots: which syndrome?")])
    kept, _ = read("medqa", tmp_path / "medqa")
    assert kept[0].question == unicodedata.normalize("NFC", "Café au lait spots: which syndrome?")


def test_field_that_is_mostly_control_characters_is_rejected(tmp_path: Path) -> None:
    write_medqa(tmp_path, [medqa_line(0), medqa_line(1, question="ok?" + "\x00\u200b\u202e" * 20)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 1 and reasons(rejected) == ["control_characters"]
    assert rejected[0].location == f"{MEDQA_FILE}:2"


def test_field_longer_than_the_default_cap_is_field_too_long(tmp_path: Path) -> None:
    long = "A patient presents. " * (DEFAULT_MAX_FIELD_CHARS // 20 + 1)
    write_medqa(tmp_path, [medqa_line(0), medqa_line(1, question=long)])
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) == 1 and reasons(rejected) == ["field_too_long"]
    assert rejected[0].location == f"{MEDQA_FILE}:2" and "question" in rejected[0].detail


def test_max_field_chars_is_a_parameter_of_read(tmp_path: Path) -> None:
    write_medqa(tmp_path, _good(3))
    kept, rejected = read("medqa", tmp_path / "medqa", max_field_chars=40)
    assert kept == [] and reasons(rejected) == ["field_too_long"] * 3
    with pytest.raises(ValueError, match="max_field_chars"):
        list(get_source("medqa").read(tmp_path / "medqa", max_field_chars=0))


def test_clean_text_keeps_tabs_newlines_and_every_script() -> None:
    text = "Dose:\t5 mg\n心房細動 — Ménière — Гипертония — ¿Qué?"
    assert clean_text(text) == (text, 0)


# -- class 2d: archives ----------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compression=compression) as handle:
        for name, data in members.items():
            handle.writestr(name, data)


def test_zip_bomb_member_is_rejected_with_a_reason(tmp_path: Path) -> None:
    folder = tmp_path / "medqa"
    folder.mkdir()
    bomb = (medqa_line(0) + "\n").encode() + b" " * (8 * 1024 * 1024)
    _zip(folder / "medqa.zip", {"US/phrases_no_exclude_train.jsonl": bomb})
    write_medqa(tmp_path, _good(1), split="test")
    kept, rejected = read("medqa", folder)
    assert len(kept) == 1 and reasons(rejected) == ["zip_bomb"]
    assert rejected[0].location.startswith("medqa.zip")


def test_archive_past_the_size_limit_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "medqa"
    folder.mkdir()
    _zip(folder / "medqa.zip", {"US/phrases_no_exclude_train.jsonl": "\n".join(_good(50)).encode()})
    write_medqa(tmp_path, _good(1), split="test")
    monkeypatch.setattr(files, "MAX_ARCHIVE_BYTES", 1000)
    kept, rejected = read("medqa", folder)
    assert len(kept) == 1 and reasons(rejected) == ["archive_too_large"] and rejected[0].location == "medqa.zip"


def test_only_members_the_adapter_reads_are_extracted(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    archive = tmp_path / "src" / "release.zip"
    _zip(
        archive,
        {"US/phrases_no_exclude_train.jsonl": medqa_line(0).encode(), "junk/huge.bin": b"\0" * 100_000,
         "README.txt": b"hello"},
    )  # fmt: skip
    target = tmp_path / "out"
    extract_archive(archive, target, "release.zip", get_source("medqa").archive_members)
    extracted = sorted(path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file())
    assert extracted == ["US/phrases_no_exclude_train.jsonl"]
    kept, rejected = read("medqa", tmp_path / "src")
    assert len(kept) == 1 and rejected == []


def test_archive_of_nothing_readable_is_a_clear_error(tmp_path: Path) -> None:
    _zip(tmp_path / "other.zip", {"notes/readme.md": b"nothing here"})
    with pytest.raises(SourceNotFoundError, match="inside its 1 zip archive"):
        list(get_source("medqa").read(tmp_path))


def test_truncated_archive_is_a_reject_not_a_traceback(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("US/phrases_no_exclude_train.jsonl", "\n".join(_good(40)))
    (tmp_path / "cut.zip").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    write_medqa(tmp_path, _good(1), split="test", folder=".")
    kept, rejected = read("medqa", tmp_path)
    assert len(kept) == 1 and reasons(rejected) == ["unreadable_file"] and rejected[0].location == "cut.zip"


# -- nothing lost ----------------------------------------------------------------------------------


def test_every_input_record_is_counted_in_a_mixed_hostile_file(tmp_path: Path) -> None:
    lines = [
        medqa_line(0),
        '{"question": ' + "[" * 5000 + "]" * 5000 + "}",
        medqa_line(2, meta_info=None).replace("null", "1" * 5000),
        "{not json",
        medqa_line(4)[:-1] + ', "answer_idx": "D"}',
        medqa_line(5, question="\x00\x01\x02\x03\x04\x05\x06x"),
        medqa_line(6, question="q" * (DEFAULT_MAX_FIELD_CHARS + 1)),
        medqa_line(7),
    ]
    write_medqa(tmp_path, lines)
    kept, rejected = read("medqa", tmp_path / "medqa")
    assert len(kept) + len(rejected) == len(lines)
    assert sorted(reasons(rejected)) == sorted(
        ["too_deeply_nested", "number_too_long", "bad_format", "duplicate_key", "control_characters",
         "field_too_long"]
    )  # fmt: skip
    assert [reject.location for reject in rejected] == [f"{MEDQA_FILE}:{n}" for n in (2, 3, 4, 5, 6, 7)]


def test_passages_are_cleaned_like_everything_else(tmp_path: Path) -> None:
    folder = tmp_path / "wikipedia" / "enwiki" / "AA"
    folder.mkdir(parents=True)
    row = {"id": "1", "url": "https://en.wikipedia.org/wiki?curid=1", "title": "Asthma\u200b",
           "text": "Asthma is a \u202echronic\u202c disease of the airways."}  # fmt: skip
    (folder / "wiki_00").write_text(json.dumps(row) + "\n", "utf-8")
    kept, rejected = read("wikipedia", tmp_path / "wikipedia")
    assert rejected == [] and isinstance(kept[0], Passage)
    assert kept[0].title == "Asthma" and kept[0].text == "Asthma is a chronic disease of the airways."
