"""Coarse-to-fine hyperparameter search: random search, then a narrowed grid."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import qmc
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, ParameterSampler, cross_validate
from sklearn.utils import check_random_state

from skcv.utils._sklearn import BaseSearchCV, Interval, StrOptions

__all__ = ["CoarseToFineSearchCV"]

# scipy.stats distributions whose support is best refined on a geometric grid.
_LOG_DISTRIBUTIONS = frozenset({"loguniform", "reciprocal", "lognorm"})


def _is_distribution(spec) -> bool:
    return hasattr(spec, "rvs")


def _is_log_distribution(spec) -> bool:
    return getattr(getattr(spec, "dist", None), "name", None) in _LOG_DISTRIBUTIONS


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _same(a, b) -> bool:
    """Identity or scalar equality, without ever asking numpy for truth of arrays."""
    if a is b:
        return True
    try:
        return bool(type(a) is type(b) and a == b)
    except (TypeError, ValueError):
        return False


def _to_python(value):
    """Numpy scalars to Python scalars so ``best_params_`` prints cleanly."""
    return value.item() if isinstance(value, np.generic) else value


def _check_param_distributions(param_distributions) -> None:
    if not isinstance(param_distributions, Mapping) or not param_distributions:
        raise ValueError(
            "param_distributions must be a non-empty dict mapping parameter names "
            f"to distributions or lists; got {param_distributions!r}."
        )
    for name, spec in param_distributions.items():
        if not isinstance(name, str):
            raise TypeError(
                "param_distributions keys must be parameter names (str); got "
                f"{name!r} ({type(name).__name__})."
            )
        if _is_distribution(spec):
            continue
        if isinstance(spec, str) or not isinstance(spec, Sequence | np.ndarray):
            raise TypeError(
                f"param_distributions[{name!r}] must be a scipy.stats distribution "
                "(an object with an rvs method) or a list of values; got "
                f"{spec!r} ({type(spec).__name__})."
            )
        if len(spec) == 0:
            raise ValueError(
                f"param_distributions[{name!r}] must be a non-empty list of values; "
                "got an empty list."
            )


def _narrow(spec, top_values: list, n_fine: int) -> list:
    """Values of one parameter for the fine grid, from its top-k coarse values.

    * continuous distribution: ``n_fine`` points spanning ``[min, max]`` of the top-k
      values, geometric for log-type distributions (loguniform), linear otherwise;
      integer-valued parameters are rounded and deduplicated;
    * list of numbers: the listed values inside ``[min, max]`` (at most ``n_fine``,
      evenly picked, always keeping both ends);
    * list of anything else (categories): the listed values that occur in the top k.
    """
    if _is_distribution(spec):
        if not all(_is_number(v) for v in top_values):
            return _categorical(top_values, top_values)
        lo, hi = min(top_values), max(top_values)
        if lo == hi:
            return [_to_python(lo)]
        if _is_log_distribution(spec) and lo > 0:
            grid = np.geomspace(lo, hi, n_fine)
        else:
            grid = np.linspace(lo, hi, n_fine)
        grid[0], grid[-1] = lo, hi  # exactly the coarse end points
        if all(isinstance(v, numbers.Integral) for v in top_values):
            grid = np.unique(np.round(grid).astype(np.int64))
        return [_to_python(v) for v in grid]
    options = list(spec)
    if all(_is_number(v) for v in options):
        lo, hi = min(top_values), max(top_values)
        inside = sorted({_to_python(v) for v in options if lo <= v <= hi})
        if len(inside) > n_fine:
            keep = np.unique(np.round(np.linspace(0, len(inside) - 1, n_fine)))
            inside = [inside[int(i)] for i in keep]
        return inside
    return _categorical(options, top_values)


def _latin_hypercube(param_distributions: dict, n: int, rng) -> list[dict]:
    """``n`` configurations stratified in every parameter (Latin hypercube).

    Each parameter's range is cut into ``n`` slices of equal probability and every
    slice is sampled once, in a random pairing across parameters: unlike plain
    random sampling, no part of any one range is left out by chance. Distributions
    map the uniform draws through their quantile function ``ppf`` (so
    ``loguniform`` gives equal slices in log space); lists are indexed; a
    distribution without ``ppf`` falls back to its ``rvs``.
    """
    names = sorted(param_distributions)
    seed = int(rng.randint(np.iinfo(np.int32).max))
    try:
        sampler = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 names it seed
        sampler = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed))
    u = sampler.random(n)
    columns = {}
    for j, name in enumerate(names):
        spec = param_distributions[name]
        if _is_distribution(spec):
            if hasattr(spec, "ppf"):
                values = spec.ppf(u[:, j])
                if hasattr(getattr(spec, "dist", None), "pmf"):  # discrete
                    values = values.astype(np.int64)
            else:
                values = spec.rvs(size=n, random_state=rng)
            columns[name] = [_to_python(v) for v in np.asarray(values)]
        else:
            options = list(spec)
            idx = np.minimum((u[:, j] * len(options)).astype(int), len(options) - 1)
            columns[name] = [options[i] for i in idx]
    return [{name: columns[name][i] for name in names} for i in range(n)]


def _categorical(options: list, top_values: list) -> list:
    kept = []
    for option in options:
        if any(_same(option, v) for v in top_values) and not any(
            _same(option, k) for k in kept
        ):
            kept.append(option)
    return kept


class CoarseToFineSearchCV(BaseSearchCV):
    """Coarse-to-fine hyperparameter search: cheap random search, then a fine grid.

    The strategy the course recommends for tuning a classifier: first sample many
    configurations at random over wide ranges (scale parameters such as the
    regularisation strength ``alpha`` or the learning rate sampled in log space,
    e.g. with :func:`scipy.stats.loguniform`) and train each with a small budget
    (``coarse_params``, e.g. ``{"max_iter": 1}``: "train one epoch"); then shrink
    every numeric range to the span of the ``top_k`` best coarse configurations and
    evaluate a grid on the narrowed ranges with the full budget.

    It has the result API of :class:`sklearn.model_selection.GridSearchCV`
    (``best_params_``, ``best_score_``, ``best_estimator_``, ``cv_results_``,
    ``predict``, ``score``, ...) and works with any scikit-learn estimator or
    :class:`~sklearn.pipeline.Pipeline` (use ``step__param`` names).

    Parameters
    ----------
    estimator : estimator object
        The estimator (or pipeline) to tune. It is cloned for every fit.

    param_distributions : dict
        Parameter names mapped to either a scipy.stats distribution (any object
        with an ``rvs`` method; use :func:`scipy.stats.loguniform` for scale
        parameters) or a list of values (sampled uniformly). Numeric parameters are
        narrowed between the stages; lists of other values (categories) keep the
        values that occur in the ``top_k`` coarse configurations.

    n_coarse : int, default=20
        Number of random configurations of the coarse stage.

    coarse_params : dict or None, default=None
        Parameters set on the estimator during the coarse stage only, to make it
        cheap, e.g. ``{"max_iter": 10}`` (a few epochs) or ``{"clf__max_iter": 10}``
        in a pipeline. The cheap budget must still rank configurations roughly as
        the full one does; a few percent of the full budget is a safer choice than
        a single epoch.
        They must not be keys of ``param_distributions``. With ``None`` the coarse
        stage uses the full budget, and its configurations compete for
        ``best_params_`` with the fine ones.

    top_k : int, default=5
        Number of best coarse configurations (by mean cross-validated score) whose
        span defines the narrowed ranges. Must not exceed ``n_coarse``.

    n_fine_per_param : int, default=3
        Grid points per numeric parameter in the fine stage (at least 2). The fine
        stage evaluates at most ``n_fine_per_param ** n_numeric_params`` times the
        number of kept categories.

    sampling : {"lhs", "random"}, default="lhs"
        How the coarse stage draws its configurations. ``"lhs"`` (Latin
        hypercube): every parameter's range is cut into ``n_coarse`` slices of
        equal probability (equal width in log space for ``loguniform``) and each
        slice is sampled exactly once, so a small coarse budget cannot leave part
        of a range unexplored by chance. ``"random"``: independent draws, as
        :class:`~sklearn.model_selection.RandomizedSearchCV` does. Both are random
        search in the sense of Bergstra and Bengio: no grid aligns the values of
        different parameters.

    cv : int, cross-validation generator or iterable, default=None
        Cross-validation strategy as in :class:`~sklearn.model_selection.GridSearchCV`
        (``None`` is 5-fold, stratified for classifiers). Both stages use the same
        splits when the splitter is deterministic.

    scoring : str, callable, list, tuple or dict, default=None
        Scoring as in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` names the one that ranks the coarse configurations.

    n_jobs : int, default=None
        Number of fits run in parallel through joblib (``None`` is 1 unless in a
        :func:`joblib.parallel_backend` context, e.g. Dask or Ray; ``-1`` uses all
        processors).

    refit : bool, str or callable, default=True
        Refit the best configuration on the whole data, as in
        :class:`~sklearn.model_selection.GridSearchCV`. With ``coarse_params``, the
        best configuration is chosen among the full-budget (fine) candidates only.

    random_state : int, RandomState instance or None, default=None
        Seeds the coarse sampling. An int makes the search deterministic (given a
        deterministic estimator and splitter).

    verbose : int, default=0
        Verbosity: >0 prints the number of fits per stage and the narrowed grid.

    pre_dispatch : int or str, default="2*n_jobs"
        Number of jobs dispatched during parallel execution (see joblib).

    error_score : "raise" or float, default=np.nan
        Score given to a failed fit, or ``"raise"`` to raise its error. Coarse
        configurations with a non-finite mean score are never in the top k.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, one entry per
        evaluated configuration (coarse ones first), plus a ``"stage"`` column
        holding ``"coarse"`` or ``"fine"``. Coarse ``params`` include
        ``coarse_params``.

    best_estimator_ : estimator
        The estimator refitted on the whole data with ``best_params_`` (full
        budget). Only with ``refit`` set.

    best_score_ : float
        Mean cross-validated score of ``best_params_``.

    best_params_ : dict
        The best full-budget configuration.

    best_index_ : int
        Index of ``best_params_`` in ``cv_results_``.

    fine_param_grid_ : dict
        The narrowed grid evaluated in the fine stage.

    scorer_ : function or dict
        The scorer(s) used.

    n_splits_ : int
        Number of cross-validation splits.

    refit_time_ : float
        Seconds spent refitting the best configuration.

    multimetric_ : bool
        Whether several scorers were used.

    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers, with ``refit``).

    n_features_in_ : int
        Number of features seen during fit (with ``refit``).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when the best estimator records them.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : Exhaustive search over a grid.
    sklearn.model_selection.RandomizedSearchCV : Random search only.
    sklearn.model_selection.HalvingRandomSearchCV : Successive halving of the budget.

    Notes
    -----
    The course's recipe for hyperparameter search, step by step:

    1. Cross-validate on the training data only; the test set is used once, at
       the end.
    2. Coarse stage: sample ``n_coarse`` configurations at random (random search
       covers the important dimensions better than a grid of the same size;
       Latin-hypercube sampling [3]_ also spreads them evenly over each range);
       sample scale parameters in log space (``loguniform``) because their effect
       is multiplicative. Train each with a cheap budget (``coarse_params``, a few
       epochs): bad learning rates and regularisation strengths show up early.
    3. Rank the coarse configurations by mean validation score and keep the
       ``top_k``. For every numeric parameter, the new range is the span
       ``[min, max]`` of its values among them.
    4. Fine stage: a grid of ``n_fine_per_param`` points per numeric parameter on
       the narrowed ranges (geometric for log-type distributions), trained with
       the full budget.
    5. The best full-budget configuration is refitted on all the training data.

    If the best value sits at the edge of a narrowed range, the original range may
    be too small: widen it and search again.

    References
    ----------
    .. [1] J. Bergstra and Y. Bengio, "Random search for hyper-parameter
       optimization", Journal of Machine Learning Research, 13, pp. 281-305, 2012.
    .. [2] A. Karpathy, F.-F. Li et al., "CS231n: Neural networks part 3, learning
       and evaluation: hyperparameter optimization", Stanford University course
       notes. https://cs231n.github.io/neural-networks-3/#hyper
    .. [3] M. D. McKay, R. J. Beckman and W. J. Conover, "A comparison of three
       methods for selecting values of input variables in the analysis of output
       from a computer code", Technometrics, 21(2), pp. 239-245, 1979.
       :doi:`10.1080/00401706.1979.10489755`

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import SGDClassifier
    >>> from skcv.model_selection import CoarseToFineSearchCV
    >>> X, y = load_digits(return_X_y=True)
    >>> search = CoarseToFineSearchCV(
    ...     SGDClassifier(learning_rate="constant", random_state=0),
    ...     {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-4, 1e-1)},
    ...     n_coarse=8, top_k=3, n_fine_per_param=2,
    ...     coarse_params={"max_iter": 1, "tol": None}, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> [int((search.cv_results_["stage"] == s).sum()) for s in ("coarse", "fine")]
    [8, 4]
    >>> sorted(search.best_params_)
    ['alpha', 'eta0']
    >>> bool(search.best_score_ > 0.85)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict],
        "n_coarse": [Interval(numbers.Integral, 1, None, closed="left")],
        "coarse_params": [dict, None],
        "top_k": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_fine_per_param": [Interval(numbers.Integral, 2, None, closed="left")],
        "sampling": [StrOptions({"lhs", "random"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_coarse=20,
        coarse_params=None,
        top_k=5,
        n_fine_per_param=3,
        sampling="lhs",
        cv=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        random_state=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_coarse = n_coarse
        self.coarse_params = coarse_params
        self.top_k = top_k
        self.n_fine_per_param = n_fine_per_param
        self.sampling = sampling
        self.random_state = random_state

    def fit(self, X, y=None, **params):
        """Run the coarse stage, narrow the ranges, run the fine stage, refit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or list of images
            Training data, passed unchanged to the estimator.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; ``None`` for unsupervised estimators.

        **params : dict
            Parameters passed to the estimator's ``fit``, the scorer and the
            splitter, as in :meth:`sklearn.model_selection.GridSearchCV.fit`.

        Returns
        -------
        self : CoarseToFineSearchCV
            The fitted search.
        """
        self._validate_params()
        self._check_search_inputs(X, y)
        self._fit_inputs = (X, y, params)  # to replay a failure (_run_search)
        try:
            return super().fit(X, y, **params)
        finally:
            del self._fit_inputs

    def _raise_first_failure(self, params: dict) -> None:
        """Replay the cross-validation of one configuration with errors raised.

        Called when no coarse configuration got a finite score: a failing fit or
        scorer (NaN in X, a bad parameter value) then raises its own error, as
        :class:`~sklearn.model_selection.GridSearchCV` reports it.
        """
        X, y, fit_params = self._fit_inputs
        if not (
            self.cv is None or isinstance(self.cv, int) or hasattr(self.cv, "split")
        ):
            return  # an iterable of splits may be used up: nothing to replay
        fit_params = dict(fit_params)
        groups = fit_params.pop("groups", None)
        try:
            cross_validate(
                clone(self.estimator).set_params(**params),
                X,
                y,
                groups=groups,
                scoring=self.scoring,
                cv=self.cv,
                params=fit_params or None,
                error_score="raise",
            )
        except Exception as exc:
            if hasattr(exc, "add_note"):  # Python >= 3.11
                exc.add_note(
                    "CoarseToFineSearchCV: every coarse configuration failed; this "
                    f"is the error of the first one, {params}."
                )
            raise

    def _check_search_inputs(self, X, y):
        if hasattr(X, "shape"):
            n_samples = X.shape[0]
        elif hasattr(X, "__len__"):
            n_samples = len(X)
        else:
            n_samples = np.asarray(X).shape[0]
        if n_samples == 0:
            raise ValueError(
                "Found array with 0 sample(s) (X is empty); CoarseToFineSearchCV "
                "needs at least one sample per cross-validation split."
            )
        if y is not None:
            y_values = np.asarray(y)
            if y_values.dtype.kind in "fc" and not np.isfinite(y_values).all():
                kind = "NaN" if np.isnan(y_values).any() else "infinity"
                raise ValueError(
                    f"Input y contains {kind}; CoarseToFineSearchCV needs finite "
                    "targets."
                )
        _check_param_distributions(self.param_distributions)
        coarse = self.coarse_params or {}
        overlap = sorted(set(coarse) & set(self.param_distributions))
        if overlap:
            raise ValueError(
                "coarse_params must not set parameters that are searched; "
                f"{overlap} are in both coarse_params and param_distributions."
            )
        if self.top_k > self.n_coarse:
            raise ValueError(
                f"top_k must be at most n_coarse={self.n_coarse}; got "
                f"top_k={self.top_k}."
            )

    def _ranking_metric(self, results) -> str:
        names = sorted(
            k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
        )
        if len(names) == 1:
            return names[0]
        if isinstance(self.refit, str) and self.refit in names:
            return self.refit
        raise ValueError(
            "With several scorers, refit must name the scorer that ranks the coarse "
            f"configurations, one of {names}; got refit={self.refit!r}."
        )

    def _run_search(self, evaluate_candidates):
        """Evaluate the coarse random sample, then the grid on the narrowed ranges."""
        rng = check_random_state(self.random_state)
        coarse_params = dict(self.coarse_params or {})
        if self.sampling == "lhs":
            sampled = _latin_hypercube(self.param_distributions, self.n_coarse, rng)
        else:
            sampled = [
                {k: _to_python(v) for k, v in p.items()}
                for p in ParameterSampler(
                    self.param_distributions, self.n_coarse, random_state=rng
                )
            ]
        if self.verbose > 0:
            print(
                "[CoarseToFineSearchCV] coarse stage with "
                f"{coarse_params or 'the full budget'}"
            )
        results = evaluate_candidates(
            [{**p, **coarse_params} for p in sampled],
            more_results={"stage": ["coarse"] * len(sampled)},
        )

        metric = self._ranking_metric(results)
        scores = np.asarray(results[f"mean_test_{metric}"][: len(sampled)], dtype=float)
        finite = np.flatnonzero(np.isfinite(scores))
        if finite.size == 0:
            self._raise_first_failure({**sampled[0], **coarse_params})
            raise ValueError(
                "Every coarse configuration got a non-finite score, so no range can "
                "be narrowed; the first one, cross-validated again with "
                "error_score='raise', raised no error: check the scorer and the data."
            )
        # Stable sort: ties keep sampling order, so the search is deterministic.
        top = finite[np.argsort(-scores[finite], kind="stable")][: self.top_k]
        grid = {
            name: _narrow(spec, [sampled[i][name] for i in top], self.n_fine_per_param)
            for name, spec in self.param_distributions.items()
        }
        self.fine_param_grid_ = grid

        fine = list(ParameterGrid(grid))
        if not coarse_params:
            # Same budget: a configuration evaluated already need not run again.
            fine = [p for p in fine if not any(p == q for q in sampled)]
        if self.verbose > 0:
            print(f"[CoarseToFineSearchCV] fine grid (top {len(top)}): {grid}")
        if fine:
            evaluate_candidates(fine, more_results={"stage": ["fine"] * len(fine)})

    def _select_best_index(self, refit, refit_metric, results):
        """Best full-budget configuration (fine stage only when coarse_params)."""
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        ranks = np.asarray(results[f"rank_test_{refit_metric}"])
        eligible = np.ones(len(ranks), dtype=bool)
        if self.coarse_params:
            eligible = np.asarray(results["stage"]) == "fine"
        candidates = np.flatnonzero(eligible)
        return int(candidates[np.argmin(ranks[candidates])])
