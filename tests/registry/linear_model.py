"""Linear classifiers, with default settings (the defaults must pass every check)."""

from skcv.linear_model import LinearSVMClassifier, SoftmaxClassifier

ESTIMATORS = [LinearSVMClassifier(), SoftmaxClassifier()]
