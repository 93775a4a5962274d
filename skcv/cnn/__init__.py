"""Convolutional neural networks on torch: the only subpackage that imports torch.

Importing :mod:`skcv.cnn` without torch raises an ImportError that says
``pip install 'skcv[torch]'``.
"""

from skcv.utils._optional import import_optional

import_optional("torch")

from skcv.cnn._architectures import (  # noqa: E402
    MODULES,
    VGG,
    AlexNet,
    GoogLeNet,
    InceptionModule,
    LeNet5,
    ResNet,
    SimpleConvNet,
    build_module,
)
from skcv.cnn._classifier import PRESETS, CNNClassifier  # noqa: E402
from skcv.cnn._fast import FastNet  # noqa: E402
from skcv.cnn._inspect import (  # noqa: E402
    conv_filters,
    feature_maps,
    occlusion_map,
    saliency_map,
)
from skcv.cnn._summary import NetworkSummary, summary  # noqa: E402
from skcv.utils._conv import conv_output_size  # noqa: E402

__all__ = [
    "MODULES",
    "PRESETS",
    "VGG",
    "AlexNet",
    "CNNClassifier",
    "FastNet",
    "GoogLeNet",
    "InceptionModule",
    "LeNet5",
    "NetworkSummary",
    "ResNet",
    "SimpleConvNet",
    "build_module",
    "conv_filters",
    "conv_output_size",
    "feature_maps",
    "occlusion_map",
    "saliency_map",
    "summary",
]
