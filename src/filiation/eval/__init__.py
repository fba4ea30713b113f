"""Accuracy on labelled data: ``filiation eval`` (or ``python -m filiation.eval``)."""
