"""The emulator's own tests: an emulator started per test (``start_emulator``, a fixture of datagrok_testkit, the
tests' shared support), talked to with ``EmulatorProcess.call``; and the PostgreSQL of the connection tests."""
from __future__ import annotations

import pytest


@pytest.fixture
def emulator(start_emulator):
    return start_emulator()


@pytest.fixture
def pg(postgres):
    """The PostgreSQL to connect to, as {'host', 'port', 'user', 'password', 'db'}; skips when there is none."""
    if postgres is None:
        pytest.skip('the Postgres tests need a PostgreSQL server (its binaries, or DATAGROK_TEST_PG_*); there is none')
    return postgres


@pytest.fixture
def pg_or_none(postgres):
    """Like `pg`, but None instead of a skip."""
    return postgres
