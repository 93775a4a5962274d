"""The course's convolutional networks as ``torch.nn`` modules.

Every architecture takes ``in_channels``, ``n_classes`` and ``input_size=(H, W)``
(the size of the training images) and works on CIFAR-sized (32x32x3), MNIST-sized
(28x28x1) and ImageNet-sized inputs: pooling uses ``ceil_mode``/padding so tiny feature
maps never vanish, and the head uses adaptive pooling. For inputs smaller than 64
pixels the ImageNet stems (large strided first convolutions, early max pooling) are
replaced by the usual CIFAR stems (small stride-1 convolutions), as in the CIFAR
versions of these networks.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

__all__ = [
    "MODULES",
    "AlexNet",
    "GoogLeNet",
    "InceptionModule",
    "LeNet5",
    "ResNet",
    "SimpleConvNet",
    "VGG",
    "build_module",
]


def _small(input_size) -> bool:
    return input_size is None or min(input_size) < 64


def _pool(kernel: int = 2, stride: int = 2) -> nn.MaxPool2d:
    # ceil_mode keeps a 1x1 map at 1x1 instead of 0x0.
    return nn.MaxPool2d(kernel, stride, ceil_mode=True)


class SimpleConvNet(nn.Module):
    """The course's first CNN: [conv-ReLU-pool] x 2, then a linear classifier.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    widths : tuple of int, default=(16, 32)
        Filters of the two convolutional layers.
    batch_norm : bool, default=True
        Batch normalisation after each convolution.
    input_size : tuple of int, default=None
        Unused (kept for a uniform signature).

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import SimpleConvNet
    >>> net = SimpleConvNet(in_channels=1, n_classes=3).eval()
    >>> net(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 3])
    """

    min_size = 1

    def __init__(
        self, in_channels=3, n_classes=10, widths=(16, 32), batch_norm=True, **_
    ):
        super().__init__()
        layers, c = [], in_channels
        for w in widths:
            layers += [nn.Conv2d(c, w, 3, padding=1, bias=not batch_norm)]
            if batch_norm:
                layers.append(nn.BatchNorm2d(w))
            layers += [nn.ReLU(inplace=True), _pool()]
            c = w
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_classes)
        )

    def forward(self, x):
        """Class scores of shape (n, n_classes)."""
        return self.head(self.features(x))


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998): conv5-pool-conv5-pool-fc120-fc84.

    Parameters
    ----------
    in_channels : int, default=1
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    activation : {"tanh", "relu"}, default="tanh"
        Nonlinearity (the original uses a scaled tanh).
    input_size : tuple of int, default=None
        Unused; the first convolution pads by 2 so 28x28 behaves like the original
        32x32 input, and an adaptive pool yields the 5x5x16 map for any size.
        :class:`CNNClassifier` zero-pads images smaller than ``min_size`` = 9.

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import LeNet5
    >>> net = LeNet5(n_classes=10).eval()
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    >>> sum(p.numel() for p in net.parameters())  # about 61 700 weights
    61706
    """

    min_size = 9

    def __init__(self, in_channels=1, n_classes=10, activation="tanh", **_):
        super().__init__()
        act = nn.Tanh if activation == "tanh" else nn.ReLU
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5, padding=2),
            act(),
            nn.AvgPool2d(2, ceil_mode=True),
            nn.Conv2d(6, 16, 5),
            act(),
            nn.AvgPool2d(2, ceil_mode=True),
            nn.AdaptiveAvgPool2d(5),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120),
            act(),
            nn.Linear(120, 84),
            act(),
            nn.Linear(84, n_classes),
        )

    def forward(self, x):
        """Class scores of shape (n, n_classes)."""
        return self.classifier(self.features(x))


