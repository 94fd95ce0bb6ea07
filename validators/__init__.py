"""corpus-validators: data-quality validation for Chinese corpora annotated with connectives.

The import name is ``validators``; the distribution is ``corpus-validators`` (PyPI's
``validators`` is an unrelated package).
"""

__version__ = "0.1.0"
