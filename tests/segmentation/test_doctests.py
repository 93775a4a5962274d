import doctest
import importlib

import pytest

pytest.importorskip("torch")

MODULES = [
    "skcv.segmentation._conv_matrix",
    "skcv.segmentation._fcn",
    # trains a (tiny) network: about a second, more on a busy machine
    pytest.param("skcv.segmentation._segmenter", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
