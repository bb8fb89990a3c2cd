"""The test suite; a package so that `tests.support` is imported the same way from everywhere."""
