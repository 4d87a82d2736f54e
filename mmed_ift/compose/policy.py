"""What a release should look like: :class:`CompositionPolicy`, from flags or a YAML file.

The YAML is small and meant to be kept with a release (``--composition release.yaml``)::

    target_size: 200000
    balance: temperature:0.3     # natural | equal | temperature:T (0 < T <= 1)
    max_repeats: 2               # a row may appear at most this many times (upsampling cap)
    seed: 0
    min_share: 0.08              # every language at least 8% of the rows (default: 1/12 under
                                 # temperature:T, 0 otherwise) ...
    languages:                   # ... or per language, as a share of target_size
      ja: {min: 0.1, max: 0.3}
    sources:                     # relative weight of a source within its language (default 1)
      medmcqa: 0.5
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mmed_ift.errors import BuildError

BALANCES = ("natural", "equal", "temperature")
#: the floor every language gets under ``temperature:T`` when no ``min_share`` is given: half the
#: equal share of the six languages.  Temperature sampling alone cannot lift a language with 1-2k
#: rows next to two with 400k+ (T = 0.3 gives Japanese about 6% on the published sizes,
#: docs/composition.md); a release meant to serve six languages should not leave one under half
#: its equal share unless the user says so (``--min-share 0``).
DEFAULT_TEMPERATURE_MIN_SHARE = 0.5 / 6


@dataclass(frozen=True)
class CompositionPolicy:
    """How ``target_size`` rows are shared out; validated on creation, with the flag in each message."""

    target_size: int
    balance: str = "natural"
    max_repeats: int = 1
    seed: int = 0
    #: share of ``target_size`` every language gets at least / at most (per-language values override);
    #: ``None``: DEFAULT_TEMPERATURE_MIN_SHARE under ``temperature:T``, else 0 (resolved on creation,
    #: so the report and the card show the floor that was applied)
    min_share: float | None = None
    max_share: float = 1.0
    languages: dict[str, dict[str, float]] = field(default_factory=dict)
    sources: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.target_size < 1:
            raise BuildError(f"--target-size must be at least 1, got {self.target_size}")
        temperature = self.temperature  # validates --balance
        if self.min_share is None:
            floor = DEFAULT_TEMPERATURE_MIN_SHARE if 0.0 < temperature < 1.0 else 0.0
            object.__setattr__(self, "min_share", floor)
        if self.max_repeats < 1:
            raise BuildError(f"--max-repeats must be at least 1, got {self.max_repeats}")
        for lang, bounds in self.languages.items():
            unknown = set(bounds) - {"min", "max"}
            if unknown:
                raise BuildError(f"composition: languages.{lang} takes min and max, not {sorted(unknown)}")
        checks = [("--min-share/--max-share", (self.min_share or 0.0, self.max_share))]
        checks += [(f"languages.{lang}", self.bounds(lang)) for lang in self.languages]
        for where, (low, high) in checks:
            if not 0.0 <= low <= high <= 1.0:
                raise BuildError(f"composition: {where} needs 0 <= min <= max <= 1, got min {low}, max {high}")
        for name, weight in self.sources.items():
            if not weight >= 0:
                raise BuildError(f"composition: sources.{name} weight must be >= 0, got {weight}")

    @property
    def temperature(self) -> float:
        """The exponent on each language's row count: 1 natural, 0 equal, T for temperature:T."""
        kind, _, value = self.balance.partition(":")
        if kind == "natural" and not value:
            return 1.0
        if kind == "equal" and not value:
            return 0.0
        if kind == "temperature":
            try:
                temperature = float(value)
            except ValueError:
                temperature = -1.0
            if 0.0 < temperature <= 1.0:
                return temperature
        raise BuildError(f"--balance must be natural, equal or temperature:T with 0 < T <= 1, got {self.balance!r}")

    def bounds(self, lang: str) -> tuple[float, float]:
        own = self.languages.get(lang, {})
        return float(own.get("min", self.min_share or 0.0)), float(own.get("max", self.max_share))

    def weight(self, source: str) -> float:
        return float(self.sources.get(source, 1.0))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "composition") -> CompositionPolicy:
        known = {name for name in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise BuildError(f"{where}: unknown keys {unknown}; known: {sorted(known)}")
        if "target_size" not in data:
            raise BuildError(f"{where}: target_size is required")
        try:
            return cls(**data)
        except TypeError as error:
            raise BuildError(f"{where}: {error}") from None

    @classmethod
    def from_yaml(cls, path: Path, **overrides: Any) -> CompositionPolicy:
        """The policy in ``path``, with flags given on the command line taking precedence."""
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise BuildError(f"--composition {path}: {error}") from None
        if not isinstance(data, dict):
            raise BuildError(f"--composition {path}: expected a mapping at the top level")
        data.update({name: value for name, value in overrides.items() if value is not None})
        return cls.from_dict(data, where=f"--composition {path}")
