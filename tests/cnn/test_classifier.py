import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402

from skcv.cnn import CNNClassifier  # noqa: E402


def _digits(n=300):
    d = load_digits()
    return (d.images[:n] / 16.0).astype(np.float32), d.target[:n]


def _clf(**kw):
    params = dict(
        module="simple",
        module_params={"widths": (8, 16)},
        epochs=3,
        batch_size=32,
        solver="adam",
        learning_rate_init=0.01,
        lr_schedule="constant",
        weight_decay=0.0,
        random_state=0,
        device="cpu",
    )
    params.update(kw)
    return CNNClassifier(**params)


def test_fit_predict_shapes_and_history():
    X, y = _digits()
    clf = _clf().fit(X, y)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 10) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(clf.predict(X[:5]), clf.classes_[proba.argmax(1)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[:5])), proba)
    assert clf.device_ == "cpu" and clf.n_iter_ == 3 and len(clf.history_) == 3
    keys = {"epoch", "train_loss", "train_accuracy", "valid_loss", "valid_accuracy"}
    assert keys | {"lr", "seconds"} <= set(clf.history_[0])
    assert clf.history_[-1]["train_loss"] < clf.history_[0]["train_loss"]
    assert clf.score(X, y) > 0.6
    assert clf.image_shape_ == (8, 8) and clf.n_features_in_ == 64


def test_three_input_forms_agree_and_uint8_is_scaled():
    X, y = _digits(120)
    X8 = np.round(X * 255).astype(np.uint8)
    a = _clf(epochs=1).fit(X8, y).predict_proba(X8)
    b = _clf(epochs=1).fit(X8[..., None], y).predict_proba(X8[..., None])
    c = (
        _clf(epochs=1, image_shape=(8, 8))
        .fit(X8.reshape(120, -1), y)
        .predict_proba(X8.reshape(120, -1))
    )
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-7)


def test_string_labels_and_two_classes():
    X, y = _digits(100)
    labels = np.where(y % 2, "odd", "even")
    clf = _clf(epochs=2).fit(X, labels)
    assert set(clf.predict(X)) <= {"odd", "even"}
    assert list(clf.classes_) == ["even", "odd"]


def test_determinism_on_cpu():
    X, y = _digits(200)
    p1 = _clf(augment="standard").fit(X, y).predict_proba(X)
    p2 = _clf(augment="standard").fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(p1, p2)
    p3 = _clf(augment="standard", random_state=1).fit(X, y).predict_proba(X)
    assert not np.allclose(p1, p3)


def test_random_state_does_not_touch_global_rng():
    X, y = _digits(64)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _clf(epochs=1).fit(X, y)
    torch.testing.assert_close(torch.rand(3), expected)


