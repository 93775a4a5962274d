"""A folder of image files with one subfolder per class, as a data set."""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
from sklearn.utils import Bunch, check_random_state

from skcv.io._imread import IMAGE_EXTENSIONS, imread_collection

__all__ = ["load_image_folder"]


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _check_extensions(extensions) -> tuple[str, ...]:
    if extensions is None:
        return IMAGE_EXTENSIONS
    if isinstance(extensions, str):
        extensions = (extensions,)
    if not isinstance(extensions, Iterable):
        raise TypeError(
            "extensions must be None or an iterable of strings such as "
            f"('.jpg', '.png'); got {extensions!r}."
        )
    extensions = tuple(extensions)
    bad = [e for e in extensions if not (isinstance(e, str) and e.startswith("."))]
    if not extensions or bad:
        raise ValueError(
            "extensions must be a non-empty list of suffixes starting with '.', "
            f"such as ('.jpg', '.png'); got {extensions!r}."
        )
    return tuple(e.lower() for e in extensions)


def _class_folders(root: str, ignored: list[str]) -> list[str]:
    """Sorted non-hidden subfolders of ``root``; other entries go to ``ignored``."""
    if not os.path.exists(root):
        raise FileNotFoundError(f"root folder {root!r} does not exist.")
    if not os.path.isdir(root):
        raise NotADirectoryError(f"root {root!r} is not a folder.")
    entries = sorted(os.scandir(root), key=lambda e: e.name)
    if not entries:
        raise ValueError(
            f"root folder {root!r} is empty; expected one subfolder per class "
            "holding that class's images (root/<class>/<image>)."
        )
    folders = []
    for entry in entries:
        if entry.is_dir() and not _is_hidden(entry.name):
            folders.append(entry.name)
        else:
            ignored.append(entry.path)
    if not folders:
        raise ValueError(
            f"root folder {root!r} has no class subfolders (only {len(entries)} "
            "files or hidden entries); expected root/<class>/<image>."
        )
    return folders


