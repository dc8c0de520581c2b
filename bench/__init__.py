"""Benchmarks: `python -m bench` (or `make bench`). Timings are printed, never asserted in tests."""
