"""Fixtures of the reliability and security suite, over the tests' shared support (datagrok_testkit):
``start_emulator`` (fresh emulators), ``ansible`` (ansible-playbook on the installed collection, with this suite's
callback plugins) and ``collections_path`` come from there. The suite runs the collection as the pipeline built and
installed it (``DATAGROK_TEST_COLLECTIONS``); without it every test is skipped, saying so.

* ``pg`` is a PostgreSQL to connect to, or else a closed port.
"""
from __future__ import annotations

import secrets
import socket

import pytest


@pytest.fixture
def pg(postgres):
    """The PostgreSQL to test against (datagrok_testkit's ``postgres``), or else a closed port.

    The closed port stays bound (without listening) for the whole test, so nothing else can listen on it
    and a connection to it is refused at once.
    """
    if postgres is not None:
        yield dict(postgres, available=True)
        return
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield {'available': False, 'host': '127.0.0.1', 'port': sock.getsockname()[1], 'user': 'leak_user',
               'password': 'PgNone' + secrets.token_hex(12), 'db': 'leak_db'}
