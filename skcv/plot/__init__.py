"""Matplotlib helpers (optional extra ``skcv[plot]``); matplotlib loads on first use."""

from skcv._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "plot_templates": "skcv.plot._templates",
        "plot_history": "skcv.plot._history",
        "TrainingHistoryDisplay": "skcv.plot._history",
        "plot_filter_bank": "skcv.plot._filters",
        "plot_filters": "skcv.plot._filters",
        "FiltersDisplay": "skcv.plot._filters",
        "FeatureMapsDisplay": "skcv.plot._inside",
        "AttributionDisplay": "skcv.plot._inside",
        "plot_activation_statistics": "skcv.plot._activations",
    },
)
