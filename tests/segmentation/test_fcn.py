import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from skcv.segmentation import FCN, BedOfNails, Upsample  # noqa: E402


def test_nearest_copies_each_value_to_its_block():
    x = torch.arange(6.0).reshape(1, 1, 2, 3)
    out = Upsample("nearest", 1)(x, (4, 6))
    expected = x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)
    assert torch.equal(out, expected)


def test_bed_of_nails_puts_values_top_left_and_zeros_elsewhere():
    x = torch.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    out = BedOfNails()(x)
    expected = torch.tensor([[1.0, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    assert torch.equal(out[0, 0], expected)
    # an odd target size crops
    assert Upsample("zeros", 1)(x, (3, 4)).shape[-2:] == (3, 4)
    # the gradient flows to the nails only
    x.requires_grad_(True)
    BedOfNails()(x).sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))


def test_unpool_returns_values_to_where_the_maxima_were():
    x = torch.tensor([[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 2], [9, 1, 3, 0]]]])
    pooled, idx = nn.MaxPool2d(2, 2, return_indices=True)(x)
    assert pooled.flatten().tolist() == [5, 8, 9, 3]
    out = Upsample("unpool", 1)(pooled, x.shape[-2:], idx)
    expected = torch.zeros(1, 1, 4, 4)
    for (r, c), v in {(0, 1): 5.0, (1, 2): 8.0, (3, 0): 9.0, (3, 2): 3.0}.items():
        expected[0, 0, r, c] = v
    assert torch.equal(out, expected)
    assert int((out != 0).sum()) == 4


def test_transposed_starts_as_bilinear_and_learns():
    up = Upsample("transposed", 2)
    x = torch.randn(1, 2, 5, 5)
    out = up(x, (10, 10))
    ref = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    # equal away from the border (the transposed conv pads with zeros)
    torch.testing.assert_close(out[..., 1:-1, 1:-1], ref[..., 1:-1, 1:-1])
    assert up.op.weight.requires_grad and up.op.weight.shape == (2, 2, 4, 4)
    assert sum(p.numel() for p in Upsample("nearest", 2).parameters()) == 0


def test_bilinear_matches_interpolate():
    x = torch.randn(2, 3, 4, 5)
    torch.testing.assert_close(
        Upsample("bilinear", 3)(x, (8, 10)),
        F.interpolate(x, size=(8, 10), mode="bilinear", align_corners=False),
    )


@pytest.mark.parametrize("encoder", ["simple", "vgg", "resnet"])
@pytest.mark.parametrize("upsampling", ["transposed", "unpool", "nearest", "zeros"])
def test_fcn_keeps_any_input_size(encoder, upsampling):
    net = FCN(2, 5, encoder=encoder, upsampling=upsampling, depth=3, width=4).eval()
    for h, w in [(16, 16), (13, 21), (5, 7)]:
        assert net(torch.randn(1, 2, h, w)).shape == (1, 5, h, w)


def test_fcn_is_fully_convolutional_translation_equivariant():
    # only convolutions: a shift by the total stride shifts the output the same
    torch.manual_seed(0)
    net = FCN(
        1, 3, upsampling="nearest", depth=2, width=4, skip_connections=True
    ).eval()
    x = torch.zeros(1, 1, 32, 32)
    x[..., 8:14, 8:14] = 1
    shifted = torch.roll(x, shifts=(4, 8), dims=(2, 3))
    a = net(x)
    b = net(shifted)
    torch.testing.assert_close(
        torch.roll(a, shifts=(4, 8), dims=(2, 3))[..., 12:28, 12:28],
        b[..., 12:28, 12:28],
    )


def test_skip_connections_change_the_network():
    torch.manual_seed(0)
    a = FCN(1, 2, depth=2, width=4, skip_connections=True).eval()
    torch.manual_seed(0)
    b = FCN(1, 2, depth=2, width=4, skip_connections=False).eval()
    x = torch.randn(1, 1, 8, 8)
    assert not torch.allclose(a(x), b(x))
    assert sum(p.numel() for p in a.parameters()) == sum(
        p.numel() for p in b.parameters()
    )


def test_strided_downsampling_has_no_pooling():
    net = FCN(1, 2, downsampling="strided", depth=2, width=4)
    assert not any(isinstance(m, nn.MaxPool2d) for m in net.modules())
    strided = [
        m for m in net.modules() if isinstance(m, nn.Conv2d) and m.stride == (2, 2)
    ]
    assert len(strided) == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"encoder": "unet"}, "encoder must be one of"),
        ({"upsampling": "deconv"}, "upsampling must be one of"),
        ({"downsampling": "avg"}, "downsampling must be one of"),
        ({"upsampling": "unpool", "downsampling": "strided"}, "pooling indices"),
    ],
)
def test_fcn_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FCN(**kwargs)
    with pytest.raises(ValueError, match="kind must be one of"):
        Upsample("cubic", 1)


def test_unpool_fcn_unpools_to_its_own_stage_argmax_positions():
    # Record every stage's pooling (input, output, indices) and every
    # unpooling (input, output); decoder step j undoes encoder stage
    # depth - 1 - j, whose maps have different sizes and channel counts.
    torch.manual_seed(1)
    depth = 3
    net = FCN(1, 2, upsampling="unpool", depth=depth, width=4).eval()
    pools, unpools = [], []

    def record(store):
        def hook(module, args, out):
            store.append((args[0].detach().clone(), out))

        return hook

    for m in net.modules():
        if isinstance(m, nn.MaxPool2d):
            m.register_forward_hook(record(pools))
        elif isinstance(m, nn.MaxUnpool2d):
            m.register_forward_hook(record(unpools))
    x = torch.randn(2, 1, 13, 18)  # padded to 16 x 24 inside
    with torch.no_grad():
        net(x)
    assert len(pools) == len(unpools) == depth
    for j, (up_in, up_out) in enumerate(unpools):
        pool_in, (pool_out, idx) = pools[depth - 1 - j]
        assert up_out.shape == pool_in.shape
        # the indices are the argmax positions of that stage's pooling windows
        assert torch.equal(
            pool_in.flatten(2).gather(2, idx.flatten(2)), pool_out.flatten(2)
        )
        # unpooling puts each input value at the argmax position, zeros elsewhere
        expected = torch.zeros_like(up_out).flatten(2)
        expected.scatter_(2, idx.flatten(2), up_in.flatten(2))
        assert torch.equal(up_out.flatten(2), expected)
        assert torch.equal(
            up_out, F.max_unpool2d(up_in, idx, 2, 2, output_size=pool_in.shape[-2:])
        )