class AlexNet(nn.Module):
    """AlexNet (Krizhevsky et al., 2012) and its ZFNet variant (Zeiler & Fergus, 2014).

    Five convolutions (ReLU, max pooling, optional local response normalisation)
    then three fully connected layers with dropout.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    variant : {"alexnet", "zfnet"}, default="alexnet"
        ZFNet uses a smaller, less strided first layer (7x7 stride 2 instead of
        11x11 stride 4) as its deconvnet visualisations suggested.
    lrn : bool, default=False
        Local response normalisation after the first two convolutions.
    width : float, default=1.0
        Multiplier of the number of filters (1.0 is 96-256-384-384-256).
    hidden : int, default=None
        Units of the two hidden fully connected layers (4096 for ImageNet-sized
        input, 512 for small input when None).
    dropout : float, default=0.5
        Dropout probability before the hidden fully connected layers.
    input_size : tuple of int, default=None
        Training image size; below 64 pixels the first layer is 5x5 (AlexNet) or
        3x3 (ZFNet) with stride 1.

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import AlexNet
    >>> net = AlexNet(n_classes=10, width=0.25, input_size=(32, 32)).eval()
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    min_size = 1

    def __init__(
        self,
        in_channels=3,
        n_classes=10,
        variant="alexnet",
        lrn=False,
        width=1.0,
        hidden=None,
        dropout=0.5,
        input_size=None,
        **_,
    ):
        super().__init__()
        c = [max(1, int(round(k * width))) for k in (96, 256, 384, 384, 256)]
        small = _small(input_size)
        if variant == "zfnet":
            k, s, p = (3, 1, 1) if small else (7, 2, 1)
        else:
            k, s, p = (5, 1, 2) if small else (11, 4, 2)
        hidden = hidden or (512 if small else 4096)

        def norm():
            return (
                [nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)] if lrn else []
            )

        def pool():
            return nn.MaxPool2d(3, 2, padding=1)

        self.features = nn.Sequential(
            nn.Conv2d(in_channels, c[0], k, s, p),
            nn.ReLU(inplace=True),
            *norm(),
            pool(),
            nn.Conv2d(c[0], c[1], 5, padding=2),
            nn.ReLU(inplace=True),
            *norm(),
            pool(),
            nn.Conv2d(c[1], c[2], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[2], c[3], 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(c[3], c[4], 3, padding=1),
            nn.ReLU(inplace=True),
            pool(),
        )
        side = 2 if small else 6
        self.avgpool = nn.AdaptiveAvgPool2d(side)
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c[4] * side * side, hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        """Class scores of shape (n, n_classes)."""
        return self.classifier(self.avgpool(self.features(x)))


VGG_CONFIGS = {
    11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    16: [64, 64, "M", 128, 128, "M"]
    + [256] * 3
    + ["M"]
    + [512] * 3
    + ["M"]
    + [512] * 3
    + ["M"],
    19: [64, 64, "M", 128, 128, "M"]
    + [256] * 4
    + ["M"]
    + [512] * 4
    + ["M"]
    + [512] * 4
    + ["M"],
}


class VGG(nn.Module):
    """VGG (Simonyan & Zisserman, 2015): stacks of 3x3 convolutions.

    The number of filters doubles after each 2x2 max pool, from 64 up to 512.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    depth : {11, 13, 16, 19}, default=16
        Configuration (number of weight layers).
    batch_norm : bool, default=False
        Batch normalisation after each convolution (the "_bn" variants).
    width : float, default=1.0
        Multiplier of the number of filters.
    hidden : int, default=None
        Units of the two hidden fully connected layers (4096 for ImageNet-sized
        input; for small input None means a single linear layer on the 512
        pooled features, the usual CIFAR head).
    dropout : float, default=0.5
        Dropout before the hidden fully connected layers.
    input_size : tuple of int, default=None
        Training image size (selects the head).

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import VGG
    >>> net = VGG(depth=11, width=0.125, input_size=(32, 32)).eval()
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    min_size = 1

    def __init__(
        self,
        in_channels=3,
        n_classes=10,
        depth=16,
        batch_norm=False,
        width=1.0,
        hidden=None,
        dropout=0.5,
        input_size=None,
        **_,
    ):
        super().__init__()
        if depth not in VGG_CONFIGS:
            raise ValueError(
                f"depth must be one of {sorted(VGG_CONFIGS)} for VGG; got {depth!r}."
            )
        layers, c = [], in_channels
        for v in VGG_CONFIGS[depth]:
            if v == "M":
                layers.append(_pool())
                continue
            w = max(1, int(round(v * width)))
            layers.append(nn.Conv2d(c, w, 3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(w))
            layers.append(nn.ReLU(inplace=True))
            c = w
        self.features = nn.Sequential(*layers)
        small = _small(input_size)
        if small and hidden is None:
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(c, n_classes))
        else:
            side = 1 if small else 7
            hidden = hidden or 4096
            self.avgpool = nn.AdaptiveAvgPool2d(side)
            self.classifier = nn.Sequential(
                nn.Flatten(),
                nn.Linear(c * side * side, hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(hidden, hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(hidden, n_classes),
            )

    def forward(self, x):
        """Class scores of shape (n, n_classes)."""
        return self.classifier(self.avgpool(self.features(x)))


def _conv_bn(c_in, c_out, k, stride=1):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, k, stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class InceptionModule(nn.Module):
    """Inception module: parallel 1x1, 3x3, 5x5 convolutions and 3x3 max pooling.

    1x1 convolutions reduce the channels before the 3x3 and 5x5 branches and after
    the pooling branch ("network in network"), which keeps the cost low; the four
    outputs are concatenated along the channels.

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import InceptionModule
    >>> module = InceptionModule(192, 64, 96, 128, 16, 32, 32)  # GoogLeNet's 3a
    >>> module(torch.zeros(1, 192, 8, 8)).shape  # 64 + 128 + 32 + 32 channels
    torch.Size([1, 256, 8, 8])
    """

    def __init__(self, c_in, c1, c3r, c3, c5r, c5, pool_proj):
        super().__init__()
        self.b1 = _conv_bn(c_in, c1, 1)
        self.b3 = nn.Sequential(_conv_bn(c_in, c3r, 1), _conv_bn(c3r, c3, 3))
        self.b5 = nn.Sequential(_conv_bn(c_in, c5r, 1), _conv_bn(c5r, c5, 5))
        self.bp = nn.Sequential(
            nn.MaxPool2d(3, 1, padding=1), _conv_bn(c_in, pool_proj, 1)
        )
        self.out_channels = c1 + c3 + c5 + pool_proj

    def forward(self, x):
        """Concatenation of the four branches."""
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)


_INCEPTION = {
    "3a": (64, 96, 128, 16, 32, 32),
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}


class _AuxHead(nn.Module):
    def __init__(self, c_in, n_classes, width):
        super().__init__()
        c = max(1, int(round(128 * width)))
        h = max(1, int(round(1024 * width)))
        self.net = nn.Sequential(
            nn.AdaptiveAvgPool2d(4),
            _conv_bn(c_in, c, 1),
            nn.Flatten(),
            nn.Linear(c * 16, h),
            nn.ReLU(inplace=True),
            nn.Dropout(0.7),
            nn.Linear(h, n_classes),
        )

    def forward(self, x):
        return self.net(x)


class GoogLeNet(nn.Module):
    """GoogLeNet (Szegedy et al., 2015): a stack of nine Inception modules.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    aux_classifiers : bool, default=False
        Auxiliary classifiers after modules 4a and 4d; in training mode the
        network then returns ``(main, aux1, aux2)`` and :class:`CNNClassifier`
        adds 0.3 times their losses, as in the paper.
    width : float, default=1.0
        Multiplier of the number of filters in every branch.
    dropout : float, default=0.4
        Dropout before the final linear layer.
    input_size : tuple of int, default=None
        Training image size; below 64 pixels the ImageNet stem (7x7 stride 2,
        pooling, 3x3) is replaced by one 3x3 convolution.

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import GoogLeNet
    >>> net = GoogLeNet(n_classes=10, width=0.125, input_size=(32, 32)).eval()
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    min_size = 1

    def __init__(
        self,
        in_channels=3,
        n_classes=10,
        aux_classifiers=False,
        width=1.0,
        dropout=0.4,
        input_size=None,
        **_,
    ):
        super().__init__()

        def sc(v):
            return max(1, int(round(v * width)))

        c192 = sc(192)
        if _small(input_size):
            self.stem = _conv_bn(in_channels, c192, 3)
        else:
            self.stem = nn.Sequential(
                _conv_bn(in_channels, sc(64), 7, stride=2),
                nn.MaxPool2d(3, 2, padding=1),
                _conv_bn(sc(64), sc(64), 1),
                _conv_bn(sc(64), c192, 3),
                nn.MaxPool2d(3, 2, padding=1),
            )
        blocks, c = {}, c192
        for name, cfg in _INCEPTION.items():
            blocks[name] = InceptionModule(c, *[sc(v) for v in cfg])
            c = blocks[name].out_channels
            if name in ("4a", "4d"):
                setattr(self, f"c_{name}", c)
        self.blocks = nn.ModuleDict(blocks)
        self.pool = nn.MaxPool2d(3, 2, padding=1)
        self.aux_classifiers = aux_classifiers
        if aux_classifiers:
            self.aux1 = _AuxHead(self.c_4a, n_classes, width)
            self.aux2 = _AuxHead(self.c_4d, n_classes, width)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(c, n_classes),
        )

    def forward(self, x):
        """Class scores, plus the two auxiliary scores when training with aux."""
        x = self.stem(x)
        aux = []
        for name, block in self.blocks.items():
            if name in ("4a", "5a"):
                x = self.pool(x)
            x = block(x)
            if self.aux_classifiers and self.training and name in ("4a", "4d"):
                aux.append((self.aux1 if name == "4a" else self.aux2)(x))
        out = self.head(x)
        return (out, *aux) if aux else out


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with an identity (or 1x1 projection) shortcut."""

    expansion = 1

    def __init__(self, c_in, c, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.shortcut = _shortcut(c_in, c, stride)

    def forward(self, x):
        """relu(F(x) + x)."""
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3, 1x1 expand (x4) with a shortcut."""

    expansion = 4

    def __init__(self, c_in, c, stride=1):
        super().__init__()
        c_out = c * self.expansion
        self.conv1 = nn.Conv2d(c_in, c, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.conv3 = nn.Conv2d(c, c_out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(c_out)
        self.shortcut = _shortcut(c_in, c_out, stride)

    def forward(self, x):
        """relu(F(x) + x)."""
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return torch.relu(out + self.shortcut(x))


def _shortcut(c_in, c_out, stride):
    if stride == 1 and c_in == c_out:
        return nn.Identity()
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
    )


_RESNETS = {
    # name: (block, blocks per stage, stage widths, imagenet-style layout)
    "resnet18": ("basic", (2, 2, 2, 2), (64, 128, 256, 512), True),
    "resnet34": ("basic", (3, 4, 6, 3), (64, 128, 256, 512), True),
    "resnet50": ("bottleneck", (3, 4, 6, 3), (64, 128, 256, 512), True),
    "resnet20": ("basic", (3, 3, 3), (16, 32, 64), False),
    "resnet56": ("basic", (9, 9, 9), (16, 32, 64), False),
}


class ResNet(nn.Module):
    """Residual network (He et al., 2016) with basic or bottleneck blocks.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    depth : {"resnet18", "resnet34", "resnet50", "resnet20", "resnet56"}, \
            default="resnet18"
        Layout. resnet18/34/50 are the ImageNet networks (four stages, 64-512
        filters); resnet20/56 are the CIFAR networks (three stages of 3 or 9 basic
        blocks, 16-64 filters). Shortcuts that change shape are 1x1 projections.
    block : {"basic", "bottleneck"}, default=None
        Override the layout's block type.
    width : float, default=1.0
        Multiplier of the number of filters.
    input_size : tuple of int, default=None
        Training image size; below 64 pixels the ImageNet stem (7x7 stride 2 and
        max pooling) becomes one 3x3 stride-1 convolution.

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import ResNet
    >>> net = ResNet(depth="resnet20", input_size=(32, 32)).eval()
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> round(sum(p.numel() for p in net.parameters()) / 1e3)  # 0.27 M weights
    272
    """

    min_size = 1

    def __init__(
        self,
        in_channels=3,
        n_classes=10,
        depth="resnet18",
        block=None,
        width=1.0,
        input_size=None,
        **_,
    ):
        super().__init__()
        if depth not in _RESNETS:
            raise ValueError(
                f"depth must be one of {sorted(_RESNETS)} for ResNet; got {depth!r}."
            )
        kind, counts, widths, imagenet = _RESNETS[depth]
        kind = block or kind
        if kind not in ("basic", "bottleneck"):
            raise ValueError(
                f"block must be 'basic' or 'bottleneck' for ResNet; got {kind!r}."
            )
        Block = BasicBlock if kind == "basic" else Bottleneck
        widths = [max(1, int(round(w * width))) for w in widths]
        c = widths[0]
        if imagenet and not _small(input_size):
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, c, 7, 2, 3, bias=False),
                nn.BatchNorm2d(c),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2, padding=1),
            )
        else:
            self.stem = _conv_bn(in_channels, c, 3)
        stages = []
        for i, (n, w) in enumerate(zip(counts, widths, strict=True)):
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                stages.append(Block(c, w, stride))
                c = w * Block.expansion
        self.layers = nn.Sequential(*stages)
        self.head = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, n_classes)
        )

    def forward(self, x):
        """Class scores of shape (n, n_classes)."""
        return self.head(self.layers(self.stem(x)))


def _fast(**kw):
    from skcv.cnn._fast import FastNet

    return FastNet(**kw)


def _partial(cls, **fixed):
    def make(**kw):
        return cls(**{**fixed, **kw})

    make.cls = cls
    return make


MODULES = {
    "simple": SimpleConvNet,
    "lenet5": LeNet5,
    "alexnet": _partial(AlexNet, variant="alexnet"),
    "zfnet": _partial(AlexNet, variant="zfnet"),
    **{f"vgg{d}": _partial(VGG, depth=d) for d in VGG_CONFIGS},
    **{f"vgg{d}_bn": _partial(VGG, depth=d, batch_norm=True) for d in VGG_CONFIGS},
    "googlenet": GoogLeNet,
    **{name: _partial(ResNet, depth=name) for name in _RESNETS},
    "resnet": _partial(ResNet, depth="resnet18"),
    "fast": _fast,
}


def build_module(
    module, in_channels: int, n_classes: int, input_size=None, module_params=None
) -> nn.Module:
    """Instantiate a network by name or from an ``nn.Module`` subclass.

    Parameters
    ----------
    module : str or type or nn.Module
        A name from :data:`MODULES` (``"lenet5"``, ``"vgg16_bn"``, ``"resnet20"``,
        ``"fast"`` ...), an ``nn.Module`` subclass, or an instance (used as is).
    in_channels, n_classes : int
        Passed to the constructor when it accepts them.
    input_size : tuple of int, default=None
        ``(H, W)`` of the training images, passed when accepted.
    module_params : dict, default=None
        Extra constructor arguments.

    Returns
    -------
    net : nn.Module

    Examples
    --------
    >>> import torch
    >>> from skcv.cnn import build_module
    >>> net = build_module("lenet5", in_channels=1, n_classes=10, input_size=(28, 28))
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    params = dict(module_params or {})
    if isinstance(module, nn.Module):
        return module
    if isinstance(module, str):
        if module not in MODULES:
            raise ValueError(
                f"module must be one of {sorted(MODULES)} or an nn.Module subclass; "
                f"got {module!r}."
            )
        factory = MODULES[module]
        return factory(
            in_channels=in_channels,
            n_classes=n_classes,
            input_size=input_size,
            **params,
        )
    if isinstance(module, type) and issubclass(module, nn.Module):
        sig = inspect.signature(module.__init__).parameters
        has_kw = any(p.kind is p.VAR_KEYWORD for p in sig.values())
        extra = {
            "in_channels": in_channels,
            "n_classes": n_classes,
            "input_size": input_size,
        }
        for key, value in extra.items():
            if (has_kw or key in sig) and key not in params:
                params[key] = value
        return module(**params)
    raise TypeError(
        "module must be a str, an nn.Module subclass or an nn.Module instance; got "
        f"{type(module).__name__}."
    )
