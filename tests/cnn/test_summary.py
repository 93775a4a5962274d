"""skcv.cnn.summary: shapes, parameters, multiply-adds, receptive fields."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from skcv.cnn import CNNClassifier, NetworkSummary, build_module, summary  # noqa: E402
from skcv.utils import conv_output_size  # noqa: E402


def _numel(net):
    return sum(p.numel() for p in net.parameters())


def test_vgg16_fc6_holds_most_parameters():
    with torch.device("meta"):
        net = build_module("vgg16", 3, 1000, (224, 224))
    s = summary(net, (224, 224, 3))
    assert s.total_params == _numel(net) == 138_357_544
    assert sum(r["params"] for r in s.rows) == s.total_params
    fc6 = s.largest("params")
    # The first fully connected layer: 7 x 7 x 512 inputs, 4096 outputs.
    assert fc6["type"] == "Linear" and fc6["output_shape"] == (4096,)
    assert fc6["params"] == 7 * 7 * 512 * 4096 + 4096
    assert fc6["param_share"] > 0.7
    conv_share = sum(r["param_share"] for r in s.rows if r["type"] == "Conv2d")
    assert conv_share < 0.11  # 13 conv layers: 14.7 M of 138 M
    # ... while the convolutions do almost all the arithmetic (15.3 G of 15.5 G).
    conv_ma = sum(r["mult_adds"] for r in s.rows if r["type"] == "Conv2d")
    assert conv_ma / s.total_mult_adds > 0.99
    assert 15.4e9 < s.total_mult_adds < 15.5e9
    assert np.isclose(sum(r["param_share"] for r in s.rows), 1.0)


def test_vgg16_by_name_matches_the_module_and_shapes_follow_the_formula():
    s = summary("vgg16", (224, 224, 3))
    assert s.total_params == 138_357_544
    size = 224
    for r in s.rows:
        if r["type"] == "Conv2d":
            size = conv_output_size(size, 3, 1, 1)
        elif r["type"] == "MaxPool2d":
            size = conv_output_size(size, 2, 0, 2)
        if r["type"] in ("Conv2d", "MaxPool2d"):
            assert r["output_shape"][1:] == (size, size), r
    assert size == 7


def test_vgg16_receptive_fields():
    # Hand count: 3x3 stride-1 convs add 2 x jump, 2x2 pools add 1 x jump and
    # double it: conv1_1 3, conv1_2 5, pool1 6, ... conv5_3 196, pool5 212.
    s = summary("vgg16", (224, 224, 3))
    convs = [r["receptive_field"][0] for r in s.rows if r["type"] == "Conv2d"]
    pools = [r["receptive_field"][0] for r in s.rows if r["type"] == "MaxPool2d"]
    assert convs == [3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]
    assert pools == [6, 16, 44, 100, 212]


def test_resnet18_receptive_field_follows_the_residual_branch():
    s = summary("resnet18", (224, 224, 3))
    rows = {r["name"]: r for r in s.rows}
    assert rows["layers.7.conv2"]["receptive_field"] == (435, 435)  # published
    # The identity shortcut sees the block's input field; the block's output
    # takes the larger field of its two branches.
    assert rows["layers.7.shortcut"]["receptive_field"] == (307, 307)
    assert rows["head.0"]["receptive_field"][0] > 435


def _torchinfo_rows(net, input_size):
    torchinfo = pytest.importorskip("torchinfo")
    stats = torchinfo.summary(net, input_size=input_size, verbose=0, device="cpu")
    calls = {}  # a module called twice (GoogLeNet's pool) has one entry per call
    for li in stats.summary_list:
        if li.is_leaf_layer:
            calls.setdefault(id(li.module), []).append(li)
    return calls, stats


@pytest.mark.parametrize(
    ("name", "shape", "params"),
    [
        ("lenet5", (28, 28, 1), {}),
        ("alexnet", (64, 64, 3), {"width": 0.25, "hidden": 64}),
        ("zfnet", (32, 32, 3), {"width": 0.25}),
        ("resnet20", (32, 32, 3), {}),
        ("googlenet", (32, 32, 3), {"width": 0.25}),
        ("vgg11_bn", (32, 32, 3), {"width": 0.25}),
    ],
)
def test_against_torchinfo(name, shape, params):
    torch.manual_seed(0)
    h, w, c = shape
    net = build_module(name, c, 10, (h, w), params)
    info, stats = _torchinfo_rows(net, (1, c, h, w))
    s = summary(net, shape)
    assert s.total_params == _numel(net) == stats.total_params
    assert s.trainable_params == stats.trainable_params
    modules = dict(net.named_modules())
    checked = 0
    for r in s.rows:
        m = modules[r["name"]]
        li = info[id(m)].pop(0)
        assert r["output_shape"] == tuple(li.output_size[1:]), r["name"]
        if not li.is_recursive:  # torchinfo counts a reused layer's params once too
            assert r["params"] == li.num_params, r["name"]
        # torchinfo also counts a bias per output value (and BatchNorm's affine
        # parameters) as multiply-adds; skcv counts the weights' products only.
        if isinstance(m, nn.Conv2d | nn.Linear):
            out_positions = (
                int(np.prod(li.output_size[2:])) if li.output_size[2:] else 1
            )
            bias = m.bias.numel() * out_positions if m.bias is not None else 0
            assert r["mult_adds"] == li.macs - bias, r["name"]
            checked += 1
    assert checked >= 3
    assert not any(info.values())  # every leaf call of torchinfo has its row


def test_fitted_classifier_and_unfitted():
    rng = np.random.default_rng(0)
    X = rng.random((40, 12, 12, 3)).astype(np.float32)
    y = np.arange(40) % 2
    clf = CNNClassifier(module="simple", epochs=1, batch_size=20, device="cpu")
    clf.fit(X, y)
    s = summary(clf)
    assert s.input_shape == (12, 12, 3)
    assert s.total_params == _numel(clf.module_)
    assert s.rows[0]["name"] == "features.0" and s.rows[-1]["output_shape"] == (2,)
    unfitted = summary(CNNClassifier(module="simple"), (12, 12, 3), n_classes=2)
    assert unfitted.total_params == s.total_params
    assert [r["output_shape"] for r in unfitted.rows] == [
        r["output_shape"] for r in s.rows
    ]
    assert clf.module_.training is False  # the mode is restored


def test_table_and_repr():
    s = summary("lenet5", (28, 28), n_classes=10)
    assert isinstance(s, NetworkSummary) and len(s) == len(s.rows)
    text = str(s)
    assert "total parameters: 61,706" in text
    assert "features.0" in text and "6x28x28" in text
    assert repr(s).startswith("NetworkSummary(")


def test_receptive_field_follows_functional_ops():
    # FastNet averages the scores of the image and its mirror (x.flip(-1)) in
    # evaluation mode: the second pass starts again from the input's field.
    s = summary("fast", (32, 32, 3), n_classes=10)
    whiten = [r for r in s.rows if r["name"] == "whiten"]
    assert len(whiten) == 2
    assert whiten[0]["receptive_field"] == whiten[1]["receptive_field"] == (2, 2)
    assert whiten[1]["params"] == 0  # counted at its first call only
    assert s.rows[-1]["receptive_field"] == (75, 75)


def test_unused_layers_keep_the_totals():
    # GoogLeNet's auxiliary heads run in training mode only.
    net = build_module("googlenet", 3, 10, (32, 32), {"aux_classifiers": True})
    s = summary(net, (32, 32, 3))
    unused = [r for r in s.rows if r["output_shape"] is None]
    assert unused and all(r["name"].startswith("aux") for r in unused)
    assert sum(r["params"] for r in s.rows) == s.total_params == _numel(net)


def test_shared_module_counted_once():
    lin = nn.Linear(4, 4)
    net = nn.Sequential(nn.Flatten(), lin, nn.ReLU(), lin)
    s = summary(net, (2, 2, 1))
    lin_rows = [r for r in s.rows if r["type"] == "Linear"]
    assert [r["params"] for r in lin_rows] == [20, 0]
    assert s.total_params == 20 and s.total_mult_adds == 32


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("vgg16",), {}, ValueError, "input_shape is required"),
        ((nn.Linear(2, 2),), {}, ValueError, "input_shape is required"),
        ((CNNClassifier(),), {}, ValueError, "input_shape is required"),
        ((CNNClassifier(), (8, 8)), {}, ValueError, "module='auto' is chosen at"),
        (("vgg16", (224, 224, 3, 1)), {}, ValueError, "input_shape must be"),
        (("vgg16", (0, 224)), {}, ValueError, "input_shape must be"),
        ((42, (8, 8)), {}, TypeError, "estimator_or_module must be"),
        (("vgg16", (32, 32, 3)), {"n_classes": 0}, ValueError, "n_classes"),
    ],
)
def test_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        summary(*args, **kwargs)
