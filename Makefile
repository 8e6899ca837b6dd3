# The two commands of the README. Both do their own set-up and are safe to run again.
PY ?= python3
VENV ?= .venv
CMS ?= ../shared/data/cms
export RVUCHECK_DATA ?= $(CURDIR)/.rvucheck-data

.PHONY: sample test setup data

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,all]'
	touch $@

data: setup
	$(VENV)/bin/rvucheck data install --from $(CMS) $(CMS)/../benchmarks

# First command: set everything up and run the main job on the bundled sample month.
sample: data
	$(VENV)/bin/rvucheck workbooks/sample-charges-2026-10.xlsx --force --fail-on never

# Second command: the whole test suite (same set-up first).
test: data
	RVUCHECK_TEST_DATA=$(RVUCHECK_DATA) $(VENV)/bin/python -m pytest -q