def _image_files(folder: str, extensions, ignored: list[str]) -> list[str]:
    """Image files under ``folder`` (recursively), sorted by relative path."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [d for d in dirnames if _is_hidden(d)]:
            ignored.append(os.path.join(dirpath, name))
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if _is_hidden(name) or not name.lower().endswith(extensions):
                ignored.append(path)
            else:
                found.append(path)
    return sorted(found, key=lambda p: os.path.relpath(p, folder).split(os.sep))


def load_image_folder(
    root: str | os.PathLike,
    *,
    classes: Iterable[str] | None = None,
    extensions: Iterable[str] | None = None,
    return_paths: bool = True,
    shuffle: bool = False,
    random_state=None,
    as_grey: bool = False,
    channels: int | None = None,
    size: int | tuple[int, int] | None = None,
    resize: str = "stretch",
    on_error: str = "raise",
    n_jobs: int | None = None,
    return_X_y: bool = False,
):
    """Load a folder of images with one subfolder per class.

    The layout is the one of torchvision's ``ImageFolder`` and scikit-learn's
    :func:`~sklearn.datasets.load_files`::

        root/cat/001.jpg
        root/cat/garden/002.png      (files in nested folders belong to "cat")
        root/dog/003.jpg

    The order is deterministic: classes in order, then files sorted by their path
    inside the class folder. Hidden files and folders (names starting with ".") and
    files whose suffix is not in ``extensions`` are ignored and counted.

    Parameters
    ----------
    root : str or os.PathLike
        The folder holding one subfolder per class.
    classes : list of str, default=None
        The class subfolders to load, in the order of their labels (``target == i``
        is ``classes[i]``). None takes every non-hidden subfolder, sorted by name.
    extensions : list of str, default=None
        File suffixes counted as images (case-insensitive). None means
        :data:`skcv.io.IMAGE_EXTENSIONS` (``.jpg``, ``.jpeg``, ``.png``, ``.bmp``,
        ``.gif``, ``.tif``, ``.tiff``, ``.webp``, ``.ppm``, ``.pgm``, ``.pbm``).
    return_paths : bool, default=True
        True lists the files without reading them (cheap at any size; skcv's
        estimators read paths in batches). False also decodes every image into
        ``data`` with :func:`skcv.io.imread_collection`.
    shuffle : bool, default=False
        Shuffle the samples (all fields together).
    random_state : int, RandomState instance or None, default=None
        The shuffle's seed.
    as_grey, channels, size, resize, on_error, n_jobs
        Passed to :func:`skcv.io.imread_collection` when ``return_paths=False``.
        With ``on_error="skip"`` the unreadable files are left out of every field
        and listed in ``skipped``.
    return_X_y : bool, default=False
        Return ``(X, target)``: ``X`` is ``filenames`` when ``return_paths`` is
        True, else ``data``.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        ``filenames`` (ndarray of str), ``target`` (int64 ndarray), ``target_names``
        (list of str), ``ignored`` (list of the ignored files and hidden folders),
        ``n_ignored``, ``DESCR`` (a summary that gives the counts), and when
        ``return_paths=False`` also ``data`` (a list of images, or one array when
        ``size`` is given) and ``skipped`` (the files that could not be read).
    (X, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        ``root`` does not exist.
    ValueError
        ``root`` is empty, has no class subfolder, a class in ``classes`` has no
        folder, or a class folder holds no image file.

    See Also
    --------
    skcv.io.imread_collection : Read a list of files.

    Examples
    --------
    >>> import os, tempfile
    >>> from PIL import Image
    >>> from skcv.datasets import load_image_folder
    >>> root = tempfile.mkdtemp()
    >>> for name, colour in [("red", (255, 0, 0)), ("blue", (0, 0, 255))]:
    ...     os.makedirs(os.path.join(root, name))
    ...     for i in range(2):
    ...         path = os.path.join(root, name, f"{i}.png")
    ...         Image.new("RGB", (8, 6), colour).save(path)
    >>> open(os.path.join(root, "red", "notes.txt"), "w").close()
    >>> folder = load_image_folder(root)
    >>> folder.target_names, folder.target.tolist(), folder.n_ignored
    (['blue', 'red'], [0, 0, 1, 1], 1)
    >>> [os.path.basename(f) for f in folder.filenames]
    ['0.png', '1.png', '0.png', '1.png']
    >>> X, y = load_image_folder(root, return_paths=False, size=4, return_X_y=True)
    >>> X.shape, y.tolist()
    ((4, 4, 4, 3), [0, 0, 1, 1])
    >>> import shutil; shutil.rmtree(root)
    """
    if not isinstance(root, str | os.PathLike):
        raise TypeError(f"root must be a str or os.PathLike; got {root!r}.")
    for name, value in [
        ("return_paths", return_paths),
        ("shuffle", shuffle),
        ("return_X_y", return_X_y),
    ]:
        if not isinstance(value, bool | np.bool_):
            raise TypeError(f"{name} must be a bool; got {value!r}.")
    root = os.fspath(root)
    extensions = _check_extensions(extensions)
    ignored: list[str] = []
    folders = _class_folders(root, ignored)
    if classes is None:
        classes = folders
    else:
        if isinstance(classes, str) or not isinstance(classes, Iterable):
            raise TypeError(
                f"classes must be None or a list of folder names; got {classes!r}."
            )
        classes = list(classes)
        missing = [c for c in classes if c not in folders]
        if missing or len(set(classes)) != len(classes) or not classes:
            raise ValueError(
                f"classes must name distinct subfolders of {root!r} (found "
                f"{folders}); got {classes!r}"
                + (f", with no folder for {missing}." if missing else ".")
            )
        ignored.extend(os.path.join(root, f) for f in folders if f not in classes)
    filenames, target = [], []
    for label, name in enumerate(classes):
        files = _image_files(os.path.join(root, name), extensions, ignored)
        if not files:
            raise ValueError(
                f"class folder {os.path.join(root, name)!r} holds no image file with "
                f"a suffix in {extensions}; remove it, give classes= without it, or "
                "widen extensions=."
            )
        filenames.extend(files)
        target.extend([label] * len(files))
    filenames = np.asarray(filenames, dtype=str)
    target = np.asarray(target, dtype=np.int64)
    if shuffle:
        order = check_random_state(random_state).permutation(len(target))
        filenames, target = filenames[order], target[order]
    bunch = Bunch(
        filenames=filenames,
        target=target,
        target_names=list(classes),
        ignored=sorted(ignored),
        n_ignored=len(ignored),
    )
    if not return_paths:
        data, skipped = imread_collection(
            filenames,
            as_grey=as_grey,
            channels=channels,
            size=size,
            resize=resize,
            on_error=on_error,
            n_jobs=n_jobs,
            return_skipped=True,
        )
        bunch.skipped = [str(f) for f in filenames[skipped]]
        bunch.filenames = np.delete(filenames, skipped)
        bunch.target = np.delete(target, skipped)
        bunch.data = data
    bunch.DESCR = (
        f"Image folder {root!r}: {len(bunch.target)} images in {len(classes)} "
        f"classes ({', '.join(classes)}); ignored {len(ignored)} hidden or "
        f"non-image entries (see .ignored)"
        + (
            f"; skipped {len(bunch.skipped)} unreadable files"
            if not return_paths
            else ""
        )
        + "."
    )
    if return_X_y:
        return (bunch.filenames if return_paths else bunch.data), bunch.target
    return bunch
