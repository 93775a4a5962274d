"""CNNClassifier(module="auto"): the network and recipe chosen from the data."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402

from skcv.cnn import CNNClassifier  # noqa: E402
from skcv.cnn._classifier import (  # noqa: E402
    AUTO_PARAMS,
    PRESETS,
    auto_recipe,
    cpu_has_fast_bf16,
)

DEFAULTS = CNNClassifier().get_params()


def test_defaults_are_auto():
    assert all(DEFAULTS[k] == "auto" for k in AUTO_PARAMS)


def test_small_colour_images_get_the_fast_recipe_on_cpu():
    r = auto_recipe(DEFAULTS, (32, 32, 3), "cpu", n_samples=50_000)
    fast = PRESETS["fast"]
    assert r["module"] == "fast" and r["module_params"] is None
    assert r["epochs"] == 8
    for k in ("batch_size", "solver", "learning_rate_init", "lr_schedule"):
        assert r[k] == fast[k], k
    assert r["label_smoothing"] == fast["label_smoothing"]
    assert r["augment"] == "fast"
    assert r["precision"] == ("bf16" if cpu_has_fast_bf16() else "float32")


def test_precision_follows_device_and_explicit_choices():
    assert auto_recipe(DEFAULTS, (32, 32, 3), "cuda")["precision"] == "auto"
    explicit = {**DEFAULTS, "precision": "float32"}
    assert auto_recipe(explicit, (32, 32, 3), "cpu")["precision"] == "float32"
    named = {**DEFAULTS, "module": "simple"}
    assert auto_recipe(named, (32, 32, 3), "cpu")["precision"] == "auto"


def test_gpu_gets_airbench_widths_and_more_epochs():
    r = auto_recipe(DEFAULTS, (32, 32, 3), "cuda", n_samples=50_000)
    assert r["epochs"] == 10
    assert r["module_params"] == {"tta": True, "widths": (64, 256, 256)}


def test_small_sets_get_smaller_batches_and_scaled_rates():
    r = auto_recipe(DEFAULTS, (8, 8), "cpu", n_samples=1200)
    assert r["batch_size"] == 64 and r["learning_rate_init"] == pytest.approx(0.05)
    assert auto_recipe(DEFAULTS, (8, 8), "cpu", n_samples=100)["batch_size"] == 32
    # an explicit batch keeps the linear scaling of the rate
    params = {**DEFAULTS, "batch_size": 128}
    assert auto_recipe(params, (32, 32, 3), "cpu")["learning_rate_init"] == 0.1


def test_grey_images_are_not_mirrored():
    r = auto_recipe(DEFAULTS, (28, 28, 1), "cpu", n_samples=60_000)
    assert r["augment"] == [("translate", {"padding": 1})]
    assert r["module_params"] == {"tta": False}


def test_large_images_get_resnet18():
    r = auto_recipe(DEFAULTS, (96, 128, 3), "cpu")
    assert r["module"] == "resnet18" and r["batch_size"] == 128
    assert r["learning_rate_init"] == 0.1 and r["augment"] == "standard"


def test_explicit_values_win_and_explicit_module_keeps_classic_defaults():
    params = {**DEFAULTS, "epochs": 3, "solver": "adam"}
    r = auto_recipe(params, (32, 32, 3), "cpu")
    assert r["epochs"] == 3 and r["solver"] == "adam" and r["module"] == "fast"
    r = auto_recipe({**DEFAULTS, "module": "simple"}, (32, 32, 3), "cpu")
    assert r["module"] == "simple"
    assert (r["epochs"], r["batch_size"], r["solver"]) == (10, 128, "sgd")
    assert r["learning_rate_init"] == 0.01 and r["augment"] is None


def _digits(n):
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y


@pytest.mark.slow
def test_default_fit_is_good_on_digits_and_params_stay_auto(tmp_path):
    X, y = _digits(1797)
    clf = CNNClassifier(image_shape=(8, 8), random_state=0)
    clf.fit(X[:1200], y[:1200])
    assert clf.get_params() == {**DEFAULTS, "image_shape": (8, 8), "random_state": 0}
    assert clf.recipe_["module"] == "fast" and clf.recipe_["batch_size"] == 64
    assert clf.n_iter_ == 8
    assert clf.score(X[1200:], y[1200:]) > 0.9
    # a checkpoint of an "auto" model rebuilds the same network
    clf.save_checkpoint(tmp_path / "m.pt")
    loaded = CNNClassifier(image_shape=(8, 8)).load_checkpoint(tmp_path / "m.pt")
    assert loaded.recipe_["module_params"] == {"tta": False}
    np.testing.assert_allclose(
        loaded.predict_proba(X[1200:]), clf.predict_proba(X[1200:]), atol=1e-5
    )


def test_params_are_restored_when_fit_fails():
    X, y = _digits(200)
    clf = CNNClassifier(image_shape=(8, 8), learning_rate_init=1e10, epochs=1)
    with pytest.raises(ValueError, match="diverged"):
        clf.fit(X[:200], y[:200])
    assert clf.get_params()["solver"] == "auto"
    assert clf.get_params()["batch_size"] == "auto"
