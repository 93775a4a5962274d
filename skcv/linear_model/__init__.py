"""Linear classifiers: multiclass SVM (hinge) and softmax (cross-entropy).

Both are one linear layer ``s = W x + b`` trained by the shared numeric core
``skcv._optim`` (losses, penalties, optimisers, schedules, training loops).
"""

from skcv.linear_model._softmax import SoftmaxClassifier
from skcv.linear_model._svm import LinearSVMClassifier

__all__ = ["LinearSVMClassifier", "SoftmaxClassifier"]
