"""Starts the emulator as a subprocess (on a free port, with a fresh state file) and talks to it with http.client."""
from __future__ import annotations

import http.client
import json
import os
from urllib.parse import urlencode, urlsplit

import pytest

from datagrok_emulator.process import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
ADMIN_KEY = 'admin-test-key-0001'
USER_KEY = 'alice-test-key-0002'
PG_VARS = ('DATAGROK_TEST_PG_HOST', 'DATAGROK_TEST_PG_PORT', 'DATAGROK_TEST_PG_USER', 'DATAGROK_TEST_PG_PASSWORD', 'DATAGROK_TEST_PG_DB')


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    def json(self):
        return json.loads(self.raw) if self.raw else None

    @property
    def is_api_error(self):
        return 'api-error' in self.headers


class Emulator(EmulatorProcess):
    def __init__(self, workdir, name, extra, state=None):
        super().__init__(state or os.path.join(workdir, name + '.db'), os.path.join(workdir, name + '.stderr'),
                         ADMIN_KEY, USER_KEY, extra)
        self.ssl_context = None

    def call(self, method, path, user='admin', body=None, params=None, key=None, bearer=True, timeout=15):
        """One request as `user` ('admin', 'alice' or None for no key), or with an explicit `key`."""
        parts = urlsplit(self.url)
        if parts.scheme == 'https':
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        headers = {'Content-Type': 'application/json'}
        key = key or {'admin': ADMIN_KEY, 'alice': USER_KEY}.get(user)
        if key is not None:
            headers['Authorization'] = ('Bearer ' + key) if bearer else key
        target = path + ('?' + urlencode(params) if params else '')
        try:
            conn.request(method, target, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()


@pytest.fixture
def start_emulator(tmp_path):
    """start_emulator('--error-style', 'ok-with-header', state=None) -> a running Emulator; all are stopped afterwards."""
    started = []

    def start(*extra, state=None, name=None):
        emulator = Emulator(str(tmp_path), name or 'emulator%d' % len(started), extra, state=state)
        started.append(emulator)
        return emulator.start()

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emulator(start_emulator):
    return start_emulator()


@pytest.fixture
def pg():
    """The DATAGROK_TEST_PG_* settings as {'host', 'port', 'user', 'password', 'db'}; skips when any is missing."""
    if not all(os.environ.get(name) for name in PG_VARS):
        pytest.skip('Postgres tests need the env vars %s; they are not set' % ', '.join(PG_VARS))
    return {name[len('DATAGROK_TEST_PG_'):].lower(): os.environ[name] for name in PG_VARS}


@pytest.fixture
def pg_or_none():
    """Like `pg`, but None instead of a skip when the env vars are not set."""
    if not all(os.environ.get(name) for name in PG_VARS):
        return None
    return {name[len('DATAGROK_TEST_PG_'):].lower(): os.environ[name] for name in PG_VARS}
