"""A fast network for small images, in the spirit of the fastest CIFAR-10 recipes.

The design follows the published speed-run recipes (Page's "How to train your
ResNet" and Jordan's airbench, arXiv:2404.00498) scaled down for a CPU:

* a frozen first layer of 2x2 patch-whitening filters computed from the training
  images by :func:`skcv.preprocessing.patch_whitening_filters` (each filter and its
  negative, so the following GELU keeps both signs);
* three convolution groups ``conv3x3 -> maxpool2 -> BN -> GELU -> conv3x3 -> BN ->
  GELU`` with small widths;
* global max pooling and a bias-free linear layer whose output is scaled down;
* test-time augmentation: in evaluation mode the scores of the image and of its
  horizontal mirror are averaged.

Label smoothing, flip + translate augmentation, Nesterov SGD with a one-cycle
schedule and the batch size are set by ``CNNClassifier.from_preset("fast")``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["FastNet"]


class _ConvGroup(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.BatchNorm2d(c_out),
            nn.GELU(),
            nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.GELU(),
        )


class FastNet(nn.Module):
    """Whitened, batch-normalised 7-layer network with test-time flipping.

    Parameters
    ----------
    in_channels : int, default=3
        Channels of the input images.
    n_classes : int, default=10
        Number of classes.
    widths : tuple of int, default=(32, 64, 128)
        Filters of the three convolution groups.
    patch_size : int, default=2
        Size of the whitening patches (and of the first layer's kernels).
    whitening : {"pca", "zca"}, default="pca"
        Whitening method passed to :func:`skcv.preprocessing.patch_whitening_filters`.
    epsilon : float, default=5e-4
        Eigenvalue regulariser of the whitening.
    head_scale : float, default=1/9
        Multiplier of the final scores (keeps early logits small).
    tta : bool or {"flip", "translate"}, default=True
        Test-time augmentation in evaluation mode. True or "flip": average the
        scores of the image and its mirror (2 views). "translate": also average
        in the mirrored pair shifted by one pixel along both diagonals
        (reflection padding; 6 views, half the weight on the unshifted pair, as
        airbench's level 2), three times the inference cost. False: one view.
    input_size : tuple of int, default=None
        Unused.

    Notes
    -----
    Until :meth:`initialize_from_data` is called the first layer holds random
    filters; :class:`CNNClassifier` calls it once at the start of ``fit`` with
    (up to 5000) normalised training images.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skcv.cnn import FastNet
    >>> net = FastNet(widths=(8, 16, 32))
    >>> images = np.random.default_rng(0).random((64, 32, 32, 3), dtype=np.float32)
    >>> net.initialize_from_data(images, random_state=0)  # patch-whitening filters
    >>> batch = torch.from_numpy(images[:2]).permute(0, 3, 1, 2)  # NHWC -> NCHW
    >>> net.eval()(batch).shape  # scores averaged with the mirror images
    torch.Size([2, 10])
    """

    min_size = 2

    def __init__(
        self,
        in_channels=3,
        n_classes=10,
        widths=(32, 64, 128),
        patch_size=2,
        whitening="pca",
        epsilon=5e-4,
        head_scale=1 / 9,
        tta=True,
        **_,
    ):
        super().__init__()
        self.patch_size = int(patch_size)
        self.whitening = whitening
        self.epsilon = float(epsilon)
        self.head_scale = float(head_scale)
        if tta not in (True, False, "flip", "translate"):
            raise ValueError(
                f"tta must be True, False, 'flip' or 'translate'; got {tta!r}."
            )
        self.tta = tta
        n_filters = self.patch_size**2 * in_channels
        self.whiten = nn.Conv2d(in_channels, 2 * n_filters, self.patch_size)
        self.whiten.weight.requires_grad_(False)
        c, groups = 2 * n_filters, []
        for w in widths:
            groups.append(_ConvGroup(c, w))
            c = w
        self.groups = nn.Sequential(*groups)
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.linear = nn.Linear(c, n_classes, bias=False)
        self.act = nn.GELU()

    @torch.no_grad()
    def initialize_from_data(self, images: np.ndarray, random_state=None) -> None:
        """Set the frozen first layer to patch-whitening filters of ``images``.

        Parameters
        ----------
        images : ndarray of shape (n, H, W, C)
            Training images, normalised as the network sees them.
        random_state : int, default=None
            Seed for the patch subsample.
        """
        from skcv.preprocessing import patch_whitening_filters

        filters = patch_whitening_filters(
            np.ascontiguousarray(images, dtype=np.float32),
            patch_size=self.patch_size,
            epsilon=self.epsilon,
            method=self.whitening,
            max_patches=200_000,
            random_state=random_state,
        )
        w = torch.as_tensor(np.asarray(filters, dtype=np.float32)).permute(0, 3, 1, 2)
        w = torch.cat([w, -w]).to(self.whiten.weight)
        if w.shape != self.whiten.weight.shape:
            raise ValueError(
                f"patch_whitening_filters returned filters of shape "
                f"{tuple(filters.shape)}; FastNet needs "
                f"{self.whiten.weight.shape[0] // 2} filters of size "
                f"{self.patch_size}x{self.patch_size}."
            )
        self.whiten.weight.copy_(w)
        self.whiten.bias.zero_()

    def _scores(self, x):
        x = self.act(self.whiten(x))
        x = self.pool(self.groups(x)).flatten(1)
        return self.linear(x) * self.head_scale

    def _mirrored(self, x):
        return 0.5 * (self._scores(x) + self._scores(x.flip(-1)))

    def forward(self, x):
        """Class scores; averaged over the ``tta`` views in evaluation mode."""
        if self.training or not self.tta:
            return self._scores(x)
        scores = self._mirrored(x)
        if self.tta != "translate" or min(x.shape[-2:]) < 2:
            return scores
        h, w = x.shape[-2:]
        padded = nn.functional.pad(x, (1, 1, 1, 1), mode="reflect")
        shifted = self._mirrored(padded[..., :h, :w]) + self._mirrored(
            padded[..., 2:, 2:]
        )
        return 0.5 * scores + 0.25 * shifted