def test_pickle_round_trip_on_cpu():
    X, y = _digits(150)
    clf = _clf(epochs=2).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.device_ == "cpu"
    assert next(restored.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_checkpoint_loads_with_weights_only(tmp_path, monkeypatch):
    X, y = _digits(150)
    clf = _clf(epochs=2).fit(X, y)
    path = tmp_path / "model.pt"
    clf.save_checkpoint(path)
    calls = []
    original = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return original(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    other = clone(clf).load_checkpoint(path)
    assert calls == [True]
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_equal(other.history_, clf.history_)


@pytest.mark.slow
def test_gridsearch_over_learning_rate_with_kfold():
    X, y = _digits(240)
    search = GridSearchCV(
        _clf(epochs=4, batch_size=16, image_shape=(8, 8)),
        {"learning_rate_init": [1e-4, 1e-2]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(X.reshape(len(X), -1), y)
    assert search.best_params_["learning_rate_init"] == 1e-2
    assert search.best_score_ > 0.5


def test_early_stopping_restores_best_epoch():
    X, y = _digits(400)
    clf = _clf(
        epochs=30,
        early_stopping=True,
        n_iter_no_change=2,
        validation_fraction=0.25,
        learning_rate_init=0.05,
    ).fit(X, y)
    scores = [h["valid_accuracy"] for h in clf.history_]
    assert clf.validation_scores_ == scores
    assert clf.n_iter_ < 30  # it stopped
    best = clf.best_epoch_
    assert scores[best - 1] == max(scores)
    assert all(s <= scores[best - 1] + clf.tol for s in scores[best:])
    val = clf._validation_idx
    restored_acc = np.mean(clf.predict(X[val]) == y[val])
    assert restored_acc == pytest.approx(scores[best - 1])


def test_partial_fit_and_warm_start():
    X, y = _digits(200)
    clf = _clf()
    clf.partial_fit(X[:100], y[:100], classes=np.arange(10))
    clf.partial_fit(X[100:], y[100:])
    assert clf.n_iter_ == 2 and list(clf.classes_) == list(range(10))
    with pytest.raises(ValueError, match="not seen in the first fit"):
        clf.partial_fit(X[:5], y[:5] + 20)
    with pytest.raises(ValueError, match="not in classes"):
        _clf().partial_fit(X[:20], y[:20], classes=[0, 1])
    warm = _clf(epochs=1, warm_start=True).fit(X, y)
    first = warm.module_.body.head[-1].weight.detach().clone()
    warm.fit(X, y)
    assert warm.n_iter_ == 2 and len(warm.history_) == 2
    assert not torch.equal(first, warm.module_.body.head[-1].weight)


class _Interrupting(torch.nn.Module):
    calls = 0

    def __init__(self, in_channels, n_classes):
        super().__init__()
        self.fc = torch.nn.Linear(in_channels, n_classes)

    def forward(self, x):
        if self.training:
            type(self).calls += 1
            if type(self).calls == 8:
                raise KeyboardInterrupt
        return self.fc(x.mean((2, 3)))


def test_keyboard_interrupt_stops_cleanly():
    X, y = _digits(128)
    _Interrupting.calls = 0
    clf = _clf(module=_Interrupting, module_params=None, epochs=10, batch_size=32)
    with pytest.warns(UserWarning, match="interrupted") as record:
        clf.fit(X, y)
    assert record[0].filename == __file__  # the user's line, not sklearn's wrapper
    assert clf.interrupted_ and clf.n_iter_ == 1
    assert clf.predict(X).shape == (128,)


def test_divergence_raises_and_keeps_finite_weights():
    X, y = _digits(128)
    clf = _clf(
        solver="sgd",
        learning_rate_init=1e12,
        module_params={"widths": (8,), "batch_norm": False},
    )
    with pytest.raises(ValueError, match="learning_rate_init"):
        clf.fit(X, y)
    assert all(torch.isfinite(p).all() for p in clf.module_.parameters())


class _NaNAfter(CNNClassifier):
    """Loss turns NaN after ``nan_after`` optimisation steps (a late divergence)."""

    nan_after = 10**9

    def _loss(self, out, target):
        self._steps = getattr(self, "_steps", 0) + 1
        loss = super()._loss(out, target)
        return loss * float("nan") if self._steps > self.nan_after else loss


def _state(clf):
    return torch.cat([p.detach().flatten() for p in clf.module_.parameters()])


def test_late_divergence_with_early_stopping_keeps_best_weights():
    X, y = _digits(128)
    params = _clf(epochs=8, early_stopping=True, n_iter_no_change=20).get_params()
    params.pop("module")
    untrained = _NaNAfter(**params)
    untrained.nan_after = 0  # diverges at once: only the initial weights exist
    with pytest.raises(ValueError, match="learning_rate_init"):
        untrained.fit(X, y)
    late = _NaNAfter(**params)
    late.nan_after = 12  # a few epochs of real training first
    with pytest.raises(ValueError, match="learning_rate_init"):
        late.fit(X, y)
    assert late.best_epoch_ >= 1
    assert not torch.allclose(_state(late), _state(untrained))


@pytest.mark.parametrize(
    "solver, schedule",
    [
        ("sgd", "step"),
        ("nesterov", "onecycle"),
        ("adamw", "cosine"),
        ("adam", "plateau"),
    ],
)
def test_solvers_and_schedules(solver, schedule):
    X, y = _digits(128)
    clf = _clf(solver=solver, lr_schedule=schedule, epochs=4, label_smoothing=0.1).fit(
        X, y
    )
    lrs = [h["lr"] for h in clf.history_]
    if schedule in ("step", "cosine"):
        assert lrs[-1] < lrs[0]
    if schedule == "onecycle":
        assert lrs[1] > lrs[0] and lrs[-1] < lrs[1]
    assert (
        type(clf.optimizer_).__name__
        == {
            "sgd": "SGD",
            "nesterov": "SGD",
            "adam": "Adam",
            "adamw": "AdamW",
        }[solver]
    )
    if solver in ("sgd", "nesterov"):
        assert clf.optimizer_.param_groups[0]["nesterov"] is (solver == "nesterov")


@pytest.mark.parametrize(
    "augment",
    ["flip", "standard", "fast", ["resized_crop"]],
)
def test_augment_options_train(augment):
    X, y = _digits(96)
    clf = _clf(epochs=1, augment=augment).fit(np.repeat(X[..., None], 3, -1), y)
    assert np.isfinite(clf.history_[0]["train_loss"])


def test_color_jitter_in_training():
    X, y = _digits(96)
    clf = _clf(epochs=1, augment=["color_jitter", ("translate", {"padding": 1})])
    clf.fit(np.repeat(X[..., None], 3, -1), y)
    assert clf.n_iter_ == 1


def test_custom_module_instance_is_copied():
    X, y = _digits(64)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3), torch.nn.Flatten(), torch.nn.LazyLinear(10)
    )
    clf = _clf(module=net, epochs=1).fit(X, y)
    assert clf.module_.body is not net
    assert clf.predict(X).shape == (64,)


def test_verbose_shows_progress_bar(capsys):
    X, y = _digits(64)
    _clf(epochs=2, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "epoch" in err and "2/2" in err


@pytest.mark.parametrize("num_workers", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_data_through_loader_path_matches_device_path(num_workers):
    # On a GPU, data that does not fit stays on the CPU and batches are gathered
    # there (by DataLoader workers when num_workers > 0); force that path here.
    X, y = _digits(96)
    a = _clf(epochs=1)
    a.fit(X, y)
    b = _clf(epochs=1, num_workers=num_workers)
    b._data_on_device = False
    b.fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "rmsprop"}, "solver"),
        ({"lr_schedule": "linear"}, "lr_schedule"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"module": "lenet6"}, "module"),
        ({"augment": "mixup"}, "augment"),
        ({"augment": ["rotate"]}, "augment"),
        ({"precision": "fp16"}, "precision"),
        ({"device": "tpu:x"}, "device"),
        ({"epochs": 0}, "epochs"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _digits(32)
    with pytest.raises(ValueError, match=match):
        _clf(**params).fit(X, y)


def test_bad_module_type_raises_type_error():
    X, y = _digits(32)
    with pytest.raises(TypeError, match="module"):
        _clf(module=3).fit(X, y)


def test_cuda_requested_without_cuda():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available")
    X, y = _digits(32)
    with pytest.raises(ValueError, match="CUDA is not available"):
        _clf(device="cuda").fit(X, y)


def test_one_class_and_bad_labels():
    X, y = _digits(32)
    with pytest.raises(ValueError, match="at least 2 classes"):
        _clf().fit(X, np.zeros(32))
    with pytest.raises(ValueError, match="Unknown label type"):
        _clf().fit(X, np.linspace(0, 1, 32))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _clf().fit(X, y[:10])


def test_predict_on_wrong_image_shape():
    X, y = _digits(32)
    clf = _clf(epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        clf.predict(np.zeros((2, 9, 9)))


def test_from_preset():
    clf = CNNClassifier.from_preset("fast", epochs=1, batch_size=8)
    assert clf.module == "fast" and clf.label_smoothing == 0.2 and clf.epochs == 1
    with pytest.raises(ValueError, match="name must be one of"):
        CNNClassifier.from_preset("slow")


def test_fast_preset_whitening_layer_comes_from_patch_whitening_filters():
    import skcv.preprocessing as preprocessing

    if not hasattr(preprocessing, "patch_whitening_filters"):
        pytest.skip("skcv.preprocessing.patch_whitening_filters not available")
    rng = np.random.default_rng(0)
    X = rng.random((64, 12, 12, 3)).astype(np.float32)
    y = np.arange(64) % 4
    clf = CNNClassifier.from_preset(
        "fast",
        epochs=1,
        batch_size=16,
        random_state=0,
        device="cpu",
        module_params={"widths": (8, 8, 8)},
    ).fit(X, y)
    Xn = (X - clf.mean_) / clf.std_
    expected = preprocessing.patch_whitening_filters(
        Xn,
        patch_size=2,
        epsilon=5e-4,
        method="pca",
        max_patches=200_000,
        random_state=None,
    )
    w = clf.module_.body.whiten.weight.detach().numpy()
    np.testing.assert_allclose(
        w[:12], expected.transpose(0, 3, 1, 2), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(w[12:], -w[:12])
    assert clf.predict(X).shape == (64,)


@pytest.mark.gpu
def test_gpu_training_pickles_to_cpu():
    X, y = _digits(200)
    clf = _clf(device="cuda", epochs=2, precision="bf16", compile=False).fit(X, y)
    assert clf.device_.startswith("cuda")
    restored = pickle.loads(pickle.dumps(clf))
    assert next(restored.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(
        restored.predict_proba(X), clf.predict_proba(X), atol=2e-2
    )


def test_no_warnings_in_plain_fit():
    X, y = _digits(64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _clf(epochs=1).fit(X, y)


def test_partial_fit_calls_draw_new_random_streams():
    X, y = _digits(64)
    a = _clf(epochs=1, augment="flip")
    a.partial_fit(X, y, classes=np.unique(y))
    first = _state(a).clone()
    a.partial_fit(X, y)
    b = _clf(epochs=1, augment="flip")
    b.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_array_equal(_state(b).numpy(), first.numpy())  # deterministic
    assert a._rng is not b._rng
    # The second call continued the stream: its seed differs from the first call's.
    c = _clf(epochs=1, augment="flip")
    c.partial_fit(X, y, classes=np.unique(y))
    s1 = c._rng.randint(2**31 - 1)
    d = _clf(epochs=1, augment="flip")
    d.partial_fit(X, y, classes=np.unique(y))
    d.partial_fit(X, y)
    assert d._rng.randint(2**31 - 1) != s1


# ------------------------------------------- divergence (issue 18, item 2)
_DIVERGED = (
    r"Training diverged at epoch \d+ \(loss=.+\); the last finite weights "
    r"\(parameters and buffers\) were kept\. Lower learning_rate_init "
    r"\(got 1000000\.0\)"
)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_huge_learning_rate_keeps_the_last_finite_state(solver):
    # sgd: the weights (and batch-norm statistics) turn NaN; adam: the loss grows
    # to about 1e12 without ever becoming NaN. Both are divergence by the rule
    # of skcv._optim, and the model keeps the last finite state for real.
    X, y = _digits(128)
    clf = _clf(solver=solver, epochs=1).fit(X, y)  # batch norm: buffers too
    before = clf.predict_proba(X)
    buffers = {k: v.clone() for k, v in clf.module_.named_buffers()}
    assert any("running_var" in k for k in buffers)
    clf.set_params(warm_start=True, learning_rate_init=1e6, epochs=3)
    with pytest.raises(ValueError, match=_DIVERGED):
        clf.fit(X, y)
    after = clf.predict_proba(X)
    assert np.isfinite(after).all()
    np.testing.assert_array_equal(after, before)
    for k, v in clf.module_.named_buffers():
        torch.testing.assert_close(v, buffers[k], rtol=0, atol=0, msg=k)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_huge_learning_rate_from_scratch_leaves_a_finite_model(solver):
    X, y = _digits(128)
    clf = _clf(solver=solver, learning_rate_init=1e6)
    with pytest.raises(ValueError, match=_DIVERGED):
        clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()


# ------------------------------------------ checkpoints (issue 18, item 8)
@pytest.fixture(scope="module")
def saved_checkpoint(tmp_path_factory):
    X, y = _digits(64)
    clf = _clf(epochs=1, module_params={"widths": (4,)}).fit(X, y)
    path = tmp_path_factory.mktemp("ckpt") / "model.pt"
    clf.save_checkpoint(path)
    return clf, torch.load(path, weights_only=True)


def _drop_state(key):
    def edit(ckpt):
        del ckpt["state_dict"][key]

    return edit


def _set(key, value):
    def edit(ckpt):
        ckpt[key] = value

    return edit


def _nan_weight(ckpt):
    name = next(k for k, v in ckpt["state_dict"].items() if v.is_floating_point())
    ckpt["state_dict"][name] = ckpt["state_dict"][name] * float("nan")


@pytest.mark.parametrize(
    "edit, match",
    [
        (_drop_state("mean"), "the entry 'state_dict' lacks 'mean'"),
        (_drop_state("inv_std"), "the entry 'state_dict' lacks 'inv_std'"),
        (lambda c: c.pop("classes"), "the entry 'classes' is missing"),
        (lambda c: c.pop("history"), "the entry 'history' is missing"),
        (_set("image_shape", [8, -8]), "'image_shape' must be"),
        (_set("image_shape", [8, 8, 3]), "must hold 3 channel values"),
        (_set("classes", [1]), "at least 2 class labels"),
        (_set("classes_dtype", "V999999999"), "do not make class labels"),
        (_set("best_epoch", "1"), "'best_epoch' must be of type int, got str"),
        (_set("history", [{"epoch": 1}]), "each 'history' record must hold"),
        (_nan_weight, "NaN or infinite weights"),
        (_drop_state("body.head.2.weight"), "do not fit module=.simple."),
    ],
)
def test_incomplete_checkpoint_names_file_and_entry(
    saved_checkpoint, tmp_path, edit, match
):
    clf, ckpt = saved_checkpoint
    ckpt = {k: (dict(v) if isinstance(v, dict) else v) for k, v in ckpt.items()}
    edit(ckpt)
    path = tmp_path / "broken.pt"
    torch.save(ckpt, path)
    other = clone(clf)
    with pytest.raises(ValueError, match=rf"broken\.pt.*{match}"):
        other.load_checkpoint(path)
    assert not hasattr(other, "classes_") and not hasattr(other, "module_")
