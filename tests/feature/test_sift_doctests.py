import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module", ["skcv.feature._sift", "skcv.feature._bovw", "skcv.metrics.pairwise"]
)
def test_doctests(module):
    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0
