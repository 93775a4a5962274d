"""Model selection: the course's coarse-to-fine hyperparameter search.

:class:`CoarseToFineSearchCV` runs a cheap random search over wide (log-scale) ranges,
narrows every numeric range to the span of the best coarse configurations and then
grid-searches the narrowed ranges with the full training budget. It has the result
API of :class:`sklearn.model_selection.GridSearchCV`.
"""

from skcv.model_selection._coarse_to_fine import CoarseToFineSearchCV

__all__ = ["CoarseToFineSearchCV"]
