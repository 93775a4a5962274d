"""
Optimiser paths: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam
================================================================

:func:`skcv.optimize.minimize` runs the optimisers that train skcv's linear
classifiers and MLP on any function given with its gradient, and
:class:`skcv.optimize.OptimizerPathDisplay` draws their paths over its contours.

Left: an ill-conditioned quadratic ``0.5 (x1^2 + 20 x2^2)``, all solvers from
the same point. Plain gradient descent must take steps small enough for the
steep direction and crawls along the flat one; momentum (same rate) gathers
speed along the valley and needs about three times fewer iterations, Nesterov
fewer still; AdaGrad and RMSProp rescale each coordinate, so they head
straight for the minimum; Adam does both. Right: Rosenbrock's banana, whose
curved valley floor is nearly flat: momentum, Nesterov and Adam follow it to
the minimum, while plain gradient descent, AdaGrad (whose steps only shrink)
and RMSProp (at these rates) are still on the valley floor after 3,000
iterations.
"""

import matplotlib.pyplot as plt

from skcv.optimize import OptimizerPathDisplay, quadratic, rosenbrock
from skcv.plot._save import save_example_figures

fig, (ax_q, ax_r) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
quad = OptimizerPathDisplay.from_function(
    quadratic,
    [-4.0, 1.5],
    learning_rate={
        "sgd": 0.02,
        "momentum": 0.02,
        "nesterov": 0.02,
        "adagrad": 0.5,
        "rmsprop": 0.05,
        "adam": 0.2,
    },
    max_iter=1000,
    minimum=[0, 0],
    ax=ax_q,
)
ax_q.set_title("ill-conditioned quadratic (condition number 20)")
rosen = OptimizerPathDisplay.from_function(
    rosenbrock,
    [-1.2, 1.0],
    learning_rate={
        "sgd": 1e-3,
        "momentum": 1e-3,
        "nesterov": 1e-3,
        "adagrad": 0.5,
        "rmsprop": 0.01,
        "adam": 0.05,
    },
    max_iter=3000,
    tol=1e-4,
    minimum=[1, 1],
    ax=ax_r,
)
ax_r.set_title("Rosenbrock")
for name, disp in (("quadratic", quad), ("rosenbrock", rosen)):
    for solver, res in disp.results.items():
        print(f"{name:10s} {solver:9s} {res.nit:5d} iterations, f = {res.fun:.2e}")

# %%
# Save the figures (next to where the example is run, or in ``--output-dir``).
save_example_figures("plot_optimizer_paths")
