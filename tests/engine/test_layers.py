"""The engine's packages depend on each other one way, and no package's modules form a cycle
(the same rules as the import-linter contracts in pyproject.toml, on the engine alone)."""

from __future__ import annotations

import itertools

import grimp
import pytest

GRAPH = grimp.build_graph("engine")
# Each package may use only the packages listed after it.
LAYERS = {
    "engine.nets": ("engine.optimizers", "engine.activations", "engine.expressions", "engine.core"),
    "engine.surfaces": ("engine.optimizers", "engine.expressions", "engine.core"),
    "engine.activations": ("engine.expressions", "engine.core"),
    "engine.optimizers": ("engine.core",),
    "engine.expressions": ("engine.core",),
    "engine.core": (),
}


@pytest.mark.parametrize("package", list(LAYERS))
def test_a_package_uses_only_the_packages_below_it(package):
    for other in set(LAYERS) - {package} - set(LAYERS[package]):
        chain = GRAPH.find_shortest_chains(importer=package, imported=other, as_packages=True)
        assert not chain, f"{package} must not import {other}: {sorted(chain)}"


@pytest.mark.parametrize("package", list(LAYERS))
def test_the_modules_of_a_package_form_no_cycle(package):
    modules = sorted(m for m in GRAPH.find_children(package))
    for a, b in itertools.combinations(modules, 2):
        there = GRAPH.chain_exists(importer=a, imported=b, as_packages=True)
        back = GRAPH.chain_exists(importer=b, imported=a, as_packages=True)
        assert not (there and back), f"{a} and {b} import each other"
