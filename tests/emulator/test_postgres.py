"""Postgres connection tests against a real server, configured by the DATAGROK_TEST_PG_* env vars."""
from __future__ import annotations

import socket
import sys

from datagrok_emulator import testing

CONNS = '/public/v1/connections'


def _body(pg, **overrides):
    params = {'server': pg['host'], 'port': int(pg['port']), 'db': pg['db']}
    params.update(overrides)
    return {'name': 'PG', 'dataSource': 'Postgres', 'parameters': params,
            'credentials': {'parameters': {'login': pg['user'], 'password': pg['password']}}}


def _test(emulator, body):
    response = emulator.call('POST', CONNS + '/test', body=body)
    assert response.status == 200 and 'api-error' not in response.headers
    return response.json()


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_good_credentials(emulator, pg):
    assert _test(emulator, _body(pg)) == 'ok'
    # PostgresDart takes "host:port" in `server`, and the credentials inside `parameters`.
    params = {'server': '%s:%s' % (pg['host'], pg['port']), 'db': pg['db'], 'login': pg['user'], 'password': pg['password']}
    dart = {'name': 'PGD', 'dataSource': 'PostgresDart', 'parameters': params}
    assert _test(emulator, dart) == 'ok'


def test_saved_connection_uses_stored_password(emulator, pg):
    saved = emulator.call('POST', CONNS, body=_body(pg), params={'saveCredentials': 'true'}).json()
    assert saved['credentials']['parameters']['password'] == '_' * 13
    assert _test(emulator, saved) == 'ok'
    # Absent from the body altogether: the stored credentials are used as well.
    assert _test(emulator, dict(saved, credentials={})) == 'ok'


def test_wrong_password(emulator, pg):
    body = _body(pg)
    body['credentials']['parameters']['password'] = pg['password'] + '-wrong'
    assert 'password authentication failed' in _test(emulator, body)


def test_wrong_port(emulator, pg):
    message = _test(emulator, _body(pg, server='127.0.0.1', port=_closed_port()))
    assert 'connection refused' in message.lower()


def test_without_psycopg(monkeypatch):
    # Runs everywhere: with psycopg unimportable the test answers with a clear message instead of failing.
    monkeypatch.setitem(sys.modules, 'psycopg', None)
    message = testing.check_connection('Postgres', {'server': '127.0.0.1', 'port': 1}, {})
    assert 'psycopg' in message and 'not installed' in message
