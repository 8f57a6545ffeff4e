# The two commands of the README, and one target per session of the test pipeline (noxfile.py). Every target first
# makes .venv from requirements-dev.txt (again only when that changes), where nox and every tool the sessions use live.

SHELL := /bin/bash
# uv writes the bytecode at install: the pipeline runs with PYTHONDONTWRITEBYTECODE (noxfile.py), so without it every
# ansible-playbook and module run would compile ansible-core and requests again (0.8 s more per playbook start).
export UV_COMPILE_BYTECODE := 1
PYTHON ?= python3
VENV := .venv
NOX := $(VENV)/bin/nox --reuse-existing-virtualenvs
SESSIONS := emulator-tests units sanity integration ansible-core-2.16 ansible-core-2.17 ansible-core-2.18 ansible-core-2.20 ansible-core-2.21 reliability molecule ansible-lint docs-check docs guides changelog \
	extra-checks build-import-check build-smoke ee awx galaxy-importer benchmark reference-docs

.PHONY: demo test venv emulator lint clean clean-cache help $(SESSIONS)

help:
	@echo "make demo       run the example inventory against a fresh emulator, twice"
	@echo "make test       every session of noxfile.py (what CI runs via .ci/run); '.venv/bin/nox -l' lists them"
	@echo "make SESSION    one session; ARGS=... (TARGETS=... for integration) are passed on: $(SESSIONS)"
	@echo "make venv       .venv and the collection built into build/collections; make emulator [EMULATOR_ARGS=...]"
	@echo "make lint       ansible-lint; make clean[-cache]"

# uv (its pin in requirements-dev.txt) installs the rest in seconds where pip takes a minute or more.
$(VENV)/.stamp: requirements-dev.txt tests/ansible-core/2.19.txt tests/ansible-core/common.txt tests/emulator/pyproject.toml tests/support/pyproject.toml
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && $(VENV)/bin/python -m pip install -q $$(grep '^uv==' requirements-dev.txt) \
		&& $(VENV)/bin/uv pip install -q --python $(VENV)/bin/python -r requirements-dev.txt && touch $@

venv: $(VENV)/.stamp
	$(NOX) -s build

test: $(VENV)/.stamp
	$(NOX)

demo $(SESSIONS): $(VENV)/.stamp
	$(NOX) -s $@ $(if $(strip $(ARGS) $(TARGETS)),-- $(ARGS) $(TARGETS))

emulator: $(VENV)/.stamp
	$(NOX) -s emulator $(if $(EMULATOR_ARGS),-- $(EMULATOR_ARGS))

lint: $(VENV)/.stamp
	$(NOX) -s ansible-lint

clean:
	rm -rf build .venv .nox tests/output

clean-cache: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/datagrok-platform
