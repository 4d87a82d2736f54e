"""``mmed_ift.build(...)``: the whole build from Python, with the command line's defaults."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.filters.options import FilterOptions
from mmed_ift.generate.llm import LLMConfig
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.pipeline.config import DEFAULT_OUT, BuildConfig, EngineOptions
from mmed_ift.pipeline.report import BuildResult
from mmed_ift.pipeline.run import run_build


def build(
    languages: str | Sequence[str] | BuildConfig = "all",
    out: str | Path = DEFAULT_OUT,
    *,
    sources: str | Path | None = None,
    source_names: Sequence[str] | None = None,
    license_allow: Sequence[str] = (),
    filters: FilterOptions | dict[str, Any] | None = None,
    llm: LLMConfig | None = None,
    composition: CompositionPolicy | dict[str, Any] | None = None,
    strict: bool = False,
    progress: bool = False,
    engine: Literal["local", "ray"] = "local",
    system_message: bool = False,
) -> BuildResult:
    """Build MMed-IFT and MMed-IFT-MC and return where they are, with the report.

    Args:
        languages: a code (``"ja"``), several (``["ja", "fr"]``) or ``"all"``; or a ready
            :class:`~mmed_ift.pipeline.config.BuildConfig` (then the other arguments but
            ``engine`` are ignored).
        out: output folder (``str`` or ``Path``).
        sources: folder with one sub-folder per upstream source; None: the bundled samples.
        source_names: only these sources.
        license_allow: only sources under these license ids (``"MIT"``, ``"Apache-2.0"``...).
        filters: filter options (:class:`~mmed_ift.filters.options.FilterOptions` or a dict of
            its fields, e.g. ``{"near_threshold": 0.7}``).
        llm: LLM generator settings (adds LLM-written samples); None: templates only.
        composition: rows per language, source and task (``{"target_size": 20000, "balance":
            "temperature:0.3"}`` or a :class:`~mmed_ift.compose.policy.CompositionPolicy`); None: all.
        strict: raise if any record was rejected.
        progress: show progress bars.
        engine: ``"local"`` (this process) or ``"ray"``.
        system_message: start every template sample with a system turn in its language.

    Every argument is checked before any file is read; a bad one raises
    :class:`~mmed_ift.errors.BuildError` (or :class:`~mmed_ift.options.OptionError`) naming it.
    ``result.load("MMed-IFT-MC", "ja")`` gives the built data as a ``datasets.DatasetDict``.
    """
    if isinstance(languages, BuildConfig):
        config = languages
    else:
        codes = LANGUAGE_CODES if languages == "all" else languages
        config = BuildConfig(
            languages=(codes,) if isinstance(codes, str) else tuple(codes),
            out_dir=Path(out),
            sources_dir=Path(sources) if sources is not None else None,
            source_names=tuple(source_names) if source_names is not None else None,
            license_allow=tuple(license_allow),
            generator="openai" if llm is not None else "template",
            strict=strict,
            progress=progress,
            filter_options=_filter_options(filters),
            llm=llm,
            composition=CompositionPolicy.from_dict(composition) if isinstance(composition, dict) else composition,
            system_message=system_message,
        )
    return run_build(config, EngineOptions(engine=engine))


def _filter_options(filters: FilterOptions | dict[str, Any] | None) -> FilterOptions:
    if isinstance(filters, dict):
        return FilterOptions.from_dict(filters)
    return filters or FilterOptions()
