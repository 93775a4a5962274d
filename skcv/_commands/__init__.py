"""Subcommands of the ``skcv`` command line (``fit``, ``predict``, ``evaluate``)."""
