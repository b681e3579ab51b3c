"""Every module of graph_api has a place in the layers contract (`make lint` checks
the imports against it with import-linter): a module left out would be free to
import anything, and the README's module map would not say where it sits."""

from __future__ import annotations

import pkgutil
import re
import tomllib
from pathlib import Path

import graph_api

ROOT = Path(__file__).resolve().parents[2]


def layered_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = (c for c in config["contracts"] if c["name"] == "layers point one way")
    return {name.strip() for layer in contract["layers"] for name in re.split(r"[|:]", layer)}


def test_every_module_has_a_layer() -> None:
    modules = {f"graph_api.{m.name}" for m in pkgutil.iter_modules(graph_api.__path__)}
    assert modules, "graph_api has no modules?"
    assert sorted(modules - layered_modules()) == []


def test_the_layers_name_only_modules_that_exist() -> None:
    modules = {f"graph_api.{m.name}" for m in pkgutil.iter_modules(graph_api.__path__)}
    assert sorted(layered_modules() - modules - {"loaders"}) == []
