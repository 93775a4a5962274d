"""Run the docstring examples of the summary, the CNN inspection and its displays."""

import doctest
import importlib

import pytest

pytest.importorskip("torch")
pytest.importorskip("matplotlib")

MODULES = [
    "skcv.cnn._inspect",
    "skcv.cnn._summary",
    "skcv.plot._filters",
    "skcv.plot._inside",
    "skcv.utils._conv",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
