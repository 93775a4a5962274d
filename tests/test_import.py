"""``import skcv`` and every non-torch subpackage must not import torch."""

import subprocess
import sys

import pytest

NON_TORCH = [
    "skcv",
    "skcv.augmentation",
    "skcv.base",
    "skcv.datasets",
    "skcv.detection",
    "skcv.feature",
    "skcv.filters",
    "skcv.io",
    "skcv.linear_model",
    "skcv.losses",
    "skcv.metrics",
    "skcv.model_selection",
    "skcv.neural_network",
    "skcv.optimize",
    "skcv.plot",
    "skcv.preprocessing",
    "skcv.utils",
    "skcv.utils.discovery",
]


@pytest.mark.parametrize("module", NON_TORCH)
def test_no_torch_on_import(module):
    code = (
        "import importlib, importlib.util, sys\n"
        f"name = {module!r}\n"
        "if importlib.util.find_spec(name) is None: sys.exit(0)\n"
        "importlib.import_module(name)\n"
        "sys.exit(3 if 'torch' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or f"{module} imported torch"


def test_lazy_subpackages():
    code = (
        "import sys, skcv\n"
        "assert 'skcv.preprocessing' not in sys.modules\n"
        "skcv.preprocessing\n"
        "assert 'skcv.preprocessing' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
