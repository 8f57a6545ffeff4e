# Test pipeline for the datagrok.platform collection. The logic is in hacking/test.sh;
# every target below re-uses the same setup (.venv, built + installed tree under build/,
# and, for the steps that need them, a private PostgreSQL and three API emulators).

SHELL := /bin/bash
TEST := bash hacking/test.sh

.PHONY: demo test all venv emulator-tests units sanity integration reliability molecule lint docs changelog benchmark \
	build-smoke guides ee awx galaxy-importer reference-docs py312 emulator clean clean-cache help

help:
	@echo "make demo            run the example inventory against a fresh emulator, twice"
	@echo "make test            everything (what CI runs via .ci/run)"
	@echo "make units | sanity | integration | reliability | molecule | lint | docs | changelog | build-smoke"
	@echo "make guides          run the playbooks of the guides in docs/ as they say"
	@echo "make ee | awx | galaxy-importer   execution environment, AWX-like jobs, Galaxy import check"
	@echo "make benchmark       the benchmark at a tiny N (proves it runs; docs/performance.md has the real one)"
	@echo "make reference-docs  regenerate docs/reference from the plugin docs (commit the result)"
	@echo "make emulator-tests  pytest tests/emulator (with PostgreSQL)"
	@echo "make py312           units + integration on Python 3.12 / newest ansible-core"
	@echo "make emulator        one emulator in the foreground for manual use"
	@echo "make clean           remove build/, .venv, .venv-py312"
	@echo "make clean-cache     also remove ansible-test's sanity venvs (~/.cache/datagrok-platform)"

test all:
	$(TEST)

demo:
	bash hacking/demo.sh

# Only the setup steps (venv + built/installed tree); every step target does these first.
venv:
	$(TEST) none

emulator-tests units sanity integration reliability molecule lint docs guides changelog build-smoke ee awx galaxy-importer benchmark py312:
	$(TEST) $@

# docs/reference is generated (antsibull-docs) from the collection as built; `make docs` fails
# when it is out of date.
reference-docs:
	$(TEST) none
	bash hacking/gen_reference_docs.sh

# Foreground emulator: URL http://127.0.0.1:$${DATAGROK_EMULATOR_PORT:-8765},
# admin key $${DATAGROK_API_KEY:-datagrok-dev-admin-key}, state build/emulator/state.sqlite.
emulator:
	$(TEST) emulator

clean:
	rm -rf build .venv .venv-py312 tests/output

clean-cache: clean
	rm -rf $${XDG_CACHE_HOME:-$$HOME/.cache}/datagrok-platform
