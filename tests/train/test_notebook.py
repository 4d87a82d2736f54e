"""Every notebook runs top to bottom (nbclient) on a tiny random model and a few steps."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.train.helpers import REPO_ROOT

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs(path: Path, tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMED_IFT_NB_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("MMED_IFT_NB_LANGS", "ja")
    monkeypatch.setenv("MMED_IFT_NB_STEPS", "2")
    monkeypatch.setenv("MMED_IFT_NB_MAX_SAMPLES", "16")
    monkeypatch.setenv(
        "MMED_IFT_NB_EXTRA",
        "training.max_length=128;lora.modules_to_save=[embed_tokens, lm_head];lora.layers_to_transform=null",
    )
    monkeypatch.setenv("MMED_IFT_NB_WORKDIR", str(tmp_path / "work"))
    monkeypatch.setenv("MMED_IFT_RECIPES", str(REPO_ROOT / "recipes"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "stage 2 base:" in outputs and "IgakuQA-119 accuracy" in outputs
    assert (tmp_path / "work" / "stage2" / "train_manifest.json").is_file()
