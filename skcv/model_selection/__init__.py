"""Model selection: the course's coarse-to-fine hyperparameter search.

:class:`CoarseToFineSearchCV` runs a cheap random search over wide (log-scale) ranges,
narrows every numeric range to the span of the best coarse configurations and then
grid-searches the narrowed ranges with the full training budget. It has the result
API of :class:`sklearn.model_selection.GridSearchCV`.

:func:`lr_range_test` (the LR finder) trains a clone briefly with an exponentially
increasing learning rate and suggests ``learning_rate_init``;
:class:`LRRangeTestDisplay` plots it.
"""

from skcv.model_selection._coarse_to_fine import CoarseToFineSearchCV
from skcv.model_selection._lr_range import LRRangeTestDisplay, lr_range_test

__all__ = ["CoarseToFineSearchCV", "LRRangeTestDisplay", "lr_range_test"]
