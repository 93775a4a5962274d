import doctest
import importlib

import pytest

MODULES = [
    "skcv.neural_network._mlp",
    "skcv.neural_network._init_experiment",
    "skcv.plot._activations",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
