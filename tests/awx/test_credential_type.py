"""The AWX credential type shipped in extensions/awx: its shape, and that its injectors feed the modules."""
from __future__ import annotations

import sys

import pytest

EXPECTED_ENV = {'url': 'DATAGROK_URL', 'api_key': 'DATAGROK_API_KEY', 'validate_certs': 'DATAGROK_VALIDATE_CERTS'}


def test_inputs(credential_type):
    assert credential_type['kind'] == 'cloud'  # custom types may only be cloud or net
    assert credential_type['name'] == 'Datagrok'
    fields = {field['id']: field for field in credential_type['inputs']['fields']}
    assert list(fields) == ['url', 'api_key', 'validate_certs']
    assert fields['url']['type'] == 'string' and not fields['url'].get('secret')
    assert fields['api_key']['type'] == 'string' and fields['api_key']['secret'] is True
    assert fields['validate_certs']['type'] == 'boolean' and fields['validate_certs']['default'] is True
    assert sorted(credential_type['inputs']['required']) == ['api_key', 'url']
    for field in fields.values():
        assert field['label'] and field['help_text']


def test_injectors(credential_type, render_injectors):
    assert set(credential_type['injectors']) == {'env'}
    assert sorted(credential_type['injectors']['env']) == sorted(EXPECTED_ENV.values())
    env = render_injectors({'url': 'https://dg.example.com/api', 'api_key': 'k-123', 'validate_certs': True})
    assert env == {'DATAGROK_URL': 'https://dg.example.com/api', 'DATAGROK_API_KEY': 'k-123', 'DATAGROK_VALIDATE_CERTS': 'True'}
    env = render_injectors({'url': 'http://127.0.0.1:8082', 'api_key': 'k', 'validate_certs': False})
    assert env['DATAGROK_VALIDATE_CERTS'] == 'False'
    # AWX injects a boolean the credential never set as False (documented in the file and docs/awx.md).
    env = render_injectors({'url': 'http://127.0.0.1:8082', 'api_key': 'k'})
    assert env['DATAGROK_VALIDATE_CERTS'] == 'False'


def test_modules_read_what_is_injected(credential_type, collections_path):
    """Each injected variable is the environment fallback of the module option of the same name."""
    if collections_path not in sys.path:
        sys.path.insert(0, collections_path)
    # pylint: disable-next=import-outside-toplevel,import-error
    from ansible_collections.datagrok.platform.plugins.module_utils._client.options import server_argument_spec
    from ansible.module_utils.parsing.convert_bool import boolean  # pylint: disable=import-outside-toplevel

    spec = server_argument_spec()
    for option, variable in EXPECTED_ENV.items():
        fallback = spec[option].get('fallback')
        assert fallback and fallback[1] == [variable], '%s does not fall back to %s' % (option, variable)
    assert spec['api_key'].get('no_log') is True
    # What the boolean injector renders converts the way the modules convert it.
    for rendered, expected in (('True', True), ('False', False)):
        assert boolean(rendered) is expected
    with pytest.raises(TypeError):
        boolean('')
