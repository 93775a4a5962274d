"""Registry entries for skcv.model_selection: a meta-estimator over a fast model."""

from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import KFold

from skcv.model_selection import CoarseToFineSearchCV

ESTIMATORS = [
    CoarseToFineSearchCV(
        RidgeClassifier(),
        # A list, not a scipy distribution: the distribution's repr holds its memory
        # address, which would make test ids differ between pytest-xdist workers.
        # (Distributions are covered in tests/model_selection.)
        {"alpha": [1e-2, 1e-1, 1.0, 10.0, 1e2]},
        n_coarse=3,
        coarse_params={"tol": 1e-2},
        top_k=2,
        n_fine_per_param=2,
        # Shuffled, unstratified: tiny check data has classes with one member.
        cv=KFold(2, shuffle=True, random_state=0),
        error_score="raise",
        random_state=0,
    )
]

EXPECTED_FAILED_CHECKS = {
    "CoarseToFineSearchCV": {
        "check_requires_y_none": "Doesn't fail gracefully (as GridSearchCV)",
    }
}
