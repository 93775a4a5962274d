"""Run the docstring examples of the filters area."""

import doctest
import importlib

import pytest

MODULES = [
    "skcv.filters._convolve",
    "skcv.filters._denoise",
    "skcv.filters._edges",
    "skcv.filters._gradients",
    "skcv.filters._input",
    "skcv.filters._kernels",
    "skcv.filters._noise",
    "skcv.feature._canny",
    "skcv.metrics._image",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
