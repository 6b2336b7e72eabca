# Two entry points for a fresh clone (see README): `make build` and `make test`.
PY ?= python3
VENV := .venv
CREW_VENV := .venv-crewai

.PHONY: build test setup setup-crewai fuzz

# The C modules (compiler/*.c) are built by the editable install: a changed one reinstalls.
$(VENV)/.ok: pyproject.toml setup.py $(wildcard compiler/*.c)
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,langgraph,openai,serve]'
	touch $@

setup: $(VENV)/.ok

# crewai pins openai<3 and pydantic<2.13, which openai-agents>=0.21 cannot share: its own venv.
$(CREW_VENV)/.ok: pyproject.toml setup.py $(wildcard compiler/*.c)
	$(PY) -m venv $(CREW_VENV)
	$(CREW_VENV)/bin/pip install -q --upgrade pip
	$(CREW_VENV)/bin/pip install -q -e '.[test,crewai]'
	touch $@

setup-crewai: $(CREW_VENV)/.ok

build: setup
	$(VENV)/bin/agentc build

test: setup setup-crewai
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider
	$(CREW_VENV)/bin/python -m pytest -q -p no:cacheprovider -m crewai; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

# A long random fuzz run (CI runs a small fixed budget as part of `make test`).
FUZZ ?= 100000
fuzz: setup
	AGENTC_FUZZ_EXAMPLES=$(FUZZ) AGENTC_FUZZ_RANDOM=1 $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py
