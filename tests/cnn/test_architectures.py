import pytest

torch = pytest.importorskip("torch")

from skcv.cnn import MODULES, FastNet, GoogLeNet, build_module  # noqa: E402

HEAVY = {
    "alexnet",
    "zfnet",
    "vgg13",
    "vgg16",
    "vgg19",
    "vgg13_bn",
    "vgg16_bn",
    "vgg19_bn",
    "googlenet",
    "resnet34",
    "resnet50",
    "resnet56",
}
NAMES = [
    pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n
    for n in sorted(MODULES)
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(32, 32, 3), (28, 28, 1)])
def test_output_shape(name, shape):
    torch.manual_seed(0)
    h, w, c = shape
    net = build_module(name, in_channels=c, n_classes=7, input_size=(h, w)).eval()
    with torch.no_grad():
        out = net(torch.randn(2, c, h, w))
    assert out.shape == (2, 7)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", ["resnet18", "vgg11", "alexnet", "googlenet"])
def test_imagenet_sized_input_uses_imagenet_stem(name):
    kw = {"width": 0.125}
    if name == "alexnet":
        kw["hidden"] = 32
    if name == "vgg11":
        kw["hidden"] = 32
    net = build_module(
        name, in_channels=3, n_classes=5, input_size=(96, 96), module_params=kw
    ).eval()
    with torch.no_grad():
        assert net(torch.randn(1, 3, 96, 96)).shape == (1, 5)


def test_googlenet_aux_outputs_only_in_training():
    net = GoogLeNet(n_classes=4, aux_classifiers=True, width=0.125, input_size=(32, 32))
    x = torch.randn(2, 3, 32, 32)
    out = net.train()(x)
    assert isinstance(out, tuple) and len(out) == 3
    assert all(o.shape == (2, 4) for o in out)
    assert net.eval()(x).shape == (2, 4)


def test_resnet_bottleneck_and_depth_errors():
    net = build_module(
        "resnet20", 3, 10, (32, 32), module_params={"block": "bottleneck"}
    )
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="block must be"):
        build_module("resnet20", 3, 10, module_params={"block": "wide"})
    with pytest.raises(ValueError, match="depth must be one of"):
        build_module("vgg11", 3, 10, module_params={"depth": 12})


def test_alexnet_lrn_and_zfnet_first_layer():
    alex = build_module("alexnet", 3, 10, (224, 224), {"lrn": True, "width": 0.1})
    zf = build_module("zfnet", 3, 10, (224, 224), {"width": 0.1})
    assert any(isinstance(m, torch.nn.LocalResponseNorm) for m in alex.modules())
    assert alex.features[0].kernel_size == (11, 11) and alex.features[0].stride == (
        4,
        4,
    )
    assert zf.features[0].kernel_size == (7, 7) and zf.features[0].stride == (2, 2)


def test_build_module_errors_and_custom_class():
    with pytest.raises(ValueError, match="module must be one of"):
        build_module("lenet6", 3, 10)
    with pytest.raises(TypeError, match="module must be a str"):
        build_module(5, 3, 10)

    class Tiny(torch.nn.Module):
        def __init__(self, in_channels, n_classes, hidden=4):
            super().__init__()
            self.fc = torch.nn.Linear(in_channels, n_classes)
            self.hidden = hidden

        def forward(self, x):
            return self.fc(x.mean((2, 3)))

    net = build_module(Tiny, 2, 3, (8, 8), {"hidden": 9})
    assert net.hidden == 9 and net(torch.zeros(1, 2, 8, 8)).shape == (1, 3)


def test_fastnet_first_layer_is_frozen_and_tta_averages_mirror():
    net = FastNet(in_channels=3, n_classes=4).eval()
    assert not net.whiten.weight.requires_grad
    assert net.whiten.weight.shape == (24, 3, 2, 2)
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        a, b = net(x), net(x.flip(-1))
    torch.testing.assert_close(a, b)  # TTA makes the scores mirror-invariant


def test_fastnet_translate_tta_averages_six_views():
    torch.manual_seed(0)
    net = FastNet(n_classes=4, widths=(8, 8, 8), head_scale=1e4, tta="translate")
    net.eval()
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        got = net(x)
        p = torch.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect")
        views = [x, p[..., :16, :16], p[..., 2:, 2:]]
        pairs = [0.5 * (net._scores(v) + net._scores(v.flip(-1))) for v in views]
        want = 0.5 * pairs[0] + 0.25 * (pairs[1] + pairs[2])
        assert got.abs().max() > 0.1  # scores large enough to compare
        torch.testing.assert_close(got, want)
        net.tta = "flip"
        torch.testing.assert_close(net(x), pairs[0])
        assert not torch.allclose(got, pairs[0], atol=1e-3)
    with pytest.raises(ValueError, match="tta must be"):
        FastNet(tta="rotate")
