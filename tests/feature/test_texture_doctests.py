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
    pytest.importorskip("matplotlib") if name.startswith("skcv.plot") else None
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
