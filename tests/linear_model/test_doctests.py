import doctest
import importlib

import pytest

MODULES = [
    "skcv._optim._gradcheck",
    "skcv.linear_model._svm",
    "skcv.linear_model._softmax",
    "skcv.plot._templates",
    "skcv.plot._history",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
