"""Whitener vs PCA(whiten=True) and ImageStandardizer vs StandardScaler on CIFAR-10.

Usage: python benchmarks/bench_preprocessing.py [--data-home DIR] [--quick]
       [--n-images N] [--epsilon EPS]

On the first ``--n-images`` CIFAR-10 training images (10,000 by default; 4,000 with
``--quick``) as float32 rows in [0, 1], it times fit and transform, records the peak
memory of fit, and checks the course's properties: the max abs entry of
``cov(output) - I`` (whitening) and of ``inverse_transform(transform(X)) - X``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from benchmarks import _common  # noqa: E402
from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
from skcv.preprocessing import ImageStandardizer, Whitener  # noqa: E402


class _PeakSampler(_common._PeakSampler):
    """Work around benchmarks/_common.py (reported to the lead).

    Its sampler stores an Event in ``self._stop``, which shadows
    ``threading.Thread._stop`` so ``join()`` raises TypeError. This subclass keeps
    the Event under another name.
    """

    def __init__(self, interval: float = 0.002):
        super().__init__(interval)
        self._halt = self.__dict__.pop("_stop")

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, _common._rss_bytes())
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return max(self.peak, _common._rss_bytes())


_common._PeakSampler = _PeakSampler


def load_images(data_home, n):
    """First ``n`` CIFAR-10 training images, uint8 (n, 32, 32, 3)."""
    try:
        from skcv.datasets import load_cifar10

        return load_cifar10(data_home=data_home, subset="train").data[:n]
    except ImportError:  # pragma: no cover - before skcv.datasets existed
        import pickle

        folder = os.path.join(os.path.expanduser(data_home), "cifar-10-batches-py")
        parts = []
        for i in range(1, 6):
            with open(os.path.join(folder, f"data_batch_{i}"), "rb") as f:
                parts.append(pickle.load(f, encoding="bytes")[b"data"])
        rows = np.concatenate(parts)[:n]
        return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def cov_identity_error(Z):
    """Max abs entry of cov(Z) - I, the covariance accumulated in float64."""
    Z = np.asarray(Z, dtype=np.float64)
    Zc = Z - Z.mean(axis=0)
    cov = (Zc.T @ Zc) / (len(Z) - 1)
    cov[np.diag_indices_from(cov)] -= 1.0
    return float(np.abs(cov).max())


def zca_centre_fraction(whitening):
    """Share of ZCA filters whose largest weight sits on their own pixel."""
    centre = np.argmax(np.abs(whitening), axis=1)
    return float(np.mean(centre == np.arange(len(whitening))))


def run_one(name, est, X, *, whitening):
    fitted, t_fit, mem_fit = measure(est.fit, X)
    Z, t_tr, mem_tr = measure(fitted.transform, X)
    back = fitted.inverse_transform(Z)
    row = {
        "method": name,
        "fit s": t_fit,
        "transform s": t_tr,
        "fit peak MiB": mem_fit,
        "transform peak MiB": mem_tr,
        "out dtype": str(Z.dtype),
        "cov - I max": cov_identity_error(Z) if whitening else "",
        "round trip max": float(np.abs(back - X).max()),
    }
    return row, fitted


def main(argv=None):
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n-images", type=int, default=None)
    p.add_argument(
        "--epsilon",
        type=float,
        default=1e-10,
        help="Whitener epsilon (small: the identity check needs lam/(lam+eps) ~ 1)",
    )
    args = p.parse_args(argv)
    data_home = args.data_home or "~/skcv_data"
    n = args.n_images or (4000 if args.quick else 10000)
    images = load_images(data_home, n)
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    print(f"# bench_preprocessing: {len(X)} CIFAR-10 train images, {X.shape[1]} dims")
    print(f"# {machine_line()}")

    rows = []
    peers = {}
    for method in ("zca", "pca"):
        est = Whitener(method=method, epsilon=args.epsilon, image_shape=(32, 32, 3))
        row, fitted = run_one(f"Whitener({method})", est, X, whitening=True)
        rows.append(row)
        if method == "zca":
            zca_fraction = zca_centre_fraction(fitted.whitening_)
            lam = fitted.explained_variance_
            min_ratio = float(np.min(lam / (lam + args.epsilon)))
    row, _ = run_one("sklearn PCA(whiten=True)", PCA(whiten=True), X, whitening=True)
    rows.append(row)
    peers["whiten"] = row
    for mode in ("pixel", "channel"):
        est = ImageStandardizer(mode=mode, image_shape=(32, 32, 3))
        row, _ = run_one(f"ImageStandardizer({mode})", est, X, whitening=False)
        rows.append(row)
    row, _ = run_one("sklearn StandardScaler", StandardScaler(), X, whitening=False)
    rows.append(row)
    peers["scale"] = row

    for row in rows:
        peer = peers["whiten"] if row["method"].startswith("Whitener") else None
        if row["method"].startswith("ImageStandardizer"):
            peer = peers["scale"]
        if peer is not None:
            row["fit ratio"] = row["fit s"] / peer["fit s"]
            row["transform ratio"] = row["transform s"] / peer["transform s"]
    columns = [
        "method",
        "fit s",
        "transform s",
        "fit peak MiB",
        "out dtype",
        "cov - I max",
        "round trip max",
        "fit ratio",
        "transform ratio",
    ]
    print(markdown_table(rows, columns))
    print(
        f"\nepsilon={args.epsilon:g}: smallest lam/(lam+eps) = {min_ratio:.6f}; "
        f"ZCA filters centred on their own pixel: {100 * zca_fraction:.1f}%"
    )
    print("ratios: skcv time / scikit-learn time (< 1 means skcv is faster)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
