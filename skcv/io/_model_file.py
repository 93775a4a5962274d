"""Safe model files: ``save_model`` / ``load_model`` with ``skops.io``.

A pickle runs whatever code its author put in it, so a model file from someone
else must never be unpickled. skcv writes models with :mod:`skops.io`, which
stores a description of the objects (a JSON schema plus ``.npy`` arrays in a zip
file) and rebuilds only types that the reader trusts. The weights of a torch
estimator (one that has ``save_checkpoint``/``load_checkpoint``, such as
:class:`~skcv.cnn.CNNClassifier`) go into the same zip file as a torch checkpoint,
read back with ``torch.load(weights_only=True)``: plain tensors and numbers, no
code.
"""

from __future__ import annotations

import copy
import io
import os
import tempfile
import zipfile

from sklearn.base import clone

from skcv.utils._optional import import_optional

# Prefixes of the types load_model trusts without being told: skcv's own types and
# the libraries it is built on. Anything else (os.system, builtins.eval, a class
# from an unknown module) is refused unless the caller names it in ``trusted``.
# Only classes are trusted by prefix: a function from these libraries, stored as a
# parameter (``FunctionTransformer(func=...)``), is called at predict time, and
# some run code (``numpy.testing``'s ``runstring`` execs a string from the file).
TRUSTED_PREFIXES = ("skcv.", "sklearn.", "numpy.", "scipy.")


def _is_class(name: str) -> bool:
    """Return whether the dotted ``name`` (module + qualified name) is a class."""
    import importlib

    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return isinstance(obj, type)
    return False


_TORCH_MEMBER = "skcv_torch/{}.pt"


def _torch_estimators(model, path=()):
    """Yield ``(path, estimator)`` for each fitted torch estimator inside ``model``."""
    if hasattr(model, "save_checkpoint") and hasattr(model, "module_"):
        yield path, model
        return
    steps = getattr(model, "steps", None)
    if isinstance(steps, list):
        for i, (_, step) in enumerate(steps):
            yield from _torch_estimators(step, (*path, i))


def _get(model, path):
    for i in path:
        model = model.steps[i][1]
    return model


def _set(model, path, value):
    if not path:
        return value
    parent = _get(model, path[:-1])
    name = parent.steps[path[-1]][0]
    parent.steps[path[-1]] = (name, value)
    return model


def _member(path) -> str:
    return _TORCH_MEMBER.format("-".join(map(str, path)) or "model")


def save_model(model, file) -> None:
    """Save a fitted estimator or pipeline to a ``.skops`` file.

    Parameters
    ----------
    model : estimator or Pipeline
        Fitted model. Torch estimators (top level or pipeline steps) are stored
        as their constructor parameters plus a weights-only torch checkpoint
        inside the same zip file.
    file : str or path-like
        Where to write, usually ``"name.skops"``.

    See Also
    --------
    load_model : Read it back, refusing types that are not trusted.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skcv.io import load_model, save_model
    >>> from skcv.linear_model import SoftmaxClassifier
    >>> X, y = np.random.default_rng(0).random((20, 4)), np.arange(20) % 2
    >>> clf = SoftmaxClassifier().fit(X, y)
    >>> path = tempfile.mkdtemp() + "/clf.skops"
    >>> save_model(clf, path)
    >>> bool((load_model(path).predict(X) == clf.predict(X)).all())
    True
    """
    sio = import_optional("skops.io")
    file = os.fspath(file)
    found = list(_torch_estimators(model))
    checkpoints = {}
    to_dump = model
    if found:
        to_dump = clone(model) if found[0][0] == () else _shallow_pipeline(model)
        for path, est in found:
            buffer = io.BytesIO()
            est.save_checkpoint(buffer)
            checkpoints[_member(path)] = buffer.getvalue()
            to_dump = _set(to_dump, path, clone(est))
    sio.dump(to_dump, file)
    if checkpoints:
        with zipfile.ZipFile(file, "a") as archive:
            for name, payload in checkpoints.items():
                archive.writestr(name, payload)


def _shallow_pipeline(model):
    """Copy the pipeline structure (step lists) without copying fitted steps."""
    out = copy.copy(model)
    out.steps = [
        (name, _shallow_pipeline(step) if hasattr(step, "steps") else step)
        for name, step in model.steps
    ]
    return out


def load_model(file, *, trusted=None):
    """Load a model written by :func:`save_model`, refusing untrusted types.

    Parameters
    ----------
    file : str or path-like
        A ``.skops`` file.
    trusted : list of str, default=None
        Extra fully qualified type names to trust (e.g. a custom transformer of
        yours, ``"mypackage.MyTransformer"``). Types from skcv, scikit-learn,
        numpy and scipy are trusted already (classes only: a function, such as
        a ``FunctionTransformer``'s ``func``, must be named); anything else is
        refused.

    Returns
    -------
    model : estimator or Pipeline
        The fitted model (torch weights on the CPU).

    Raises
    ------
    ValueError
        If the file is not a model file, or holds types that are not trusted:
        the message names the file and each such type.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skcv.io import load_model, save_model
    >>> from sklearn.preprocessing import StandardScaler
    >>> path = tempfile.mkdtemp() + "/scaler.skops"
    >>> save_model(StandardScaler().fit(np.eye(3)), path)
    >>> load_model(path).mean_.round(2)
    array([0.33, 0.33, 0.33])
    """
    sio = import_optional("skops.io")
    file = os.fspath(file)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            checkpoints = {
                n: archive.read(n) for n in names if n.startswith("skcv_torch/")
            }
        untrusted = sio.get_untrusted_types(file=file)
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValueError(
            f"{file} is not a skcv model file (a .skops zip archive): {exc}"
        ) from None
    allowed = set(trusted or ())
    refused = [
        t for t in untrusted if not (t.startswith(TRUSTED_PREFIXES) and _is_class(t))
    ]
    refused = [t for t in refused if t not in allowed]
    if refused:
        raise ValueError(
            f"{file} holds types that are not trusted: {', '.join(refused)}. "
            "Loading it could run code from the file's author; if you trust them, "
            "pass these names in trusted=[...]."
        )
    model = sio.load(file, trusted=list(untrusted))
    with tempfile.TemporaryDirectory() as tmp:
        for name, payload in sorted(checkpoints.items()):
            key = name[len("skcv_torch/") : -len(".pt")]
            path = () if key == "model" else tuple(int(i) for i in key.split("-"))
            checkpoint = os.path.join(tmp, f"{key}.pt")
            with open(checkpoint, "wb") as f:
                f.write(payload)
            _get(model, path).load_checkpoint(checkpoint)
    return model
