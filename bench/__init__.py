"""Benchmarks, run by hand (see README.md); ``load`` holds what the reading ones share."""
