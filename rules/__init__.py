"""Pure domain rules: no I/O, no framework imports. Everything above builds on these."""
