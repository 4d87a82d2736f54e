"""Composition of a release: how many rows per language, source and task (``build --target-size``)."""
