"""The package's structure, checked from its source: layers, no import cycles, small modules.

Every ``import`` in ``src/embedlab`` (module level and inside functions) is read with ``ast``.
A module may import from its own layer's package, from a lower layer, or, from a stage, the
public API of ``embedlab.evaluate`` (the instrument every stage reports with); never from a
higher layer, and never in a circle. ARCHITECTURE.md describes the same layers.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "embedlab"

# Lowest first. A module belongs to the first prefix that matches its dotted name.
LAYERS: list[tuple[str, ...]] = [
    ("embedlab.errors", "embedlab.progress", "embedlab.files", "embedlab.version"),
    ("embedlab.data", "embedlab.ranking"),
    ("embedlab.embedders",),
    ("embedlab.named_models",),
    ("embedlab.registry",),
    ("embedlab.evaluate",),
    ("embedlab.train", "embedlab.compress", "embedlab.search", "embedlab.monitor",
     "embedlab.recommend", "embedlab.scale", "embedlab.graph"),
    ("embedlab.serve",),
    ("embedlab.demo", "embedlab.cli", "embedlab.__main__", "embedlab"),
]
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The embedlab modules ``name`` imports (a ``from X import y`` names X.y if a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.startswith("embedlab") and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _layer(module: str) -> int:
    if module.endswith(".__main__"):  # ``python -m embedlab.x``: an entry point, like cli
        return len(LAYERS) - 1
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"{module} is in no layer; add it to LAYERS and ARCHITECTURE.md")


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of more than one module that import each other, directly or round a loop."""
    import networkx as nx

    digraph = nx.DiGraph([(a, b) for a, targets in graph.items() for b in targets])
    digraph.add_nodes_from(graph)
    return sorted(sorted(c) for c in nx.strongly_connected_components(digraph) if len(c) > 1)


def test_the_reader_sees_the_package():
    graph = _graph()
    assert "embedlab.registry" in graph and "embedlab.embedders.base" in graph
    assert "embedlab.embedders.base" in graph["embedlab.registry"]


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_imports_never_go_up_a_layer():
    wrong = []
    for module, targets in _graph().items():
        for target in targets:
            if _layer(target) > _layer(module):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_stages_stand_side_by_side():
    """In the data layer and the stage layer, a package imports only itself and lower layers
    (stages may use evaluate, a layer down)."""
    side_by_side = {_layer("embedlab.data"), _layer("embedlab.train")}
    wrong = []
    for module, targets in _graph().items():
        for target in targets:
            same_layer = _layer(target) == _layer(module)
            if same_layer and _layer(module) in side_by_side \
                    and _package(target) != _package(module):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_private_names_across_packages():
    wrong = []
    modules = _modules()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("embedlab"):
                if _package(node.module) == _package(name):
                    continue
                wrong += [f"{name}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_")]
    assert wrong == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_stay_small(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(SRC)} has {lines} lines"


def test_the_default_model_is_named_in_one_place():
    """Only named_models.py spells it: where the named models and the default are defined."""
    hits = [f"{p.relative_to(SRC)}:{i}" for p in PACKAGE.rglob("*.py")
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(r'"minilm"', line)]
    assert hits and all(h.startswith("embedlab/named_models.py") for h in hits), hits
    from embedlab.named_models import DEFAULT_MODEL, MODELS

    assert DEFAULT_MODEL in MODELS


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert _cycles({"embedlab.x": {"embedlab.y"}, "embedlab.y": {"embedlab.x"}}) == \
        [["embedlab.x", "embedlab.y"]]
