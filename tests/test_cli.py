from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmed_ift.cli import main
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("command", [[], ["build"], ["sources"], ["schemas"]])
def test_help_everywhere(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m mmed_ift" in capsys.readouterr().out


def test_build_without_language_is_a_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["build", "--out", str(tmp_path / "o")]) == 2
    assert "error: choose at least one language" in capsys.readouterr().err


def test_sources_lists_registry_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "--json"]) == 0
    listed = {entry["name"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert listed["medqa"]["languages"] == ["en", "zh"]
    assert listed["medqa"]["expected_files"]
    assert all(entry["license"] for entry in listed.values())


def test_schemas_command_writes_files(tmp_path: Path) -> None:
    assert main(["schemas", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "Sample.schema.json").is_file()


def test_module_entry_point_runs() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "mmed_ift", "sources"], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "medqa" in completed.stdout
