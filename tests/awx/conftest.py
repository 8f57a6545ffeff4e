"""Fixtures for the AWX-like tests: the built collection, the credential type, a fresh emulator.

The tests run against the collection as the pipeline built and installed it, never against the
checkout: ``hacking/test.sh ee awx`` sets

* ``DATAGROK_TEST_COLLECTIONS``: a directory holding ``ansible_collections/datagrok/platform``;
* ``DATAGROK_TEST_TARBALL``: the ``ansible-galaxy collection build`` tarball.

Without them the tests that need them are skipped, saying so.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EMULATOR = os.path.join(REPO, 'tests', 'emulator', 'run.py')
CREDENTIAL_TYPE = os.path.join(REPO, 'extensions', 'awx', 'datagrok_credential_type.yml')


def _env_path(name, what):
    value = os.environ.get(name)
    if not value:
        pytest.skip('%s is not set (%s); run through `bash hacking/test.sh ee awx`' % (name, what))
    if not os.path.exists(value):
        pytest.fail('%s=%s does not exist' % (name, value))
    return os.path.abspath(value)


@pytest.fixture(scope='session')
def collections_path():
    path = _env_path('DATAGROK_TEST_COLLECTIONS', 'the installed collection tree')
    if not os.path.isfile(os.path.join(path, 'ansible_collections', 'datagrok', 'platform', 'MANIFEST.json')):
        pytest.fail('%s holds no installed datagrok.platform (MANIFEST.json missing)' % path)
    return path


@pytest.fixture(scope='session')
def tarball():
    return _env_path('DATAGROK_TEST_TARBALL', 'the built collection tarball')


@pytest.fixture(scope='session')
def credential_type():
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def _render_injectors(credential_type, inputs):
    """The environment AWX gives a job for a credential of this type with these inputs.

    Mirrors ``CredentialType.inject_credential`` in AWX: the injector templates are rendered in an
    immutable Jinja sandbox with the credential's inputs, and a boolean field the credential does
    not set is False (AWX ignores the field's ``default`` there; the UI only pre-fills it).
    """
    from jinja2.sandbox import ImmutableSandboxedEnvironment  # pylint: disable=import-outside-toplevel

    namespace = {key: value for key, value in inputs.items() if isinstance(value, bool) or len(value)}
    for field in credential_type['inputs']['fields']:
        if field.get('type') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**namespace) for name, template in credential_type['injectors']['env'].items()}


@pytest.fixture(scope='session')
def render_injectors(credential_type):
    """``render_injectors(inputs)``: the environment AWX gives a job for a credential with these inputs."""
    return lambda inputs: _render_injectors(credential_type, inputs)


class Emulator:
    """One Datagrok API emulator on a free loopback port, with its own state and request log."""

    def __init__(self, workdir, *extra_args):
        self.workdir = workdir
        self.extra_args = list(extra_args)
        self.admin_key = secrets.token_hex(16)
        self.user_key = secrets.token_hex(16)
        self.request_log = os.path.join(workdir, 'requests.log')
        self.log = os.path.join(workdir, 'emulator.log')
        self.url = None
        self.process = None

    def start(self, timeout=30):
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, EMULATOR, '--port', '0', '--state', os.path.join(self.workdir, 'state.sqlite'),
                 '--admin-key', self.admin_key, '--user-key', self.user_key, '--request-log', self.request_log] + self.extra_args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED='1'))
        deadline = time.monotonic() + timeout
        pattern = re.compile(r'listening on (https?://\S+)')
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('emulator exited with %s: %s' % (self.process.returncode, self._log_text()))
            match = pattern.search(self._log_text())
            if match:
                self.url = match.group(1).rstrip('/')
                break
            time.sleep(0.1)
        else:
            raise RuntimeError('emulator did not start within %ss: %s' % (timeout, self._log_text()))
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + '/public/v1/healthcheck', timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError('emulator healthcheck never answered 200: %s' % self._log_text())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def _log_text(self):
        with open(self.log, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def call(self, method, path, body=None):
        """One REST call as the admin user (the hand edits of the drift test); returns the decoded JSON."""
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Authorization': 'Bearer ' + self.admin_key, 'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def requests(self):
        """The request log so far, one dict per request."""
        if not os.path.exists(self.request_log):
            return []
        with open(self.request_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope='module')
def emulator():
    workdir = tempfile.mkdtemp(prefix='datagrok-awx-emulator-')
    server = Emulator(workdir)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def fresh_emulator():
    """``fresh_emulator(*extra_args)``: a new emulator for this test, stopped at its end."""
    started = []

    def start(*extra_args):
        server = Emulator(tempfile.mkdtemp(prefix='datagrok-awx-emulator-'), *extra_args)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()
            shutil.rmtree(server.workdir, ignore_errors=True)
