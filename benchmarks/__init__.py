"""Benchmarks: ``python -m benchmarks.run --n 10000`` (``make bench``)."""
