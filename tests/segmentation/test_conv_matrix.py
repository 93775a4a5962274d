import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from skcv.segmentation import conv_matrix  # noqa: E402


def _t(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize(("n", "k"), [(7, 3), (8, 3), (9, 4)])
def test_1d_conv_and_transposed_conv(n, k, stride, padding):
    rng = np.random.default_rng(n * 10 + k)
    kernel = rng.normal(size=k)
    x = rng.normal(size=n)
    M = conv_matrix(kernel, n, stride=stride, padding=padding)
    expected = F.conv1d(
        _t(x)[None, None], _t(kernel)[None, None], stride=stride, padding=padding
    )[0, 0].numpy()
    np.testing.assert_allclose(M @ x, expected, atol=1e-12)
    # the transposed convolution is multiplication by the matrix's transpose
    y = rng.normal(size=M.shape[0])
    out_pad = (n + 2 * padding - k) % stride
    expected_t = F.conv_transpose1d(
        _t(y)[None, None],
        _t(kernel)[None, None],
        stride=stride,
        padding=padding,
        output_padding=out_pad,
    )[0, 0].numpy()
    np.testing.assert_allclose(M.T @ y, expected_t, atol=1e-12)


@pytest.mark.parametrize("stride", [1, 2, (2, 1)])
@pytest.mark.parametrize("padding", [0, 1, (1, 0)])
@pytest.mark.parametrize(
    ("size", "kshape"), [((6, 7), (3, 3)), ((8, 8), (4, 4)), ((5, 9), (2, 3))]
)
def test_2d_conv_and_transposed_conv(size, kshape, stride, padding):
    rng = np.random.default_rng(sum(size) + sum(kshape))
    kernel = rng.normal(size=kshape)
    x = rng.normal(size=size)
    M = conv_matrix(kernel, size, stride=stride, padding=padding)
    y_ref = F.conv2d(
        _t(x)[None, None], _t(kernel)[None, None], stride=stride, padding=padding
    )[0, 0].numpy()
    assert M.shape == (y_ref.size, x.size)
    np.testing.assert_allclose((M @ x.ravel()).reshape(y_ref.shape), y_ref, atol=1e-12)
    s = (stride, stride) if isinstance(stride, int) else stride
    p = (padding, padding) if isinstance(padding, int) else padding
    out_pad = tuple(
        (n + 2 * pp - k) % ss for n, pp, k, ss in zip(size, p, kshape, s, strict=True)
    )
    y = rng.normal(size=y_ref.shape)
    expected_t = F.conv_transpose2d(
        _t(y)[None, None],
        _t(kernel)[None, None],
        stride=stride,
        padding=padding,
        output_padding=out_pad,
    )[0, 0].numpy()
    np.testing.assert_allclose((M.T @ y.ravel()).reshape(size), expected_t, atol=1e-12)


def test_transpose_is_the_gradient_and_not_the_inverse():
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    M = conv_matrix(kernel, (4, 4), stride=2)
    x = torch.randn(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, _t(kernel)[None, None], stride=2)
    g = torch.randn_like(y)
    (y * g).sum().backward()
    np.testing.assert_allclose(x.grad.numpy().ravel(), M.T @ g.numpy().ravel())
    assert M.shape == (4, 16)
    assert not np.allclose(M.T @ M, np.eye(16))


def test_known_matrix_and_dtype():
    M = conv_matrix(np.array([[1, 2], [3, 4]]), 3)
    assert M.dtype == np.float64
    np.testing.assert_array_equal(
        M,
        [
            [1, 2, 0, 3, 4, 0, 0, 0, 0],
            [0, 1, 2, 0, 3, 4, 0, 0, 0],
            [0, 0, 0, 1, 2, 0, 3, 4, 0],
            [0, 0, 0, 0, 1, 2, 0, 3, 4],
        ],
    )
    assert conv_matrix(np.ones(2, np.float32), 5).dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kernel": np.ones((2, 2, 2))}, "kernel must be a non-empty 1-D or 2-D"),
        ({"kernel": [np.nan, 1.0]}, "kernel must not contain NaN"),
        ({"input_size": (4, 4)}, r"input_size must be an int >= 1 or a tuple of 1"),
        ({"stride": 0}, r"stride must be an int >= 1"),
        ({"padding": -1}, r"padding must be an int >= 0"),
        ({"input_size": 2}, "larger than the padded input"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"kernel": [1.0, 2.0, 3.0], "input_size": 5, **kwargs}
    with pytest.raises(ValueError, match=match):
        conv_matrix(**args)
