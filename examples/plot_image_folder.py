"""
Your own images: train on a folder of files
===========================================

Most image collections are folders of files, one subfolder per class. This example

1. writes such a folder into a temporary directory: random crops of four colour
   photographs bundled with scikit-image (the photograph is the class), saved as
   JPEG and PNG in varied sizes, a few in grey, plus a text file and a hidden file
   that the loader must ignore;
2. lists it with :func:`skcv.datasets.load_image_folder` (paths and labels only),
   splits the paths, and reads each split with :func:`skcv.io.imread_collection`
   at one size;
3. trains GIST + a linear classifier, predicts the held-out files and shows the
   mistakes with their file names.

Run::

    MPLBACKEND=Agg python examples/plot_image_folder.py
"""

import os
import shutil
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from skimage import data
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcv.datasets import load_image_folder
from skcv.feature import GISTExtractor
from skcv.io import imread, imread_collection
from skcv.plot._save import save_example_figures

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")
PER_CLASS = 30
SIZE = 96  # every file is read at SIZE x SIZE (centre crop keeps the aspect ratio)

# %%
# 1. Write a folder the way a camera or a download would leave it.
rng = np.random.default_rng(0)
root = tempfile.mkdtemp(prefix="skcv_folder_")
for name in PHOTOS:
    photo = getattr(data, name)()
    os.makedirs(os.path.join(root, name))
    for i in range(PER_CLASS):
        h, w = rng.integers(80, 200, size=2)
        r = rng.integers(0, photo.shape[0] - h)
        c = rng.integers(0, photo.shape[1] - w)
        crop = Image.fromarray(photo[r : r + h, c : c + w])
        if i % 10 == 9:
            crop = crop.convert("L")  # a few grey files among the colour ones
        suffix = ".png" if i % 4 == 0 else ".jpg"
        crop.save(os.path.join(root, name, f"img_{i:03d}{suffix}"))
with open(os.path.join(root, "coffee", "notes.txt"), "w") as fh:
    fh.write("not an image\n")
open(os.path.join(root, "rocket", ".DS_Store"), "wb").close()

# %%
# 2. List the folder: paths and labels, nothing decoded yet.
folder = load_image_folder(root)
print(folder.DESCR)
print("first files:", [os.path.relpath(f, root) for f in folder.filenames[:3]])

paths_train, paths_test, y_train, y_test = train_test_split(
    folder.filenames,
    folder.target,
    test_size=0.3,
    stratify=folder.target,
    random_state=0,
)
# One size, three channels (the grey files are replicated), one array per split.
X_train = imread_collection(paths_train, size=SIZE, resize="crop", channels=3)
X_test = imread_collection(paths_test, size=SIZE, resize="crop", channels=3)
print("train array:", X_train.shape, X_train.dtype)

# %%
# 3. Train, predict, and look at the mistakes.
model = make_pipeline(
    GISTExtractor(image_size=SIZE, color=True),
    StandardScaler(),
    LogisticRegression(C=0.1, max_iter=2000),
)
model.fit(X_train, y_train)
predicted = model.predict(X_test)
accuracy = accuracy_score(y_test, predicted)
print(f"test accuracy: {accuracy:.3f} on {len(y_test)} files")

wrong = np.flatnonzero(predicted != y_test)
shown = wrong[:8] if len(wrong) else np.arange(min(4, len(y_test)))
n_cols = 4
n_rows = -(-len(shown) // n_cols)
fig, axes = plt.subplots(n_rows, n_cols, figsize=(9, 2.9 * n_rows), squeeze=False)
for ax in axes.ravel():
    ax.axis("off")
for ax, i in zip(axes.ravel(), shown, strict=False):
    image = imread(paths_test[i])  # the file as it is on disk
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None)
    ax.set_title(
        f"{os.path.basename(paths_test[i])}\ntrue {folder.target_names[y_test[i]]}"
        f"\npred {folder.target_names[predicted[i]]}",
        fontsize=8,
    )
title = "mistakes" if len(wrong) else "no mistakes; some predictions"
fig.suptitle(f"GIST + logistic regression, accuracy {accuracy:.2f}: {title}")
fig.tight_layout()
shutil.rmtree(root)  # the temporary folder of images

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_image_folder")
