"""The engine flags and ``ray-check``, through parsers built the way cli.py builds its own."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mmed_ift import __version__
from mmed_ift.cli.options import add_options, options_from_args
from mmed_ift.cli.ray_check import add_ray_check_parser
from mmed_ift.pipeline import BuildConfig, EngineOptions, run_build

pytestmark = pytest.mark.slow


def test_engine_flags_dispatch_a_ray_build(ray_session: None, tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_options(parser, EngineOptions)
    engine = options_from_args(EngineOptions, parser.parse_args(["--engine", "ray", "--ray-cpus", "2"]))
    assert (engine.engine, engine.ray_address, engine.ray_cpus) == ("ray", None, 2)
    result = run_build(BuildConfig(languages=("ru",), out_dir=tmp_path / "out", progress=False), engine)
    assert result.report.outputs["MMed-IFT-MC"]["ru"]["train"] > 0
    assert (tmp_path / "out" / "MMed-IFT-MC" / "data" / "ru" / "train-00000-of-00001.parquet").is_file()
    with pytest.raises(SystemExit):
        parser.parse_args(["--engine", "spark"])


def test_ray_check_reports_the_workers_version(ray_session: None, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_ray_check_parser(parser.add_subparsers())
    args = parser.parse_args(["ray-check"])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert f"workers' mmed_ift: {__version__}" in out and "CPUs: 2" in out
