"""Starts the emulator as a subprocess (on a free port, with a fresh state file) and talks to it with http.client."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
from urllib.parse import urlencode, urlsplit

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, 'run.py')
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


class Emulator:
    def __init__(self, workdir, name, extra, state=None):
        self.state = state or os.path.join(workdir, name + '.db')
        self.stderr_path = os.path.join(workdir, name + '.stderr')
        self.extra = list(extra)
        self.proc = None
        self.url = None
        self.ssl_context = None
        self.admin_key = ADMIN_KEY
        self.user_key = USER_KEY

    def start(self):
        cmd = [sys.executable, RUN, '--port', '0', '--state', self.state, '--admin-key', ADMIN_KEY, '--user-key', USER_KEY] + self.extra
        with open(self.stderr_path, 'a', encoding='utf-8') as stderr:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        timer = threading.Timer(20, self.proc.kill)
        timer.start()
        try:
            line = self.proc.stdout.readline().strip()
        finally:
            timer.cancel()
        match = re.match(r'^datagrok emulator listening on (https?://127\.0\.0\.1:\d+)$', line)
        if not match:
            self.proc.kill()
            with open(self.stderr_path, encoding='utf-8') as stderr:
                raise RuntimeError('emulator did not start: %r\n%s' % (line, stderr.read()))
        self.url = match.group(1)
        return self

    def stop(self):
        """SIGTERM, as a CI runner would; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode

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
