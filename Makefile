# Thin aliases for dev.py, which needs nothing but Python 3.11.
.PHONY: serve demo test schema
serve:
	python3 dev.py serve
demo:
	python3 dev.py serve --demo
test:
	python3 dev.py test
schema:
	python3 dev.py export-schema
