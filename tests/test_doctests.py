"""Every public class and function has a docstring example, and every example runs.

The public names are the ``__all__`` of every public skcv subpackage (the same list as
the API reference); torch-backed subpackages are skipped when torch is missing. The
doctests of each module that defines a public name run once, with the module's
private helpers' examples too.
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import skcv

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _public_objects():
    """``{"skcv.sub.Name": object}`` and the subpackages that could not import."""
    objects, unavailable = {}, []
    for info in pkgutil.iter_modules(skcv.__path__):
        if info.name.startswith("_"):
            continue
        try:
            package = importlib.import_module(f"skcv.{info.name}")
        except ImportError:  # an optional dependency (torch) is missing
            unavailable.append(info.name)
            continue
        for name in getattr(package, "__all__", []):
            objects[f"{package.__name__}.{name}"] = getattr(package, name)
    return objects, unavailable


OBJECTS, UNAVAILABLE = _public_objects()
# Private modules with examples that no public name's module reaches.
EXTRA_MODULES = ["skcv.cnn._streaming"] if "cnn" not in UNAVAILABLE else []
MODULES = sorted(
    {
        obj.__module__
        for obj in OBJECTS.values()
        if (inspect.isclass(obj) or callable(obj))
        and getattr(obj, "__module__", "").startswith("skcv.")
    }
    | set(EXTRA_MODULES)
)


def _has_example(obj) -> bool:
    return ">>>" in (inspect.getdoc(obj) or "")


def test_public_names_are_found():
    assert "skcv.filters.canny" in OBJECTS
    assert "skcv.linear_model.SoftmaxClassifier" in OBJECTS
    if importlib.util.find_spec("torch") is not None:
        assert "skcv.cnn.CNNClassifier" in OBJECTS


def test_every_public_class_and_function_has_an_example():
    missing = sorted(
        name
        for name, obj in OBJECTS.items()
        if (inspect.isclass(obj) or inspect.isroutine(obj)) and not _has_example(obj)
    )
    assert not missing, (
        f"{len(missing)} public names have no Examples section with a doctest:\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize("module_name", MODULES)
def test_doctests_run(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=FLAGS, report=True)
    assert result.attempted > 0, f"{module_name} has no examples"
    assert result.failed == 0, f"{result.failed} failing examples in {module_name}"
