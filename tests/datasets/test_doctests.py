import doctest
import importlib

import pytest

MODULES = [
    "skcv.datasets._cifar10",
    "skcv.datasets._detection",
    "skcv.datasets._digits",
    "skcv.datasets._image_folder",
    "skcv.datasets._textures",
    "skcv.datasets._toy2d",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
