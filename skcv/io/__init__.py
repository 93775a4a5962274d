"""Reading image files and saving models safely.

* :func:`imread`, :func:`imread_collection` (Pillow): images come back channels
  last, in the file's own depth (uint8, uint16 or float32), with the EXIF
  orientation applied; an unreadable file raises :class:`ImageReadError` naming
  it, or is skipped and reported.
* :func:`save_model`, :func:`load_model`: models in ``.skops`` files.
"""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "IMAGE_EXTENSIONS": "skcv.io._imread",
        "ImageReadError": "skcv.io._imread",
        "imread": "skcv.io._imread",
        "imread_collection": "skcv.io._imread",
        "load_model": "skcv.io._model_file",
        "save_model": "skcv.io._model_file",
    },
)
