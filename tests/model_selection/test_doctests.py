import doctest
import importlib

import pytest

MODULES = ["skcv.model_selection._coarse_to_fine", "skcv.model_selection._lr_range"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
