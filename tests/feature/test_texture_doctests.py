"""Run the docstring examples of the texture modules."""

import doctest
import importlib

import pytest

MODULES = [
    "skcv.feature._filter_banks",
    "skcv.feature._texture",
    "skcv.plot._filters",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    if name.startswith("skcv.plot"):
        pytest.importorskip("matplotlib")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
