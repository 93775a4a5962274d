import numpy as np
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import (
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skcv.model_selection import CoarseToFineSearchCV
from skcv.model_selection._coarse_to_fine import _latin_hypercube, _narrow

COARSE = {"max_iter": 1, "tol": None}  # one epoch, no convergence warning


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    idx = np.random.RandomState(0).permutation(len(X))[:300]
    return X[idx] / 16.0, y[idx]


def _sgd():
    return SGDClassifier(learning_rate="constant", random_state=0)


SGD_SPACE = {"alpha": loguniform(1e-6, 1e-1), "eta0": loguniform(1e-4, 1e-1)}


def _search(**kwargs):
    params = dict(
        n_coarse=6,
        top_k=3,
        n_fine_per_param=3,
        coarse_params=COARSE,
        cv=3,
        random_state=0,
    )
    params.update(kwargs)
    space = params.pop("param_distributions", SGD_SPACE)
    return CoarseToFineSearchCV(_sgd(), space, **params)


def test_stages_and_narrowed_ranges(digits):
    X, y = digits
    search = _search().fit(X, y)
    res = search.cv_results_
    stage = res["stage"]
    assert list(stage[:6]) == ["coarse"] * 6
    assert list(stage[6:]) == ["fine"] * 9
    # Coarse rows carry the cheap budget, fine rows do not.
    assert all(p["max_iter"] == 1 for p in res["params"][:6])
    assert all("max_iter" not in p for p in res["params"][6:])
    # The narrowed range is the span of the 3 best coarse configurations...
    coarse_scores = res["mean_test_score"][:6]
    top = np.argsort(-coarse_scores, kind="stable")[:3]
    for name in ("alpha", "eta0"):
        values = [res["params"][i][name] for i in top]
        grid = search.fine_param_grid_[name]
        assert grid[0] == pytest.approx(min(values))
        assert grid[-1] == pytest.approx(max(values))
        # ... on a geometric grid, as loguniform is a scale distribution.
        ratios = np.diff(np.log(grid))
        np.testing.assert_allclose(ratios, ratios[0])
    fine_params = [{k: p[k] for k in ("alpha", "eta0")} for p in res["params"][6:]]
    assert len({tuple(sorted(p.items())) for p in fine_params}) == 9


def test_best_is_the_best_full_budget_candidate(digits):
    X, y = digits
    search = _search().fit(X, y)
    res = search.cv_results_
    fine = np.flatnonzero(res["stage"] == "fine")
    assert search.best_index_ in fine
    assert search.best_score_ == pytest.approx(res["mean_test_score"][fine].max())
    assert "max_iter" not in search.best_params_
    # The refitted estimator has the full budget and the best parameters.
    assert search.best_estimator_.max_iter == 1000
    assert search.best_estimator_.alpha == search.best_params_["alpha"]


def test_same_budget_competes_and_skips_duplicates(digits):
    X, y = digits
    tree = DecisionTreeClassifier(random_state=0)
    search = CoarseToFineSearchCV(
        tree,
        {"max_depth": [2, 4, 6, 8, 10], "min_samples_leaf": randint(1, 20)},
        n_coarse=8,
        top_k=3,
        n_fine_per_param=2,
        cv=3,
        random_state=0,
    ).fit(X, y)
    res = search.cv_results_
    keys = [tuple(sorted(p.items())) for p in res["params"]]
    assert len(keys) == len(set(keys))  # nothing evaluated twice
    assert search.best_score_ == pytest.approx(np.max(res["mean_test_score"]))
    # Integer distributions give integers; numeric lists keep listed values.
    assert all(isinstance(v, int) for v in search.fine_param_grid_["min_samples_leaf"])
    assert set(search.fine_param_grid_["max_depth"]) <= {2, 4, 6, 8, 10}


@pytest.mark.slow
def test_deterministic_with_random_state(digits):
    X, y = digits
    a = _search(random_state=3).fit(X, y)
    b = _search(random_state=3).fit(X, y)
    c = _search(random_state=4).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    assert a.best_params_ == b.best_params_
    assert a.cv_results_["params"] != c.cv_results_["params"]


@pytest.mark.slow
def test_result_api_and_delegation(digits):
    X, y = digits
    search = CoarseToFineSearchCV(
        LogisticRegression(max_iter=500),
        {"C": loguniform(1e-3, 1e2)},
        n_coarse=4,
        top_k=2,
        n_fine_per_param=2,
        coarse_params={"tol": 1e-1},
        cv=3,
        random_state=0,
    ).fit(X, y)
    best = search.best_estimator_
    np.testing.assert_array_equal(search.predict(X), best.predict(X))
    np.testing.assert_allclose(search.predict_proba(X), best.predict_proba(X))
    np.testing.assert_allclose(search.decision_function(X), best.decision_function(X))
    assert search.score(X, y) == pytest.approx(best.score(X, y))
    np.testing.assert_array_equal(search.classes_, np.unique(y))
    assert search.n_features_in_ == X.shape[1]
    for key in ("mean_test_score", "rank_test_score", "params", "param_C", "stage"):
        assert len(search.cv_results_[key]) == 6
    assert search.n_splits_ == 3 and search.refit_time_ >= 0


def test_pipeline_with_step_names(digits):
    X, y = digits
    pipe = Pipeline([("scale", StandardScaler()), ("clf", _sgd())])
    search = CoarseToFineSearchCV(
        pipe,
        {"clf__alpha": loguniform(1e-6, 1e-1), "clf__penalty": ["l2", "l1"]},
        n_coarse=6,
        top_k=3,
        n_fine_per_param=2,
        coarse_params={"clf__max_iter": 1, "clf__tol": None},
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert set(search.best_params_) == {"clf__alpha", "clf__penalty"}
    assert set(search.fine_param_grid_["clf__penalty"]) <= {"l2", "l1"}
    assert search.best_estimator_.named_steps["clf"].max_iter == 1000
    assert search.score(X, y) > 0.8


def test_regressor_and_linear_distribution():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = X @ [1.0, -2.0, 0.5] + 0.1 * rng.randn(60)
    search = CoarseToFineSearchCV(
        Ridge(), {"alpha": uniform(0, 10)}, n_coarse=5, top_k=2, cv=3, random_state=0
    ).fit(X, y)
    grid = search.fine_param_grid_["alpha"]
    np.testing.assert_allclose(np.diff(grid), np.diff(grid)[0])  # linear grid
    assert search.best_score_ > 0.9


def test_multimetric_ranks_by_refit(digits):
    X, y = digits
    scoring = {"acc": "accuracy", "bal": "balanced_accuracy"}
    search = _search(scoring=scoring, refit="bal").fit(X, y)
    assert "mean_test_bal" in search.cv_results_
    fine = search.cv_results_["stage"] == "fine"
    assert search.best_score_ == search.cv_results_["mean_test_bal"][fine].max()
    with pytest.raises(ValueError, match="refit must name the scorer"):
        _search(scoring=scoring, refit=False).fit(X, y)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
def test_failed_coarse_fits_never_in_top_k(digits):
    X, y = digits
    search = CoarseToFineSearchCV(
        LogisticRegression(max_iter=500),
        {"C": [-1.0, 0.001, 0.01, 0.1]},  # C=-1 fails
        n_coarse=4,
        top_k=4,
        n_fine_per_param=4,
        cv=3,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert -1.0 not in search.fine_param_grid_["C"]
    assert np.isfinite(search.best_score_)


def test_narrow_rules():
    # Log-type distribution: geometric; the ends are exactly the coarse values.
    assert _narrow(loguniform(1e-4, 1), [1e-3, 1e-1], 3) == pytest.approx(
        [1e-3, 1e-2, 1e-1]
    )
    # Linear distribution: linear.
    assert _narrow(uniform(0, 10), [2.0, 4.0], 3) == pytest.approx([2.0, 3.0, 4.0])
    # Integer distribution: rounded, deduplicated ints.
    assert _narrow(randint(1, 100), [3, 5], 5) == [3, 4, 5]
    # Same value everywhere: one point.
    assert _narrow(loguniform(1e-4, 1), [0.5, 0.5], 4) == [0.5]
    # Numeric list: listed values inside the span, at most n, ends kept.
    assert _narrow([1, 2, 3, 4, 5, 6, 7], [2, 6], 3) == [2, 4, 6]
    assert _narrow([1, 2, 3, 4, 5, 6, 7], [2, 6], 9) == [2, 3, 4, 5, 6]
    # Categories: those in the top k, in listed order; bools are categories.
    assert _narrow(["a", "b", "c"], ["c", "a", "c"], 3) == ["a", "c"]
    assert _narrow([True, False], [False], 3) == [False]


def test_matches_grid_search_when_grid_is_the_whole_list(digits):
    # top_k = n_coarse over a list space: the fine grid is the whole list, so the
    # result is GridSearchCV's.
    X, y = digits
    alphas = [0.01, 0.1, 1.0, 10.0]
    est = RidgeClassifier()
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(est, {"alpha": alphas}, cv=cv).fit(X, y)
    search = CoarseToFineSearchCV(
        est,
        {"alpha": alphas},
        n_coarse=4,
        top_k=4,
        n_fine_per_param=4,
        coarse_params={"tol": 1.0},
        cv=cv,
        random_state=0,
    ).fit(X, y)
    assert search.fine_param_grid_["alpha"] == alphas
    assert search.best_params_ == grid.best_params_
    assert search.best_score_ == pytest.approx(grid.best_score_)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"param_distributions": {}}, ValueError, "param_distributions must be a non"),
        (
            {"param_distributions": {"alpha": 0.1}},
            TypeError,
            r"param_distributions\['alpha'\]",
        ),
        ({"param_distributions": {"alpha": []}}, ValueError, "non-empty list"),
        ({"param_distributions": {"alpha": "abc"}}, TypeError, "list of values"),
        ({"param_distributions": [{"alpha": [1]}]}, ValueError, "param_distributions"),
        ({"coarse_params": {"alpha": 1.0}}, ValueError, "must not set parameters"),
        ({"top_k": 7}, ValueError, "top_k must be at most n_coarse=6; got top_k=7"),
        ({"n_fine_per_param": 1}, ValueError, "n_fine_per_param"),
        ({"n_coarse": 0}, ValueError, "n_coarse"),
        ({"coarse_params": ["max_iter"]}, ValueError, "coarse_params"),
    ],
)
def test_parameter_validation(digits, kwargs, error, match):
    X, y = digits
    with pytest.raises(error, match=match):
        _search(**kwargs).fit(X, y)


