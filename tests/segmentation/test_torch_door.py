import subprocess
import sys

import pytest

# A finder that makes ``import torch`` fail, as if torch were not installed.
NO_TORCH = (
    "import sys\n"
    "class _NoTorch:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'torch' or name.startswith('torch.'):\n"
    "            raise ImportError('No module named torch')\n"
    "sys.meta_path.insert(0, _NoTorch())\n"
)


@pytest.mark.slow  # a fresh interpreter: about a second
def test_import_without_torch_says_how_to_install():
    code = NO_TORCH + (
        "try:\n"
        "    import skcv.segmentation\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(0)\n"
        "sys.exit(3)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "pip install 'skcv[torch]'" in proc.stdout


@pytest.mark.slow
def test_data_and_metrics_need_no_torch():
    code = NO_TORCH + (
        "from skcv.datasets import make_shapes_segmentation\n"
        "from skcv.metrics import mean_iou\n"
        "X, Y = make_shapes_segmentation(2, 16, random_state=0)\n"
        "print(mean_iou(Y, Y))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1.0"
