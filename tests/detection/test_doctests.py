import doctest
import importlib

import pytest

MODULES = ["skcv.detection._boxes", "skcv.detection._sliding"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
