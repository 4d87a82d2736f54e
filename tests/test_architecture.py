"""The layering of docs/architecture.md, checked on the source: imports point one way, no cycles,
no private names borrowed from other packages, no module too long to read.

Every import is found with ``ast`` (module level and inside functions alike), so an import hidden
in a function body to dodge a cycle is caught too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mmed_ift"
MAX_LINES = 400

DOMAIN = {"sources", "filters", "generate", "hub", "train", "evaluate"}
BASE = {"text", "schemas", "languages", "errors", "options", "pretrained", "schema_export"}
#: the only domain-to-domain dependencies, each for a reason
DOMAIN_EDGES = {
    ("evaluate", "sources"),  # benchmarks are read through the same adapters as the build
    ("evaluate", "generate"),  # the MC prompt format the recipes train on (generate.template)
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (mmed_ift.x.y), resolved
    names: tuple[str, ...]  # names taken from it (from X import a, b)
    nested: bool  # inside a function or class body
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    type_checking = {
        id(child)
        for node in tree.body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for child in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        nested = id(node) not in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, (), nested, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield Import(name, target, tuple(alias.name for alias in node.names), nested, node.lineno)


def all_imports() -> list[Import]:
    return [found for name, path in modules().items() for found in imports_of(name, path)]


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[-1] == "__main__":
        return "entry"
    if len(parts) == 1 or parts[1] == "api":
        return "facade"
    return {"cli": "cli", "pipeline": "pipeline"}.get(parts[1], "domain" if parts[1] in DOMAIN else "base")


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def resolve(target: str, known: dict[str, Path]) -> str | None:
    """The mmed_ift module an import names (a ``from pkg import module`` names the module)."""
    while target and target not in known:
        target = target.rsplit(".", 1)[0] if "." in target else ""
    return target or None


def internal_edges() -> list[tuple[Import, str]]:
    known = modules()
    edges = []
    for found in all_imports():
        if not found.target.startswith("mmed_ift"):
            continue
        targets = {resolve(found.target, known)}
        targets |= {resolve(f"{found.target}.{name}", known) for name in found.names}
        targets.discard(None)
        for target in targets:
            if target != found.module and target is not None:
                edges.append((found, target))
    return edges


ALLOWED = {
    "facade": {"facade", "base", "domain", "pipeline"},  # the public API: mmed_ift and mmed_ift.api
    "entry": {"facade", "cli", "base"},
    "cli": {"facade", "cli", "pipeline", "domain", "base"},
    "pipeline": {"facade", "pipeline", "domain", "base"},
    "domain": {"facade", "domain", "base"},
    "base": {"facade", "base"},
}


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for found, target in internal_edges():
        source_layer, target_layer = layer(found.module), layer(target)
        if target_layer not in ALLOWED[source_layer]:
            wrong.append(f"{found.module}:{found.line} ({source_layer}) imports {target} ({target_layer})")
        if target_layer == "facade" and source_layer not in {"entry", "cli"}:
            names = set(found.names)
            if not names <= {"__version__"}:
                wrong.append(f"{found.module}:{found.line} imports {sorted(names)} from the public facade")
        if source_layer == target_layer == "domain":
            pair = (package_of(found.module), package_of(target))
            if pair[0] != pair[1] and pair not in DOMAIN_EDGES:
                wrong.append(f"{found.module}:{found.line}: domain package {pair[0]} imports {pair[1]}")
    assert wrong == []


def test_no_import_cycles() -> None:
    """Module-level imports form no cycle (function-level ones are checked by the layers)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for found, target in internal_edges():
        if not found.nested:
            graph[found.module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(modules()):
        if node not in index:
            visit(node)
    assert cycles == []


def test_no_private_names_of_other_packages() -> None:
    wrong = []
    for found in all_imports():
        private = [name for name in found.names if name.startswith("_") and not name.startswith("__")]
        if not private:
            continue
        own = found.module.split(".")[:2]
        if found.target.split(".")[:2] != own:
            wrong.append(f"{found.module}:{found.line} imports {private} from {found.target}")
    assert wrong == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_is_short_enough_to_read(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_the_checks_see_real_imports() -> None:
    """The walker is not vacuous: it finds known edges of each kind."""
    edges = {(found.module, target) for found, target in internal_edges()}
    assert ("mmed_ift.pipeline.local", "mmed_ift.pipeline.stages") in edges
    assert ("mmed_ift.filters.near_dedup", "mmed_ift.text.minhash") in edges
    assert ("mmed_ift.cli.build", "mmed_ift.filters.options") in edges
    assert layer("mmed_ift.filters.pii") == "domain" and layer("mmed_ift.text.shingles") == "base"
    assert layer("mmed_ift.train.__main__") == "entry" and layer("mmed_ift") == "facade"
