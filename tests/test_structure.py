"""The project's shape (issue 14): dependencies point one way, modules and functions stay small,
no module holds state that a second container would share, and no `assert` does a check's job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["ingest", "assistant", "eval", "ui"]  # each may import only the ones before it
PACKAGES = LAYERS + ["bench"]
MODULES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imported_packages(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", [p for p in MODULES if p.parts[-2] in LAYERS or _name(p).split("/")[0] in LAYERS],
                         ids=_name)
def test_no_import_points_upward(path: Path) -> None:
    layer = _name(path).split("/")[0]
    above = set(LAYERS[LAYERS.index(layer) + 1:]) | {"bench", "tests"}
    upward = _imported_packages(ast.parse(path.read_text(encoding="utf-8"))) & above
    assert not upward, f"{_name(path)} imports {sorted(upward)}, a layer above {layer}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_modules_and_functions_are_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 300, f"{_name(path)} has {len(source.splitlines())} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{_name(path)}: {node.name} is {length} lines"


MUTABLE = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
CACHES = {"lru_cache", "cache"}


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_level_mutable_state(path: Path) -> None:
    """Components live in a container (`assistant.components`), never in globals or process-wide caches."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Global), f"{_name(path)}:{node.lineno} uses `global`"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                lazy_constant = not node.args.args  # a cached function of nothing is a constant made on first use
                assert name not in CACHES or lazy_constant, f"{_name(path)}: {node.name} is a process-wide cache"
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, MUTABLE):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = getattr(target, "id", "")
                assert name.isupper() or name.startswith("__"), \
                    f"{_name(path)}:{node.lineno} `{name}` is module-level mutable state (constants are UPPER_CASE)"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_assert_checks_in_production_code(path: Path) -> None:
    """`python -O` strips asserts, so a check that guards data (a quote found in its chunk, a state
    that must hold) would vanish silently: production code raises a named error instead."""
    asserts = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Assert)]
    assert not asserts, f"{_name(path)} uses `assert` as a check on line(s) {asserts}"
