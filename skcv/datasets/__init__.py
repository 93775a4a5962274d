"""Data sets as images (channels last).

* :func:`load_cifar10`: CIFAR-10 from the standard ``cifar-10-batches-py`` files
  (optional download, MD5-checked; restricted unpickler).
* :func:`load_textures`: labelled patches of scikit-image's bundled textures.
* :func:`load_digits_images`: scikit-learn's digits as ``(n, 8, 8)`` images.
"""

from skcv.datasets._cifar10 import get_data_home, load_cifar10
from skcv.datasets._digits import load_digits_images
from skcv.datasets._textures import load_textures

__all__ = ["get_data_home", "load_cifar10", "load_digits_images", "load_textures"]
