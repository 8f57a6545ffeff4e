# The two commands of the README, and one target per session of the test pipeline (noxfile.py). Every target first
# makes .venv from requirements-dev.txt (again only when that changes), where nox and every tool the sessions use live.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
NOX := $(VENV)/bin/nox --reuse-existing-virtualenvs
SESSIONS := emulator-tests units sanity integration py312 reliability molecule ansible-lint docs-check docs guides changelog \
	extra-checks build-import-check build-smoke ee awx galaxy-importer benchmark reference-docs

.PHONY: demo test venv emulator lint clean clean-cache help $(SESSIONS)

help:
	@echo "make demo       run the example inventory against a fresh emulator, twice"
	@echo "make test       every session of noxfile.py (what CI runs via .ci/run); 'nox -l' lists them"
	@echo "make SESSION    one session (ARGS=... are passed on: targets, pytest options): $(SESSIONS)"
	@echo "make lint       ansible-lint; make emulator: one emulator in the foreground; make clean[-cache]"

$(VENV)/.stamp: requirements-dev.txt tests/emulator/pyproject.toml tests/support/pyproject.toml
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && $(VENV)/bin/python -m pip install -q -r requirements-dev.txt && touch $@

venv: $(VENV)/.stamp

test: venv
	$(NOX)

demo emulator $(SESSIONS): venv
	$(NOX) -s $@ $(if $(ARGS),-- $(ARGS))

lint: venv
	$(NOX) -s ansible-lint

clean:
	rm -rf build .venv .venv-py312 .nox tests/output

clean-cache: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/datagrok-platform
