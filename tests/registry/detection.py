"""Detection estimators (classical core; RegionProposalDetector and ObjectLocalizer
are added by their own areas)."""

from sklearn.linear_model import LogisticRegression

from skcv.detection import RegionProposalDetector, SlidingWindowDetector

ESTIMATORS = [
    SlidingWindowDetector(LogisticRegression(max_iter=200)),
    RegionProposalDetector(LogisticRegression(max_iter=200)),
    RegionProposalDetector(),  # the default classifier
    SlidingWindowDetector(),  # the default classifier
]

STRUCTURED = []
