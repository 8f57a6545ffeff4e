"""Fixtures of the AWX-like tests: the built tarball, the credential type, an emulator shared by a module's tests.

The tests run against the collection as the pipeline built and installed it, never against the checkout: the
``ee`` and ``awx`` sessions of noxfile.py set ``DATAGROK_TEST_TARBALL`` (the ``ansible-galaxy collection build``
tarball) and ``DATAGROK_TEST_COLLECTIONS`` (``collections_path``, from datagrok_testkit, the tests' shared support,
as are ``start_emulator`` and the runner). Without them the tests that need them are skipped, saying so.
"""
from __future__ import annotations

import os

import pytest
import yaml
from datagrok_testkit.fixtures import EmulatorFactory

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CREDENTIAL_TYPE = os.path.join(REPO, 'extensions', 'awx', 'datagrok_credential_type.yml')


def _env_path(name, what):
    value = os.environ.get(name)
    if not value:
        pytest.skip('%s is not set (%s); run through `make ee awx` (noxfile.py)' % (name, what))
    if not os.path.exists(value):
        pytest.fail('%s=%s does not exist' % (name, value))
    return os.path.abspath(value)


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


@pytest.fixture(scope='module')
def emulator():
    """One emulator shared by the tests of a module (the AWX jobs run in order against one server)."""
    factory = EmulatorFactory(prefix='datagrok-awx-emulator-')
    try:
        yield factory.start()
    finally:
        factory.close()
