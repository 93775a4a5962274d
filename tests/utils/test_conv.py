"""conv_output_size: the course's (W - F + 2P) / S + 1, usable without torch."""

import subprocess
import sys

import pytest

from skcv.utils import conv_output_size


@pytest.mark.parametrize(
    ("W", "F", "P", "S", "expected"),
    [
        (227, 11, 0, 4, 55),  # AlexNet conv1
        (55, 3, 0, 2, 27),  # AlexNet pool1
        (224, 3, 1, 1, 224),  # VGG: 3x3 pad 1 keeps the size
        (224, 2, 0, 2, 112),  # 2x2 max pool halves it
        (32, 5, 0, 1, 28),  # LeNet conv1 on 32x32
        (7, 3, 0, 2, 3),  # the course's 7x7 input, 3x3 filter, stride 2
        (5, 5, 0, 1, 1),
    ],
)
def test_known_sizes(W, F, P, S, expected):
    assert conv_output_size(W, F, P, S) == expected


def test_defaults_are_no_padding_stride_one():
    assert conv_output_size(10, 3) == 8


def test_not_an_integer_raises():
    # The course's example: a 7x7 input, 3x3 filter, stride 3 does not fit.
    with pytest.raises(ValueError, match=r"\(7 - 3 \+ 2\*0\) / 3 \+ 1 = 2.33.*not an"):
        conv_output_size(7, 3, 0, 3)


def test_empty_output_raises():
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_output_size(4, 7, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"W": 0, "F": 1}, ValueError, "W must be >= 1"),
        ({"W": 5, "F": 0}, ValueError, "F must be >= 1"),
        ({"W": 5, "F": 3, "P": -1}, ValueError, "P must be >= 0"),
        ({"W": 5, "F": 3, "S": 0}, ValueError, "S must be >= 1"),
        ({"W": 5.0, "F": 3}, TypeError, "W must be an int"),
        ({"W": 5, "F": True}, TypeError, "F must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        conv_output_size(**kwargs)


def test_import_without_torch():
    code = (
        "import sys\n"
        "from skcv.utils import conv_output_size\n"
        "assert conv_output_size(227, 11, 0, 4) == 55\n"
        "sys.exit(3 if 'torch' in sys.modules else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or "skcv.utils imported torch"
