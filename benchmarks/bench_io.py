"""Benchmark reading images from files: decoders, features and CNN epochs over paths.

Run from the repository root::

    python benchmarks/bench_io.py [--n 500] [--quick] [--tables decode,features,...]
        [--cnn-module lenet5]

It writes ``--n`` JPEGs (256x256 random crops of scikit-image's bundled colour
photographs, quality 90) to a temporary folder, then prints markdown tables:

1. ``decode``: images/s of each decoder over the same files, its ratio to a plain
   Pillow loop, and the peak resident memory added while decoding (results
   discarded). Decoders: a plain Pillow loop, :func:`skcv.io.imread`,
   ``skimage.io.imread``, ``cv2.imread`` and ``simplejpeg`` when installed; plus
   a reduce-on-decode row (256 -> 64 pixels: ``imread(size=64)`` against Pillow
   decode + resize).
2. ``features``: GIST and dense-SIFT bag of visual words over the files ("paths")
   and over the same images already decoded into one array ("arrays"); each run in a
   fresh subprocess, so its peak RSS (``ru_maxrss``) is its own, at
   N = ``--n`` // 10 and N = ``--n``: memory over paths must not grow with N.
3. ``varied``: per-image cost of every feature transformer on photographs of
   varied sizes (and a few grey ones) against the same images resized to one size.
4. ``cnn``: CNNClassifier (LeNet-5) epochs from the files, decoded to 32x32 by the
   size policy in 0, 1 and 2 DataLoader workers, against epochs from the same
   images decoded first into one array; each fit in a fresh process (peak RSS),
   at N = ``--n`` // 10 and N = ``--n``.

Path input: when a transformer's ``transform`` accepts a list of file paths
(DESIGN section 2, form 4), the "paths" rows pass the paths straight in. Until then
they decode one batch at a time with ``skcv.io.imread_collection`` and transform that
batch (memory still bounded by one batch), and the table says "imread batches".
The switch is one line: :func:`transform_paths`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import skcv.io._imread as _imread_module  # noqa: E402
from benchmarks._common import (  # noqa: E402
    machine_line,
    markdown_table,
    measure,
    parser,
)
from skcv.io import imread, imread_collection  # noqa: E402

PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "immunohistochemistry",
    "hubble_deep_field",
    "retina",
    "colorwheel",
)
SIZE = 256  # side of the one-size crops
FEATURE_SIZE = 128  # GIST image_size / decoded size in the feature rows


# ------------------------------------------------------------------------ data
def _photos() -> list[np.ndarray]:
    from skimage import data

    return [getattr(data, name)()[..., :3] for name in PHOTOS]


def write_jpegs(
    folder: str,
    n: int,
    *,
    size: int = SIZE,
    varied: bool = False,
    grey_every: int = 0,
    seed: int = 0,
    quality: int = 90,
) -> list[str]:
    """Write ``n`` JPEG crops of the bundled photographs; return their paths.

    One-size crops are ``size x size``. With ``varied``, each crop's height and
    width are drawn in ``[size // 2, 3 * size // 2]``; ``grey_every=k`` saves every
    k-th file grey.
    """
    os.makedirs(folder, exist_ok=True)
    photos = _photos()
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        photo = photos[i % len(photos)]
        h = w = size
        if varied:
            h, w = rng.integers(size // 2, 3 * size // 2 + 1, size=2)
        h, w = min(h, photo.shape[0]), min(w, photo.shape[1])
        r = rng.integers(0, photo.shape[0] - h + 1)
        c = rng.integers(0, photo.shape[1] - w + 1)
        image = Image.fromarray(photo[r : r + h, c : c + w])
        if grey_every and i % grey_every == grey_every - 1:
            image = image.convert("L")
        path = os.path.join(folder, f"{i:06d}.jpg")
        image.save(path, quality=quality)
        paths.append(path)
    return paths


# -------------------------------------------------------------------- decoders
def _pillow(path):
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def _skimage(path):
    import skimage.io

    return skimage.io.imread(path)


def _cv2(path):
    import cv2

    flag = getattr(cv2, "IMREAD_COLOR_RGB", None)
    if flag is not None:
        return cv2.imread(path, flag)
    return cv2.cvtColor(cv2.imread(path, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _simplejpeg(path):
    import simplejpeg

    with open(path, "rb") as fh:
        return simplejpeg.decode_jpeg(fh.read())


def _pillow_resize(path, side=64):
    with Image.open(path) as img:
        return np.asarray(
            img.convert("RGB").resize((side, side), Image.Resampling.BILINEAR)
        )


def _simplejpeg_resize(path, side=64):
    import simplejpeg

    with open(path, "rb") as fh:
        image = simplejpeg.decode_jpeg(fh.read(), min_height=side, min_width=side)
    return np.asarray(Image.fromarray(image).resize((side, side), Image.BILINEAR))


def _imread_pillow_only(path, **kwargs):
    """skcv.io.imread with the optional simplejpeg path switched off."""
    saved = _imread_module._SIMPLEJPEG
    _imread_module._SIMPLEJPEG = None
    try:
        return imread(path, **kwargs)
    finally:
        _imread_module._SIMPLEJPEG = saved


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def decoders() -> dict:
    """``{row name: function(path) -> array}``; the first row is the baseline."""
    found = {"Pillow loop (open + convert RGB)": _pillow}
    if _has("simplejpeg"):
        found["skcv.io.imread (simplejpeg, skcv[fast])"] = imread
        found["skcv.io.imread (Pillow only)"] = _imread_pillow_only
    else:
        found["skcv.io.imread (Pillow)"] = imread
    found["skimage.io.imread"] = _skimage
    if _has("cv2"):
        found["cv2.imread"] = _cv2
    if _has("simplejpeg"):
        found["simplejpeg.decode_jpeg (bare)"] = _simplejpeg
    return found


def resize_decoders() -> dict:
    """Reduce-on-decode rows: 256x256 files read at 64x64."""
    found = {"Pillow decode + resize to 64": _pillow_resize}
    if _has("simplejpeg"):
        found["skcv.io.imread(size=64) (simplejpeg)"] = lambda p: imread(p, size=64)
        found["skcv.io.imread(size=64) (Pillow draft)"] = lambda p: _imread_pillow_only(
            p, size=64
        )
    else:
        found["skcv.io.imread(size=64) (Pillow draft)"] = lambda p: imread(p, size=64)
    return found


def _decode_all(func, paths):
    for path in paths:
        func(path)


def decode_rows(paths: list[str], repeat: int) -> list[dict]:
    """One row per decoder: images/s, images per CPU-second, ratio, peak MiB.

    Decoders run in turns (``repeat`` rounds, best round kept) so that load from
    other processes hits every row alike; the ratio is on CPU time, which a busy
    machine disturbs least. Peak memory comes from one more, separate pass (the
    sampling thread would cost CPU time).
    """
    rows = []
    for group in (decoders(), resize_decoders()):
        wall = dict.fromkeys(group, np.inf)
        cpu = dict.fromkeys(group, np.inf)
        for func in group.values():
            func(paths[0])  # import and warm up
        for _ in range(repeat):
            for name, func in group.items():
                c0, t0 = time.process_time(), time.perf_counter()
                _decode_all(func, paths)
                wall[name] = min(wall[name], time.perf_counter() - t0)
                cpu[name] = min(cpu[name], time.process_time() - c0)
        base = cpu[next(iter(group))]
        for name, func in group.items():
            _, _, mib = measure(_decode_all, func, paths)
            rows.append(
                {
                    "decoder": name,
                    "images/s": len(paths) / wall[name],
                    "images/CPU-s": len(paths) / cpu[name],
                    "ratio (CPU)": base / cpu[name],
                    "peak RSS added (MiB)": mib,
                }
            )
    return rows


# ------------------------------------------------------------ path input hooks
def accepts_paths(estimator, path) -> bool:
    """Whether ``estimator.transform`` takes file paths (DESIGN form 4) already."""
    try:
        estimator.transform([path])
    except (TypeError, ValueError):
        return False
    return True


def transform_paths(estimator, paths, *, batch_size=64, native=None):
    """Features of the files in ``paths``; one batch of decoded images at a time.

    With native path input (``native=True``, or found by :func:`accepts_paths`) this
    is ``estimator.transform(paths)``: the one line that replaces the loop below.
    """
    if native is None:
        native = accepts_paths(estimator, paths[0])
    if native:
        return estimator.transform(list(paths))
    return np.concatenate(
        [
            estimator.transform(load_arrays(paths[i : i + batch_size]))
            for i in range(0, len(paths), batch_size)
        ]
    )


def load_arrays(paths, size=None) -> np.ndarray:
    """The images the feature rows work on: grey uint8 (luma decoded directly)."""
    return imread_collection(paths, as_grey=True, size=size or SIZE)


# -------------------------------------------------------------------- features
def make_extractor(name: str, fit_paths: list[str]):
    """A fitted feature transformer for the feature rows; add a row here."""
    from skcv.feature import BagOfVisualWords, GISTExtractor

    if name == "gist":
        est = GISTExtractor(image_size=FEATURE_SIZE, batch_size=64)
    elif name == "bovw":
        est = BagOfVisualWords(
            n_words=100, max_descriptors=20_000, batch_size=64, random_state=0
        )
    else:
        raise ValueError(f"unknown feature {name!r}")
    return est.fit(load_arrays(fit_paths))


FEATURES = {"gist": "GIST (image_size=128)", "bovw": "dense-SIFT BoW (100 words)"}


def _child(spec: dict) -> dict:
    """Run one feature row in this (fresh) process; report time and peak RSS."""
    import pickle

    with open(spec["model"], "rb") as fh:
        est = pickle.load(fh)
    paths = spec["paths"][: spec["n"]]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if spec["mode"] == "arrays":
        X = load_arrays(paths)  # the in-memory array a user would hold
        native = False
        t0 = time.perf_counter()
        features = est.transform(X)
    else:
        native = accepts_paths(est, paths[0])
        t0 = time.perf_counter()
        features = transform_paths(est, paths, native=native)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "start_mib": rss0,
        "native": native,
        "checksum": float(np.abs(features).sum()),
        "output_mib": features.nbytes / 2**20,
        "shape": list(features.shape),
    }


def _run_child(spec: dict, flag: str = "--child") -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    # The spec (10,000 paths at --n 10000) goes through a file: a command line
    # that long exceeds the operating system's limit.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    try:
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), flag, fh.name],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    finally:
        os.unlink(fh.name)
    if proc.returncode:
        raise RuntimeError(f"child {spec['mode']} n={spec['n']} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def feature_rows(paths: list[str], folder: str, sizes: list[int]) -> list[dict]:
    """Paths vs arrays for each feature, each N in ``sizes``, one process per run."""
    import pickle

    rows = []
    for name, label in FEATURES.items():
        model = os.path.join(folder, f"{name}.pkl")
        with open(model, "wb") as fh:
            pickle.dump(make_extractor(name, paths[:100]), fh)
        for n in sizes:
            result = {}
            for mode in ("arrays", "paths"):
                spec = {"model": model, "paths": paths, "n": n, "mode": mode}
                result[mode] = _run_child(spec)
            arrays, by_path = result["arrays"], result["paths"]
            rows.append(
                {
                    "features": label,
                    "N": n,
                    "arrays img/s": n / arrays["seconds"],
                    "paths img/s": n / by_path["seconds"],
                    "paths/arrays time": by_path["seconds"] / arrays["seconds"],
                    "arrays peak RSS (MiB)": arrays["peak_mib"],
                    "paths peak RSS (MiB)": by_path["peak_mib"],
                    "output (MiB)": by_path["output_mib"],
                    "path input": "native" if by_path["native"] else "imread batches",
                    "same features": bool(
                        np.isclose(arrays["checksum"], by_path["checksum"], rtol=1e-4)
                    ),
                }
            )
    return rows


# ------------------------------------------------------------------ varied size
def varied_transformers() -> dict:
    """``{row name: (factory, needs_y)}``: every feature transformer."""
    from skcv.feature import (
        BagOfVisualWords,
        CannyEdgeDetector,
        FilterBankExtractor,
        GISTExtractor,
        TextonEncoder,
    )

    return {
        "GISTExtractor": (lambda: GISTExtractor(image_size=FEATURE_SIZE), False),
        "BagOfVisualWords": (
            lambda: BagOfVisualWords(n_words=50, max_descriptors=5000, random_state=0),
            False,
        ),
        "FilterBankExtractor": (lambda: FilterBankExtractor(), False),
        "TextonEncoder": (lambda: TextonEncoder(random_state=0), True),
        "CannyEdgeDetector": (lambda: CannyEdgeDetector(), False),
    }


# channels of the varied-size images: 1 (grey) until every transformer accepts a
# list mixing grey and colour; then None keeps each file's own (one-line switch).
VARIED_CHANNELS = 1


def varied_rows(folder: str, m: int) -> list[dict]:
    """Per-image cost on varied sizes (every 5th file grey) vs one size."""
    paths = write_jpegs(os.path.join(folder, "varied"), m, varied=True, grey_every=5)
    varied = imread_collection(paths, channels=VARIED_CHANNELS)
    one = imread_collection(paths, channels=VARIED_CHANNELS or 3, size=SIZE)
    y = np.arange(m) % 2
    rows = []
    for name, (factory, needs_y) in varied_transformers().items():
        times = {}
        for label, X in (("one size", one), ("varied", varied)):
            try:
                est = factory().fit(X, y) if needs_y else factory().fit(X)
                _, seconds, _ = measure(est.transform, X)
            except ValueError as exc:  # e.g. "needs images of one size"
                times[label] = str(exc).split(", but ")[-1][:60]
            else:
                times[label] = seconds / m
        if all(isinstance(t, float) for t in times.values()):
            cells = {
                "one size ms/img": 1e3 * times["one size"],
                "varied ms/img": 1e3 * times["varied"],
                "varied/one": times["varied"] / times["one size"],
            }
        else:
            cells = {
                k: (t if isinstance(t, str) else 1e3 * t) for k, t in times.items()
            }
            cells = {f"{k} ms/img": v for k, v in cells.items()}
            cells["varied/one"] = "n/a"
        rows.append({"transformer": name, **cells})
    sizes = sorted({im.shape[:2] for im in varied})
    print(f"\n{m} images, {len(sizes)} distinct sizes, one size = {SIZE}x{SIZE}")
    return rows


# ------------------------------------------------------------------------- CNN
CNN_SIDE = 32  # the 256x256 files are brought to 32x32 by the size policy
CNN_EPOCHS = 3  # epoch time = the fastest of epochs 2.. (epoch 1 warms up)
CNN_WORKERS = (0, 1, 2)


CNN_MODULE = "lenet5"  # --cnn-module: a small network is the worst case for files


def _cnn_params(
    n_workers: int, paths: bool, module: str = CNN_MODULE, cache="auto"
) -> dict:
    params = dict(
        module=module,
        epochs=CNN_EPOCHS,
        batch_size=64,
        device="cpu",
        random_state=0,
        num_workers=n_workers,
        file_cache=cache,
    )
    if paths:  # the size policy decodes each file straight to 32x32
        params.update(image_size=CNN_SIDE, resize="stretch")
    return params


def _cnn_child(spec: dict) -> dict:
    """One CNNClassifier fit in this (fresh) process: epoch time and peak RSS."""
    from skcv.cnn import CNNClassifier

    paths = spec["paths"][: spec["n"]]
    y = np.arange(len(paths)) % len(PHOTOS)  # the source photograph is the class
    module = spec["module"]
    warm = np.zeros((16, CNN_SIDE, CNN_SIDE, 3), np.float32)  # first-call setup
    CNNClassifier(**{**_cnn_params(0, False, module), "epochs": 1}).fit(
        warm, np.arange(16) % 2
    )
    t0 = time.perf_counter()
    if spec["mode"] == "arrays":  # the in-memory array a user would hold
        X = imread_collection(paths, size=CNN_SIDE)
        decode_s = time.perf_counter() - t0
        clf = CNNClassifier(**_cnn_params(0, False, module))
    else:
        X, decode_s = list(paths), 0.0
        clf = CNNClassifier(**_cnn_params(spec["workers"], True, module, spec["cache"]))

    def cpu():  # this process and its finished children (the DataLoader workers)
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0 = cpu()
    clf.fit(X, y)
    cpu_s = cpu() - c0
    fit_s = time.perf_counter() - t0
    epochs = [h["seconds"] for h in clf.history_]
    return {
        "cpu_per_epoch_s": cpu_s / len(epochs),
        "epoch_s": min(epochs[1:]),
        "first_epoch_s": epochs[0],
        "fit_s": fit_s,
        "setup_s": fit_s - sum(epochs) - decode_s,
        "decode_s": decode_s,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "loss": clf.loss_curve_[-1],
    }


def cnn_rows(paths: list[str], sizes: list[int], module: str = CNN_MODULE):
    """CNNClassifier (LeNet-5, CPU) from files (0/1/2 workers) vs from an array.

    Each fit runs in a fresh process, so its peak RSS (``ru_maxrss``) is its own
    (DataLoader workers: the largest of them, in its own column). "epoch" is the
    fastest of epochs 2 to ``CNN_EPOCHS`` (history_ ``seconds``): with the
    default ``file_cache="auto"`` those epochs read the decode cache that the
    first epoch wrote (the "first epoch" column decodes every file); the last
    row turns the cache off. "fit" adds the array decode (arrays) or the header
    pass and the statistics sample (paths).
    """
    rows = []
    for n in sizes:
        modes = [("arrays", 0, False)] + [("paths", w, "auto") for w in CNN_WORKERS]
        modes.append(("paths", 1, False))
        results = {}
        for mode, workers, cache in modes:
            spec = {
                "paths": paths,
                "n": n,
                "mode": mode,
                "workers": workers,
                "module": module,
                "cache": cache,
            }
            results[mode, workers, cache] = _run_child(spec, "--cnn-child")
        base = results["arrays", 0, False]
        for (mode, workers, cache), r in results.items():
            label = "array (decoded first)"
            if mode == "paths":
                label = f"paths, num_workers={workers}"
                label += "" if cache else ", file_cache=False"
            rows.append(
                {
                    "N": n,
                    "input": label,
                    "first epoch (s)": r["first_epoch_s"],
                    "epoch (s)": r["epoch_s"],
                    "epoch / array epoch": r["epoch_s"] / base["epoch_s"],
                    "CPU s / epoch": r["cpu_per_epoch_s"],
                    "CPU / array CPU": r["cpu_per_epoch_s"] / base["cpu_per_epoch_s"],
                    "fit incl. decode (s)": r["fit_s"],
                    "peak RSS (MiB)": r["peak_mib"],
                    "worker peak RSS (MiB)": r["worker_mib"] if workers else 0.0,
                }
            )
    return rows


# ------------------------------------------------------------------------ main
TABLES = ("decode", "features", "varied", "cnn")


def main(argv=None) -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=500, help="JPEG files written (500)")
    p.add_argument(
        "--tables",
        default="decode,features,varied,cnn",
        help=f"comma-separated subset of {','.join(TABLES)}",
    )
    p.add_argument(
        "--cnn-module",
        default=CNN_MODULE,
        help=f"network of the cnn rows ({CNN_MODULE})",
    )
    p.add_argument(
        "--cnn-file-size",
        type=int,
        default=SIZE,
        help=f"side of the JPEGs of the cnn rows ({SIZE}; 32: CIFAR-sized files)",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--cnn-child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for flag, run in ((args.child, _child), (args.cnn_child, _cnn_child)):
        if flag:  # a child process: its spec is a JSON file (see _run_child)
            with open(flag) as fh:
                print(json.dumps(run(json.load(fh))))
            return
    tables = [t for t in args.tables.split(",") if t]
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        p.error(f"--tables: unknown {unknown}; choose from {TABLES}")
    n = min(args.n, 100) if args.quick else args.n
    print(f"# bench_io: {n} JPEGs, {SIZE}x{SIZE}\n\n{machine_line()}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="skcv_bench_io_") as folder:
        t0 = time.perf_counter()
        paths = write_jpegs(os.path.join(folder, "one"), n)
        print(f"wrote {n} JPEGs in {time.perf_counter() - t0:.1f} s")
        if "decode" in tables:
            print("\n## Decode throughput (best of rounds, results discarded)\n")
            print(markdown_table(decode_rows(paths, 2 if args.quick else 5)))
        if "features" in tables:
            sizes = sorted({max(1, n // 10), n})
            print("\n## Feature extraction: paths vs in-memory array")
            print("(one fresh process per row; peak RSS = ru_maxrss of that process)\n")
            print(markdown_table(feature_rows(paths, folder, sizes)))
        if "varied" in tables:
            print("\n## Varied sizes vs one size (per-image cost)")
            rows = varied_rows(folder, 8 if args.quick else 40)
            print(markdown_table(rows))
        if "cnn" in tables:
            print(
                f"\n## CNN epoch (CPU, {args.cnn_module}, {CNN_SIDE}x{CNN_SIDE}): "
                "files streamed by the DataLoader vs an in-memory array"
            )
            print(
                "(one fresh process per row; peak RSS = ru_maxrss of that process; "
                "CPU = main process + DataLoader workers, setup included)\n"
            )
            cnn_paths = paths
            if args.cnn_file_size != SIZE:
                side = args.cnn_file_size
                print(f"({n} more JPEGs, {side}x{side}, for these rows)\n")
                cnn_paths = write_jpegs(os.path.join(folder, "cnn"), n, size=side)
            else:
                print(f"({SIZE}x{SIZE} files, decoded to 32x32 by the size policy)\n")
            sizes = sorted({max(1, n // 10), n})
            print(markdown_table(cnn_rows(cnn_paths, sizes, args.cnn_module)))
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
