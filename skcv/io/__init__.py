"""Reading image files and saving models safely."""

from skcv.io._model_file import load_model, save_model

__all__ = ["load_model", "save_model"]
