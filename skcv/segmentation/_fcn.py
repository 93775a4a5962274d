"""Fully convolutional encoder-decoder networks for semantic segmentation.

The course's design, one module per idea:

* an **encoder** of convolution blocks, each followed by a **downsampling** by 2
  (max pooling that remembers where the maxima were, or a strided convolution),
  which learns *what* is in the image at a coarse resolution;
* a **decoder** that **upsamples** by 2 per stage back to the input resolution with
  one of the course's choices (:data:`UPSAMPLING`): nearest neighbour, zero fill
  ("bed of nails"), max-unpooling with the encoder's pooling indices, a learnable
  transposed convolution, or bilinear interpolation;
* FCN-style **skip connections** that add the encoder's feature map of the same
  resolution to the upsampled one, to recover *where* (fine boundaries);
* a 1x1 convolution that gives the class scores of every pixel.

There is no fully connected layer, so the network takes images of any size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from skcv.cnn._architectures import BasicBlock

__all__ = [
    "DOWNSAMPLING",
    "ENCODERS",
    "UPSAMPLING",
    "FCN",
    "BedOfNails",
    "Upsample",
]

ENCODERS = ("simple", "vgg", "resnet")
DOWNSAMPLING = ("pool", "strided")
UPSAMPLING = ("transposed", "unpool", "nearest", "zeros", "bilinear")


def _conv_bn_relu(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def _encoder_block(kind, c_in, c_out):
    """Convolutions at one resolution: 1 (simple), 2 (vgg) or a residual block."""
    if kind == "simple":
        return _conv_bn_relu(c_in, c_out)
    if kind == "vgg":
        return nn.Sequential(_conv_bn_relu(c_in, c_out), _conv_bn_relu(c_out, c_out))
    return BasicBlock(c_in, c_out)


class BedOfNails(nn.Module):
    """Zero-fill upsampling: each value goes to the top-left of a 2x2 block.

    The other three positions of the block are zero ("bed of nails"); the
    following convolutions fill them in.

    Examples
    --------
    >>> import torch
    >>> from skcv.segmentation import BedOfNails
    >>> BedOfNails()(torch.tensor([[[[1.0, 2.0]]]]))
    tensor([[[[1., 0., 2., 0.],
              [0., 0., 0., 0.]]]])
    """

    def forward(self, x, size=None):
        """Upsample ``x`` (n, c, h, w) to (n, c, 2h, 2w), cropped to ``size``."""
        n, c, h, w = x.shape
        out = x.new_zeros((n, c, 2 * h, 2 * w))
        out[:, :, ::2, ::2] = x
        if size is not None:
            out = out[:, :, : size[0], : size[1]]
        return out


def _bilinear_kernel(channels, k):
    """Weights of a transposed convolution that does bilinear upsampling."""
    factor = (k + 1) // 2
    center = factor - 1 if k % 2 == 1 else factor - 0.5
    og = torch.arange(k, dtype=torch.float32)
    filt = 1 - torch.abs(og - center) / factor
    kernel = filt[:, None] * filt[None, :]
    weight = torch.zeros(channels, channels, k, k)
    weight[range(channels), range(channels)] = kernel
    return weight


class Upsample(nn.Module):
    """Upsampling by 2 in one of the course's ways.

    Parameters
    ----------
    kind : {"transposed", "unpool", "nearest", "zeros", "bilinear"}
        ``"transposed"``: learnable 4x4 transposed convolution with stride 2
        (initialised to bilinear interpolation, as in FCN); ``"unpool"``: max
        unpooling to the positions of the maxima remembered by the encoder's
        pooling; ``"nearest"``: copy each value to its 2x2 block; ``"zeros"``:
        bed of nails; ``"bilinear"``: bilinear interpolation (fixed).
    channels : int
        Channels of the input (and output).

    Notes
    -----
    ``forward(x, size, indices=None)`` takes the target spatial ``size`` (the
    encoder map's, which may be odd) and, for unpooling, the indices returned
    by ``nn.MaxPool2d(2, return_indices=True)``.

    References
    ----------
    .. [1] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR.
       :doi:`10.1109/CVPR.2015.7298965`
    .. [2] Badrinarayanan, V., Kendall, A., Cipolla, R. (2017). SegNet. IEEE
       TPAMI 39(12). :doi:`10.1109/TPAMI.2016.2644615`

    Examples
    --------
    >>> import torch
    >>> from skcv.segmentation import Upsample
    >>> x = torch.tensor([[[[1.0, 2.0]]]])
    >>> Upsample("nearest", 1)(x, (2, 4))
    tensor([[[[1., 1., 2., 2.],
              [1., 1., 2., 2.]]]])
    >>> pooled, idx = torch.nn.MaxPool2d(2, return_indices=True)(
    ...     torch.tensor([[[[0.0, 3.0], [1.0, 2.0]]]]))
    >>> Upsample("unpool", 1)(pooled, (2, 2), idx)
    tensor([[[[0., 3.],
              [0., 0.]]]])
    """

    def __init__(self, kind, channels):
        super().__init__()
        if kind not in UPSAMPLING:
            raise ValueError(f"kind must be one of {UPSAMPLING}; got {kind!r}.")
        self.kind = kind
        if kind == "transposed":
            self.op = nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1)
            with torch.no_grad():
                self.op.weight.copy_(_bilinear_kernel(channels, 4))
                self.op.bias.zero_()
        elif kind == "unpool":
            self.op = nn.MaxUnpool2d(2, stride=2)
        elif kind == "zeros":
            self.op = BedOfNails()

    def forward(self, x, size, indices=None):
        """Upsample ``x`` to spatial ``size`` (``indices`` for unpooling)."""
        if self.kind == "unpool":
            return self.op(x, indices, output_size=size)
        if self.kind == "zeros":
            return self.op(x, size)
        if self.kind == "transposed":
            out = self.op(x)
            return out[:, :, : size[0], : size[1]]
        mode = "nearest" if self.kind == "nearest" else "bilinear"
        align = None if mode == "nearest" else False
        return F.interpolate(x, size=size, mode=mode, align_corners=align)


class FCN(nn.Module):
    """Fully convolutional encoder-decoder with optional FCN-style skips.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=2
        Number of classes (output channels).
    encoder : {"simple", "vgg", "resnet"}, default="simple"
        Convolutions per resolution: one 3x3 conv-BN-ReLU (simple), two
        (VGG), or a residual basic block (ResNet).
    downsampling : {"pool", "strided"}, default="pool"
        2x2 max pooling (remembering the positions of the maxima) or a 3x3
        convolution with stride 2.
    upsampling : {"transposed", "unpool", "nearest", "zeros", "bilinear"}, \
            default="transposed"
        How the decoder doubles the resolution (see :class:`Upsample`).
        ``"unpool"`` needs ``downsampling="pool"``.
    skip_connections : bool, default=True
        Add the encoder's feature map of each resolution to the decoder's.
    depth : int, default=3
        Number of downsamplings (the coarsest map is ``1 / 2**depth`` of the
        input).
    width : int, default=16
        Channels of the first stage; each downsampling doubles them.

    Notes
    -----
    Inputs whose sides are not multiples of ``2**depth`` are zero padded at
    the bottom and right and the scores cropped back, so the output always has
    the input's height and width.

    The forward pass, as the course draws it: for each of the ``depth``
    stages, convolutions then a downsampling by 2 (the map before it is kept
    for the skip, with the pooling indices); convolutions at the coarsest
    resolution; then for each stage in reverse, an upsampling by 2, the skip
    added, and a 3x3 convolution; finally a 1x1 convolution to class scores.

    References
    ----------
    .. [1] Long, J., Shelhamer, E., Darrell, T. (2015). Fully convolutional
       networks for semantic segmentation. CVPR.
       :doi:`10.1109/CVPR.2015.7298965`
    .. [2] Noh, H., Hong, S., Han, B. (2015). Learning deconvolution network
       for semantic segmentation. ICCV. :doi:`10.1109/ICCV.2015.178`

    Examples
    --------
    >>> import torch
    >>> from skcv.segmentation import FCN
    >>> net = FCN(in_channels=3, n_classes=4, upsampling="unpool", depth=2)
    >>> net(torch.zeros(1, 3, 13, 20)).shape
    torch.Size([1, 4, 13, 20])
    """

    def __init__(
        self,
        in_channels=3,
        n_classes=2,
        encoder="simple",
        downsampling="pool",
        upsampling="transposed",
        skip_connections=True,
        depth=3,
        width=16,
    ):
        super().__init__()
        for name, value, allowed in (
            ("encoder", encoder, ENCODERS),
            ("downsampling", downsampling, DOWNSAMPLING),
            ("upsampling", upsampling, UPSAMPLING),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")
        if upsampling == "unpool" and downsampling != "pool":
            raise ValueError(
                "upsampling='unpool' needs the pooling indices of "
                f"downsampling='pool'; got downsampling={downsampling!r}."
            )
        self.depth = int(depth)
        self.skip_connections = bool(skip_connections)
        self.pooling = downsampling == "pool"
        widths = [width * 2**i for i in range(self.depth)]
        self.blocks = nn.ModuleList()
        self.downs = nn.ModuleList()
        c = in_channels
        for w in widths:
            self.blocks.append(_encoder_block(encoder, c, w))
            if self.pooling:
                self.downs.append(nn.MaxPool2d(2, stride=2, return_indices=True))
            else:
                self.downs.append(
                    nn.Sequential(
                        nn.Conv2d(w, w, 3, stride=2, padding=1, bias=False),
                        nn.BatchNorm2d(w),
                        nn.ReLU(inplace=True),
                    )
                )
            c = w
        self.bottleneck = _encoder_block(encoder, c, c)
        self.ups = nn.ModuleList()
        self.refine = nn.ModuleList()
        for i in reversed(range(self.depth)):
            self.ups.append(Upsample(upsampling, widths[i]))
            self.refine.append(_conv_bn_relu(widths[i], widths[max(i - 1, 0)]))
        self.classifier = nn.Conv2d(widths[0], n_classes, 1)

    @property
    def multiple(self):
        """Input sides are padded to a multiple of this."""
        return 2**self.depth

    def forward(self, x):
        """Class scores of shape ``(n, n_classes, H, W)``."""
        h, w = x.shape[-2:]
        m = self.multiple
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph))
        skips, sizes, indices = [], [], []
        for block, down in zip(self.blocks, self.downs, strict=True):
            x = block(x)
            skips.append(x)
            sizes.append(x.shape[-2:])
            if self.pooling:
                x, idx = down(x)
                indices.append(idx)
            else:
                x = down(x)
                indices.append(None)
        x = self.bottleneck(x)
        for up, refine, skip, size, idx in zip(
            self.ups,
            self.refine,
            reversed(skips),
            reversed(sizes),
            reversed(indices),
            strict=True,
        ):
            x = up(x, size, idx)
            if self.skip_connections:
                x = x + skip
            x = refine(x)
        return self.classifier(x)[:, :, :h, :w]
