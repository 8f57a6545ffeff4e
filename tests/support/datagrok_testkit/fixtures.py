"""The pytest fixtures every suite shares, registered as a pytest plugin (tests/support/pyproject.toml).

* ``collections_path``: the installed collection tree the pipeline built (``DATAGROK_TEST_COLLECTIONS``);
* ``start_emulator(*extra_args, name=, state=)``: a fresh emulator in a folder of its own, stopped (and its folder
  removed) when the test ends; :class:`EmulatorFactory` does the same for a wider scope;
* ``postgres``: the PostgreSQL the tests connect to (the ``DATAGROK_TEST_PG_*`` one, else one started for the session,
  else None);
* ``ansible(playbook, ...)``: ansible-playbook on the installed collection (playbooks.py).
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile

import pytest

from datagrok_testkit import ADMIN_KEY, USER_KEY
from datagrok_testkit.playbooks import PlaybookRunner
from datagrok_testkit.services import Postgres, postgres_cluster, start_emulator as start_emulator_in

PG_VARS = ('HOST', 'PORT', 'USER', 'PASSWORD', 'DB')


class EmulatorFactory:
    """Starts emulators, each in a folder of its own (``workdir``); ``close()`` stops them and removes the folders."""

    def __init__(self, prefix='datagrok-emulator-'):
        self.prefix = prefix
        self.started = []

    def start(self, *extra, name='emulator', state=None, admin_key=ADMIN_KEY, user_key=USER_KEY):
        folder = tempfile.mkdtemp(prefix=self.prefix)
        emulator = start_emulator_in(folder, name, extra, admin_key, user_key, state)
        emulator.workdir = folder
        self.started.append(emulator)
        return emulator

    def close(self):
        for emulator in self.started:
            emulator.stop()
            shutil.rmtree(emulator.workdir, ignore_errors=True)


@pytest.fixture(scope='session')
def collections_path():
    value = os.environ.get('DATAGROK_TEST_COLLECTIONS')
    if not value:
        pytest.skip('DATAGROK_TEST_COLLECTIONS is not set (the installed collection tree); run through nox (make test)')
    tree = os.path.join(value, 'ansible_collections', 'datagrok', 'platform')
    # MANIFEST.json: installed from the tarball; galaxy.yml: a symlink to a checkout (while developing).
    if not any(os.path.isfile(os.path.join(tree, name)) for name in ('MANIFEST.json', 'galaxy.yml')):
        pytest.fail('%s holds no datagrok.platform collection' % value)
    return os.path.abspath(value)


@pytest.fixture
def start_emulator():
    """``start_emulator(*extra_args, name='emulator', state=None)``: a new emulator for this test."""
    factory = EmulatorFactory()
    try:
        yield factory.start
    finally:
        factory.close()


@pytest.fixture(scope='session')
def postgres():
    """``{'host', 'port', 'user', 'password', 'db'}`` of a PostgreSQL to connect to, or None when there is none."""
    given = dict((name.lower(), os.environ.get('DATAGROK_TEST_PG_' + name)) for name in PG_VARS)
    if all(given.values()):
        yield dict(given, port=int(given['port']))
        return
    if Postgres.why_not():
        yield None
        return
    with postgres_cluster('pg-' + secrets.token_hex(12)) as cluster:
        yield cluster.settings


@pytest.fixture
def ansible(collections_path, tmp_path, request):
    """``ansible(playbook, inventory=None, extra_vars=None, ...)``: runs ansible-playbook (``PlaybookRunner.run``),
    with the callback plugins of the test's suite (its ``callback_plugins`` folder)."""
    return PlaybookRunner(collections_path, tmp_path, os.path.join(os.path.dirname(str(request.fspath)), 'callback_plugins')).run
