"""Benchmarks: generate their own data, drive the real server over loopback, print percentiles and ratios."""
