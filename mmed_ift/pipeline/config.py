"""What a build depends on, typed and validated before any work starts.

:class:`BuildConfig` is copied into the build report (``config``), so a build can be redone from
its report; :class:`EngineOptions` says where it runs and is not part of the result.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mmed_ift.compose.policy import CompositionPolicy
from mmed_ift.errors import BuildError
from mmed_ift.filters.options import FilterOptions
from mmed_ift.languages import LANGUAGE_CODES, get_language
from mmed_ift.options import check_ranges, option
from mmed_ift.text.clean import DEFAULT_MAX_FIELD_CHARS
from mmed_ift.wiki_options import WikiOptions

if TYPE_CHECKING:
    from mmed_ift.generate.llm import LLMConfig

#: where a build goes when no ``--out`` is given
DEFAULT_OUT = Path("mmed_ift_out")
GENERATORS = ("template", "openai")
ALL_LANGUAGES = LANGUAGE_CODES


@dataclass
class BuildConfig:
    """Everything a build depends on.

    Fields:
        languages: ISO 639-1 codes to build (``en zh ja fr ru es``); a single code is accepted.
        out_dir: output folder (``str`` or ``Path``); replaced only if it holds an earlier build.
        sources_dir: folder with one sub-folder per source, as downloaded; None: the bundled samples.
        source_names: only these sources (default: every registered source that is found).
        hub_sources: sources to download from the Hub: ``name``, ``name=owner/dataset``, ``...@revision``.
        license_allow: only sources under these license ids (SPDX, e.g. ``MIT``); empty: all.
        generator: ``template`` (offline, deterministic) or ``openai`` (adds LLM-written samples).
        strict: raise if any record was rejected.
        repo_namespace: Hub namespace the dataset cards point to.
        progress: show progress bars.
        max_field_chars: a record field longer than this (after text cleaning) is rejected as
            ``field_too_long``.
        filter_options: the filter chain's options (:class:`~mmed_ift.filters.chain.FilterOptions`;
            a dict of its fields is accepted).
        llm: the LLM generator's settings; required when ``generator == "openai"``.
        composition: how many training rows per language, source and task
            (:class:`~mmed_ift.compose.policy.CompositionPolicy`, ``--target-size``; a dict of its
            fields is accepted); None keeps every row.
        system_message: start every template sample with a system turn in its language
            (``--system-message``; off by default, see :class:`~mmed_ift.generate.template.TemplateOptions`).
        wikipedia: how Wikipedia's medical articles are chosen and cut into passages
            (:class:`~mmed_ift.wiki_options.WikiOptions`; a dict of its fields is accepted).
    """

    languages: tuple[str, ...]
    out_dir: Path = DEFAULT_OUT
    sources_dir: Path | None = None
    source_names: tuple[str, ...] | None = None
    hub_sources: tuple[str, ...] = ()
    license_allow: tuple[str, ...] = ()
    generator: str = "template"
    strict: bool = False
    repo_namespace: str = "SpassMed"
    progress: bool = True
    max_field_chars: int = option(
        DEFAULT_MAX_FIELD_CHARS,
        flag="--max-field-chars",
        minimum=1,
        help="reject a record whose field is longer than this many characters (field_too_long)",
    )
    filter_options: FilterOptions = field(default_factory=FilterOptions)
    llm: LLMConfig | None = None
    composition: CompositionPolicy | None = None
    system_message: bool = False
    wikipedia: WikiOptions = field(default_factory=WikiOptions)

    def __post_init__(self) -> None:
        if isinstance(self.languages, str):
            self.languages = (self.languages,)
        self.languages = tuple(dict.fromkeys(self.languages))
        self.out_dir = Path(self.out_dir)
        self.sources_dir = Path(self.sources_dir) if self.sources_dir is not None else None
        self.source_names = tuple(self.source_names) if self.source_names is not None else None
        self.hub_sources = tuple(self.hub_sources)
        self.license_allow = tuple(self.license_allow)
        check_ranges(self)
        if isinstance(self.filter_options, dict):
            self.filter_options = FilterOptions.from_dict(self.filter_options)
        if isinstance(self.composition, dict):
            self.composition = CompositionPolicy.from_dict(self.composition)
        if isinstance(self.wikipedia, dict):
            self.wikipedia = WikiOptions.from_dict(self.wikipedia)
        if not self.languages:
            raise BuildError("choose at least one language (--lang CODE or --all)")
        for code in self.languages:
            try:
                get_language(code)
            except ValueError as error:
                raise BuildError(str(error)) from None
        if self.generator not in GENERATORS:
            raise BuildError(f"unknown generator {self.generator!r}; choose one of {', '.join(GENERATORS)}")
        if self.generator == "openai" and self.llm is None:
            raise BuildError("generator 'openai' needs LLM settings (--base-url URL --model NAME)")
        if self.composition is not None and self.llm is not None and self.llm.translate_to is not None:
            raise BuildError("--translate-to does not combine with --target-size: the composition's gaps decide")
        if self.hub_sources:
            from mmed_ift.sources.hub_download import HubSource

            for spec in self.hub_sources:
                HubSource.parse(spec)  # a malformed --hub fails here, before any download
        if self.source_names:
            # the registry imports every adapter (pyarrow...): only a build that names sources pays
            from mmed_ift.sources import registry

            unknown = sorted(set(self.source_names) - set(registry()))
            if unknown:
                raise BuildError(f"unknown sources {unknown}; see `python -m mmed_ift sources`")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        data["sources_dir"] = str(self.sources_dir) if self.sources_dir else None
        return data

    def llm_config(self) -> LLMConfig | None:
        """The LLM settings with their cache path filled in, when the LLM generator runs."""
        if self.generator != "openai" or self.llm is None:
            return None
        return self.llm.with_default_cache(self.out_dir)


@dataclass
class EngineOptions:
    """Where a build runs; the output is the same on either engine."""

    engine: Literal["local", "ray"] = option(
        "local",
        flag="--engine",
        choices=("local", "ray"),
        help="local: one process; ray: Ray Data on a local instance or the cluster at --ray-address (same output)",
    )
    ray_address: str | None = option(
        None,
        flag="--ray-address",
        help="join this Ray cluster (e.g. ray://head:10001 or auto); default: a local instance",
    )
    ray_cpus: int | None = option(
        None, flag="--ray-cpus", minimum=1, help="CPUs of a local Ray instance (default: all)"
    )
    ray_write: Literal["auto", "workers", "driver"] = option(
        "auto",
        flag="--ray-write",
        choices=("auto", "workers", "driver"),
        help="who writes the parquet shards: workers in parallel (--out must be on a volume every node mounts) or the"
        " driver, streaming; auto: workers on a local instance, driver on a cluster",
    )

    def __post_init__(self) -> None:
        check_ranges(self)
