"""File paths as the fourth image-input form (issue 17 item 2).

Real PNG and JPEG files are written into tmp_path; every estimator must give on
the paths what it gives on the arrays ``skcv.io.imread`` decodes from them.
"""

import numpy as np
import pytest
from PIL import Image
from skimage import data
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from skcv.feature import (
    BagOfVisualWords,
    CannyEdgeDetector,
    FilterBankExtractor,
    GISTExtractor,
    TextonEncoder,
)
from skcv.io import imread
from skcv.utils import as_paths, check_images, check_size_policy


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Photos of two kinds in many sizes, grey and RGBA among them, PNG and JPEG."""
    root = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    sources = [data.astronaut(), data.coffee()]  # class 0, class 1
    paths, y = [], []
    for i in range(16):
        label = i % 2
        photo = sources[label]
        h, w = (int(v) for v in rng.integers(40, 72, size=2))
        r, c = (int(v) for v in rng.integers(0, 300, size=2))
        crop = photo[r : r + h, c : c + w]
        if i % 5 == 3:
            image, suffix = Image.fromarray(crop).convert("L"), ".png"
        elif i % 5 == 4:
            image, suffix = Image.fromarray(crop).convert("RGBA"), ".png"
        else:
            image = Image.fromarray(crop)
            suffix = ".jpg" if i % 2 else ".png"
        path = root / f"img{i:02d}{suffix}"
        image.save(path)
        paths.append(str(path))
        y.append(label)
    return paths, np.array(y)


def test_as_paths_recognises_the_fourth_form(folder, tmp_path):
    paths, _ = folder
    assert as_paths(paths) == paths
    assert as_paths(np.array(paths, dtype=object)) == paths
    assert as_paths(np.array(paths)) == paths
    assert as_paths([tmp_path / "a.png"]) == [tmp_path / "a.png"]
    assert as_paths(np.zeros((2, 3))) is None
    with pytest.raises(TypeError, match="X is the single path .*pass a list"):
        as_paths(paths[0])
    decoded = check_images(paths)
    assert isinstance(decoded, list) and decoded[0].dtype == np.float32
    assert {im.shape[2] for im in decoded} == {3}  # mixed folder -> RGB


def test_unreadable_file_names_it(tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(ValueError, match="broken.png"):
        GISTExtractor(image_size=32).fit_transform([str(bad)])
    with pytest.raises(ValueError, match="broken.png"):
        GISTExtractor(image_size=32, color=True).fit([str(bad)])


@pytest.mark.parametrize(
    "est",
    [
        GISTExtractor(orientations_per_scale=(4, 4), image_size=32),
        FilterBankExtractor("schmid", size=7),
        BagOfVisualWords(n_words=8, random_state=0),
        TextonEncoder(size=7, n_textons=3, max_pixels=50, random_state=0),
        CannyEdgeDetector(output="histogram", grid=(2, 2)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transformers_on_paths_equal_decoded_arrays(folder, est, monkeypatch):
    paths, y = folder
    arrays = [imread(p) for p in paths]
    expected = est.fit(arrays, y).transform(arrays)
    # transform streams the paths in batches: count the images decoded at once
    import skcv.utils._validation as validation

    sizes = []
    real = validation.read_images

    def spy(batch, **kwargs):
        sizes.append(len(batch))
        return real(batch, **kwargs)

    monkeypatch.setattr("skcv.base.read_images", spy)
    est.set_params(**({"batch_size": 5} if "batch_size" in est.get_params() else {}))
    got = est.fit(paths, y).transform(paths)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    # fit and transform both decode one batch at a time (fit lazily)
    step = est.get_params().get("batch_size") or 64
    assert max(sizes) <= step and sum(sizes) >= len(paths)
    sizes.clear()
    est.transform(paths)
    assert max(sizes) <= step and sum(sizes) == len(paths)


def test_pipeline_fitted_on_paths_predicts_as_on_arrays(folder):
    paths, y = folder
    arrays = [imread(p) for p in paths]

    def pipe():
        return make_pipeline(
            BagOfVisualWords(n_words=16, batch_size=4, random_state=0), SVC()
        )

    on_paths = pipe().fit(paths[:12], y[:12])
    on_arrays = pipe().fit(arrays[:12], y[:12])
    np.testing.assert_array_equal(on_paths.predict(paths), on_arrays.predict(arrays))
    np.testing.assert_allclose(
        on_paths.decision_function(paths[12:]),
        on_arrays.decision_function(arrays[12:]),
    )
    assert on_paths.score(paths, y) == on_arrays.score(arrays, y)


def test_size_policy_validation():
    assert check_size_policy((20, 30), "pad") == ((20, 30), "pad")
    with pytest.raises(ValueError, match="resize='crop' needs image_size"):
        check_size_policy(None, "crop")
    with pytest.raises(ValueError, match=r"image_size=32 needs resize in"):
        check_size_policy(32, None)
    with pytest.raises(ValueError, match="resize must be None or one of"):
        check_size_policy(32, "zoom")
    with pytest.raises(ValueError, match="image_size must be None, a positive int"):
        check_size_policy((0, 3), "stretch")


def test_cnn_on_a_mixed_folder_with_a_size_policy(folder):
    pytest.importorskip("torch")
    from skcv.cnn import CNNClassifier

    paths, y = folder
    params = dict(module="simple", epochs=1, batch_size=8, random_state=0)
    with pytest.raises(ValueError, match="different sizes .* one size"):
        CNNClassifier(**params).fit(paths, y)
    clf = CNNClassifier(image_size=(24, 24), resize="crop", **params).fit(paths, y)
    decoded = [imread(p, size=(24, 24), resize="crop") for p in paths]
    ref = CNNClassifier(**params).fit(decoded, y)
    np.testing.assert_allclose(
        clf.predict_proba(paths), ref.predict_proba(decoded), rtol=1e-5, atol=1e-6
    )
    with pytest.raises(ValueError, match=r"image_size=\(24, 24\) needs resize"):
        CNNClassifier(image_size=(24, 24), **params).fit(paths, y)


def test_memory_does_not_grow_with_the_number_of_files(tmp_path):
    import tracemalloc

    photo = data.astronaut()
    paths = []
    for i in range(96):
        path = tmp_path / f"{i}.png"
        Image.fromarray(photo[i : i + 96, i : i + 96]).save(path)
        paths.append(str(path))
    est = GISTExtractor(orientations_per_scale=(4,), image_size=64, batch_size=8)
    est.fit(paths[:8])

    def peak(files):
        tracemalloc.start()
        out = est.fit_transform(files)  # lazy fit, streamed transform
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak - out.nbytes

    small, large = peak(paths[:24]), peak(paths)
    assert large < 1.5 * small, (small, large)


class _WideRows:
    """A transformer with a large output per image (0.8 MB), to see its peak."""

    @staticmethod
    def make(width=100_000, dtype_of_batch=None):
        from sklearn.base import BaseEstimator, TransformerMixin

        from skcv.base import ImageInputMixin

        class WideRows(ImageInputMixin, TransformerMixin, BaseEstimator):
            _allows_variable_size = True

            def __init__(self, batch_size=4):
                self.batch_size = batch_size

            def fit(self, X, y=None):
                self._validate_images(X, reset=True)
                self.calls_ = 0
                return self

            def transform(self, X):
                X = self._validate_images(X, reset=False)
                self.calls_ += 1
                dtype = (dtype_of_batch or (lambda k: np.float64))(self.calls_)
                out = np.empty((len(X), width), dtype=dtype)
                out[:] = np.asarray([x.mean() for x in X])[:, None]
                return out

        return WideRows


def _flat_pngs(folder, n, step):
    """``n`` 8x8 grey PNGs of constant value ``step * i``; their paths."""
    paths = []
    for i in range(n):
        path = folder / f"{i}.png"
        Image.fromarray(np.full((8, 8), step * i, np.uint8)).save(path)
        paths.append(str(path))
    return paths


def test_streamed_output_is_written_once(tmp_path):
    import tracemalloc

    paths = _flat_pngs(tmp_path, 40, 6)
    est = _WideRows.make()().fit(paths[:4])
    tracemalloc.start()
    out = est.transform(paths)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert out.shape == (40, 100_000) and est.calls_ == 10
    np.testing.assert_allclose(out[:, 0], 6 * np.arange(40) / 255, rtol=1e-6)
    # one output array plus a batch; joining parts at the end would need twice
    assert peak < 1.3 * out.nbytes, (peak, out.nbytes)


def test_streamed_output_of_changing_dtype_is_joined(tmp_path):
    paths = _flat_pngs(tmp_path, 10, 20)

    def dtype(k):  # the first batch float64, later ones float32
        return np.float32 if k > 1 else np.float64

    wide = _WideRows.make(width=3, dtype_of_batch=dtype)
    out = wide().fit(paths[:4]).transform(paths)
    assert out.shape == (10, 3) and out.dtype == np.float64  # as np.concatenate
    np.testing.assert_allclose(out[:, 1], 20 * np.arange(10) / 255, rtol=1e-6)
