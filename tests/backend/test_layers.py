"""The backend's layers import downwards only: models at the bottom, then core, schemas, services, and the
API routes and web pages on top (main wires them). Nothing in the backend imports the indexer, the launcher
or the tests: the API reads what the indexer writes through the shared models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "backend" / "app"

# layer -> the layers its modules may import (itself included)
ALLOWED = {
    "models": {"models"},
    "core": {"core", "models"},
    "schemas": {"schemas", "core"},
    "services": {"services", "schemas", "core", "models"},
    "api": {"api", "services", "schemas", "core", "models"},
    # the pages take their one dependency from the API's and call services only
    "web": {"web", "api", "services", "schemas", "core"},
    "main": {"api", "web", "services", "core"},
}
OUTSIDE = ("indexer", "launcher", "tests", "scripts", "bench", "tools")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


MODULES = sorted(APP.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_backend_module__imports_only_its_own_layer_and_those_below(path):
    layer = path.relative_to(APP).parts[0].removesuffix(".py")
    if layer == "__init__":
        return
    for name in _imports(path):
        parts = name.split(".")
        assert parts[0] not in OUTSIDE, f"{path.relative_to(APP)} imports {name}"
        if parts[:2] == ["backend", "app"] and len(parts) > 2:
            assert parts[2] in ALLOWED[layer], f"{path.relative_to(APP)} ({layer}) imports {name}"
