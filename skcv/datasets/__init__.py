"""Data sets as images (channels last).

* :func:`load_cifar10`: CIFAR-10 from the standard ``cifar-10-batches-py`` files
  (optional download, MD5-checked; restricted unpickler).
* :func:`load_textures`: labelled patches of scikit-image's bundled textures.
* :func:`load_image_folder`: your own images, one subfolder per class.
* :func:`load_digits_images`: scikit-learn's digits as ``(n, 8, 8)`` images.
* :func:`make_shapes_segmentation`: synthetic shapes on textures with pixel masks.
* :func:`make_detection_scenes`: objects pasted into backgrounds with their boxes.
* :func:`make_spiral`, :func:`make_xor`: the course's non-linearly separable 2-D
  points, for decision boundaries.
"""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "get_data_home": "skcv.datasets._cifar10",
        "load_cifar10": "skcv.datasets._cifar10",
        "load_digits_images": "skcv.datasets._digits",
        "load_image_folder": "skcv.datasets._image_folder",
        "load_textures": "skcv.datasets._textures",
        "make_shapes_segmentation": "skcv.datasets._segmentation",
        "make_detection_scenes": "skcv.datasets._detection",
        "load_face_patches": "skcv.datasets._detection",
        "make_spiral": "skcv.datasets._toy2d",
        "make_xor": "skcv.datasets._toy2d",
    },
)
