import numpy as np
import pytest

torch = pytest.importorskip("torch")

from skcv.cnn._augment import (  # noqa: E402
    AUGMENTATIONS,
    Augmenter,
    crop,
    flip,
    parse_augment,
    resized_crop,
    translate,
)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _constant_batch(n=8, c=3, h=10, w=12):
    return (
        torch.arange(n, dtype=torch.float32)[:, None, None, None]
        .expand(n, c, h, w)
        .contiguous()
    )


@pytest.mark.parametrize("name", ["flip", "translate", "resized_crop"])
def test_ops_keep_shape_and_label_order(name):
    x = _constant_batch()
    out = AUGMENTATIONS[name](x, _gen())
    assert out.shape == x.shape and out.dtype == x.dtype
    torch.testing.assert_close(out.mean((1, 2, 3)), x.mean((1, 2, 3)))


def test_color_jitter_keeps_shape_and_changes_values():
    x = torch.rand(6, 3, 8, 8, generator=_gen(1))
    out = AUGMENTATIONS["color_jitter"](x, _gen())
    assert out.shape == x.shape and not torch.allclose(out, x)
    grey = AUGMENTATIONS["color_jitter"](x[:, :1], _gen())
    assert grey.shape == (6, 1, 8, 8)


def test_flip_mirrors_some_images():
    x = torch.rand(16, 1, 4, 5, generator=_gen(2))
    out = flip(x, _gen())
    mirrored = [torch.equal(o, i.flip(-1)) for o, i in zip(out, x, strict=True)]
    kept = [torch.equal(o, i) for o, i in zip(out, x, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True))
    assert any(mirrored) and any(kept)


@pytest.mark.parametrize("mode", ["reflect", "constant"])
def test_translate_is_a_window_of_the_padded_image(mode):
    x = torch.rand(6, 3, 7, 9, generator=_gen(3))
    out = translate(x, _gen(), padding=2, mode=mode)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2), mode=mode)
    for o, p in zip(out, padded, strict=True):
        windows = [p[:, i : i + 7, j : j + 9] for i in range(5) for j in range(5)]
        assert any(torch.equal(o, w) for w in windows)


def test_crop_zero_pads():
    x = torch.ones(32, 1, 6, 6)
    out = crop(x, _gen(), padding=2)
    assert (out == 0).any() and out.shape == x.shape


def test_resized_crop_full_scale_is_identity():
    x = torch.rand(3, 3, 8, 8, generator=_gen(4))
    out = resized_crop(x, _gen(), scale=(1.0, 1.0), ratio=(1.0, 1.0))
    torch.testing.assert_close(out, x, atol=1e-5, rtol=1e-5)


def test_parse_augment_and_augmenter():
    assert parse_augment(None) == []
    assert [n for n, _ in parse_augment("standard")] == ["flip", "crop"]
    assert parse_augment([("translate", {"padding": 1})]) == [
        ("translate", {"padding": 1})
    ]
    with pytest.raises(ValueError, match="augment must be"):
        parse_augment(["rotate"])
    aug = Augmenter(parse_augment("fast"), _gen())
    assert aug and aug(torch.zeros(2, 3, 8, 8)).shape == (2, 3, 8, 8)
    assert not Augmenter([], _gen())


def test_augmentation_is_reproducible():
    x = torch.rand(4, 3, 8, 8, generator=_gen(5))
    ops = parse_augment(["flip", "translate", "resized_crop", "color_jitter"])
    a = Augmenter(ops, _gen(7))(x)
    b = Augmenter(ops, _gen(7))(x)
    torch.testing.assert_close(a, b)
    assert np.isfinite(a.numpy()).all()