def test_invalid_coarse_param_name_raises(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Invalid parameter"):
        _search(coarse_params={"not_a_param": 1}, error_score="raise").fit(X, y)


def test_empty_and_nonfinite_inputs(digits):
    X, y = digits
    with pytest.raises(ValueError, match="0 sample"):
        _search().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Input y contains NaN"):
        _search().fit(X, np.full(len(y), np.nan))


@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning")
@pytest.mark.filterwarnings("ignore:Scoring failed:UserWarning")
def test_nan_in_X_reports_the_fit_error(digits):
    # One NaN: every fold fails (in fit or in scoring), so no coarse score is
    # finite. The search reports the estimator's own error, as GridSearchCV does,
    # not a problem with param_distributions.
    X, y = digits
    X = X.copy()
    X[0, 0] = np.nan
    search = CoarseToFineSearchCV(
        LogisticRegression(max_iter=50),
        {"C": loguniform(1e-3, 1e2)},
        n_coarse=3,
        top_k=2,
        cv=2,
        random_state=0,
    )
    with pytest.raises(ValueError, match="Input X contains NaN") as info:
        search.fit(X, y)
    assert "param_distributions" not in str(info.value)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        GridSearchCV(LogisticRegression(max_iter=50), {"C": [0.1, 1.0]}, cv=2).fit(X, y)


@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
def test_every_coarse_fit_failed_reraises_first_error(digits):
    X, y = digits
    search = CoarseToFineSearchCV(
        LogisticRegression(max_iter=50),
        {"C": [-1.0, -2.0]},  # every configuration fails in fit
        n_coarse=2,
        top_k=1,
        cv=2,
        random_state=0,
    )
    with pytest.raises(ValueError, match=r"'C' parameter of LogisticRegression"):
        search.fit(X, y)


@pytest.mark.filterwarnings("ignore:One or more of the test scores:UserWarning")
def test_nonfinite_scores_without_error_keep_the_message(digits):
    # Scores that are NaN although nothing failed: the original explanation.
    X, y = digits

    def nan_score(estimator, X, y):
        return float("nan")

    search = CoarseToFineSearchCV(
        RidgeClassifier(),
        {"alpha": [0.1, 1.0]},
        n_coarse=2,
        top_k=1,
        cv=2,
        scoring=nan_score,
        random_state=0,
    )
    with pytest.raises(ValueError, match="Every coarse configuration got a non-fin"):
        search.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_skcv_pipeline_linear_svm(digits):
    # The course's setting: preprocessing + linear SVM trained by SGD, alpha and the
    # learning rate searched coarse-to-fine with a few-epoch coarse budget.
    from skcv.linear_model import LinearSVMClassifier
    from skcv.preprocessing import ImageStandardizer

    X, y = digits
    pipe = Pipeline(
        [
            ("std", ImageStandardizer(image_shape=(8, 8))),
            (
                "svm",
                LinearSVMClassifier(
                    loss="hinge", solver="sgd", max_iter=20, random_state=0
                ),
            ),
        ]
    )
    search = CoarseToFineSearchCV(
        pipe,
        {
            "svm__alpha": loguniform(1e-6, 1e0),
            "svm__learning_rate_init": loguniform(1e-4, 1e0),
        },
        n_coarse=4,
        top_k=2,
        n_fine_per_param=2,
        coarse_params={"svm__max_iter": 2},
        cv=3,
        random_state=0,
    ).fit(X, y)
    stage = search.cv_results_["stage"]
    assert (stage == "coarse").sum() == 4 and (stage == "fine").sum() == 4
    assert search.best_estimator_.named_steps["svm"].max_iter == 20
    assert search.score(X, y) > 0.85


def test_latin_hypercube_coarse_stage_covers_every_slice():
    # 8 coarse draws of a loguniform over 4 decades land one in each half decade,
    # and one in each eighth of a uniform range, whatever the seed; lists and
    # discrete distributions give their own values.
    space = {
        "alpha": loguniform(1e-4, 1e0),
        "beta": uniform(0, 8),
        "depth": randint(1, 9),
        "kind": ["a", "b"],
    }
    for seed in range(3):
        coarse = _latin_hypercube(space, 8, np.random.RandomState(seed))
        slots = np.floor((np.log10([p["alpha"] for p in coarse]) + 4) * 2)
        assert sorted(slots) == list(range(8))
        assert sorted(np.floor([p["beta"] for p in coarse])) == list(range(8))
        assert sorted(p["depth"] for p in coarse) == list(range(1, 9))
        assert all(isinstance(p["depth"], int) for p in coarse)
        assert sorted(p["kind"] for p in coarse) == ["a"] * 4 + ["b"] * 4
    again = _latin_hypercube(space, 8, np.random.RandomState(2))
    assert again == coarse


def test_sampling_random_uses_independent_draws():
    X, y = load_digits(return_X_y=True)
    kw = dict(n_coarse=6, top_k=2, n_fine_per_param=2, cv=2, random_state=0)
    space = {"alpha": loguniform(1e-6, 1e-1)}
    est = SGDClassifier(max_iter=5, tol=None, random_state=0)
    lhs = CoarseToFineSearchCV(est, space, **kw).fit(X[:200], y[:200])
    rnd = CoarseToFineSearchCV(est, space, sampling="random", **kw).fit(
        X[:200], y[:200]
    )
    a = [p["alpha"] for p in lhs.cv_results_["params"][:6]]
    b = [p["alpha"] for p in rnd.cv_results_["params"][:6]]
    assert a != b
    with pytest.raises(ValueError, match="sampling"):
        CoarseToFineSearchCV(est, space, sampling="sobol", **kw).fit(X, y)
