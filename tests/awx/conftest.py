"""Fixtures for the AWX-like tests: the built collection, the credential type, a fresh emulator.

The tests run against the collection as the pipeline built and installed it, never against the
checkout: ``hacking/test.sh ee awx`` sets

* ``DATAGROK_TEST_COLLECTIONS``: a directory holding ``ansible_collections/datagrok/platform``;
* ``DATAGROK_TEST_TARBALL``: the ``ansible-galaxy collection build`` tarball.

Without them the tests that need them are skipped, saying so.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile

import pytest
import yaml
from datagrok_emulator.process import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
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


class Emulator(EmulatorProcess):
    """One Datagrok API emulator on a free loopback port, with its own state, request log and random keys."""

    def __init__(self, workdir, *extra_args):
        self.workdir = workdir
        super().__init__(os.path.join(workdir, 'state.sqlite'), os.path.join(workdir, 'emulator.log'),
                         secrets.token_hex(16), secrets.token_hex(16), extra_args,
                         request_log=os.path.join(workdir, 'requests.log'))


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
