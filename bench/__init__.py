"""Benchmarks: bench.seed fills a database, bench.run measures the API against a raw baseline."""
