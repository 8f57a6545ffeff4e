# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets inside ``parameters`` in the failures of refused input.

A failure carries the module's arguments (``invocation``: shown from -vvv on, and kept in every
AWX/ansible-runner job event), so a secret inside ``parameters`` must be scrubbed before the module
fails, whatever it refuses. The secret-leak scan of the reliability suite
(tests/reliability/test_secret_leaks.py) found these in clear:

* the value of a misspelt secret key (``passwd``, ``pasword``), which the catalogue refuses before any
  request: its value is now scrubbed like a secret's (``misspelt_secret_key``);
* every secret parameter of an unsaved connection that datagrok_connection_test refuses, and of the items
  of the bulk form when an option next to ``connections`` is refused;
* the same for refusals before the module's own code runs, in ``DatagrokModule.__init__`` (``url``,
  ``timeout``, ``retries``) and in AnsibleModule's argument checks (a bad choice, mutually exclusive
  options).

``DatagrokModule`` now scrubs the secret parameters of its input when it starts and again in
``fail_json``, before any failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.datagrok.platform.plugins.module_utils._connection import secrets as _secrets
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import misspelt_secret_key, secret_values

SECRET = 'Typo-S3cr3t-4d2b9e'
OTHER = 'Typo-0ther-77c1a3'


@pytest.mark.parametrize('key, data_source', [
    ('passwd', 'Postgres'), ('pasword', 'Postgres'), ('pass', 'MS SQL'), ('Passwort', 'Postgres'),
    ('secretKy', 'S3'), ('secret_key', 'S3'), ('tokn', 'Databricks'), ('passwd', None), ('passwd', 'Brand New DB'),
])
def test_misspelt_secret_keys_are_secret_values(key, data_source):
    assert misspelt_secret_key(key, data_source)
    assert secret_values({'server': 'db', key: SECRET}, data_source) == [SECRET]


@pytest.mark.parametrize('key, data_source', [
    # Keys the catalogue knows keep its verdict, secret or not.
    ('server', 'Postgres'), ('port', 'Postgres'), ('login', 'Postgres'), ('accessKey', 'S3'), ('UID', 'Databricks'),
    ('password', 'Postgres'),
    # Unknown keys that look like no secret of the data source.
    ('host', 'Postgres'), ('database', 'Postgres'), ('sever', 'Postgres'), ('bucket_name', 'S3'), ('user', None),
    ('credentials', None),
])
def test_other_keys_are_not_misspelt_secrets(key, data_source):
    assert not misspelt_secret_key(key, data_source)


def test_known_non_secret_values_are_not_scrubbed():
    assert secret_values({'server': 'db.example.com', 'port': 5432, 'host': 'h', 'passwd': SECRET}, 'Postgres') == [SECRET]


@pytest.fixture
def modules():
    from ansible_collections.datagrok.platform.plugins.modules import (  # pylint: disable=import-outside-toplevel
        datagrok_connection,
        datagrok_connection_test,
    )
    return datagrok_connection, datagrok_connection_test


PG = {'name': 'Typo', 'data_source': 'Postgres'}


@pytest.mark.parametrize('which, args', [
    # Misspelt secret keys, refused by the catalogue before any request.
    (0, dict(PG, parameters={'server': 'db', 'passwd': SECRET, 'db': OTHER})),
    (0, {'connections': [{'name': 'Typo', 'data_source': 'S3', 'parameters': {'bucket': 'b', 'secret_key': SECRET}}]}),
    (1, {'data_source': 'Postgres', 'parameters': {'server': 'db', 'pasword': SECRET, 'db': OTHER}}),
    # Well-spelt secrets, in input refused for another reason.
    (1, {'data_source': 'Postgres', 'parameters': {'password': SECRET, 'db': OTHER}}),
    (1, {'connections': [{'data_source': 'Postgres', 'parameters': {'server': 'db', 'password': SECRET}}, {'name': ''}]}),
    (1, {'data_source': 'Postgres', 'parameters': {'server': 'db', 'password': SECRET}, 'test_retries': -1}),
    (0, {'connections': [{'name': 'A', 'data_source': 'Postgres', 'parameters': {'server': 'db', 'password': SECRET}}],
         'description': 'not here'}),
    (0, {'connections': [{'name': 'A', 'data_source': 'Postgres', 'parameters': {'server': 'db', 'password': SECRET}}],
         'purge': True}),
    (0, dict(PG, parameters={'server': 'db', 'password': SECRET}, purge=True)),
])
def test_refused_input_does_not_show_secret_parameters(module_output, modules, which, args):
    out = module_output(modules[which], args)
    result = json.loads(out)
    assert result['failed'] and result['msg'].startswith('Invalid option')
    assert SECRET not in out


@pytest.mark.parametrize('which, args', [
    (0, dict(PG, parameters={'server': 'db', 'passwd': SECRET, 'db': OTHER})),
    (1, {'data_source': 'Postgres', 'parameters': {'server': 'db', 'pasword': SECRET, 'db': OTHER}}),
])
def test_the_misspelt_secret_check_is_what_hides_it(module_output, monkeypatch, modules, which, args):
    # The value is replaced where Ansible shows the arguments; the other values still show.
    result = json.loads(module_output(modules[which], args))
    assert SECRET not in json.dumps(result)
    if 'invocation' not in result:
        pytest.skip('this ansible-core does not return the arguments with a failure: nothing to hide them from')
    assert result['invocation']['module_args']['parameters']['db'] == OTHER
    assert SECRET not in json.dumps(result)
    # Without the check, the failure shows the secret: the tests above are not vacuous.
    monkeypatch.setattr(_secrets, 'misspelt_secret_key', lambda key, data_source=None: False)
    assert SECRET in module_output(modules[which], args)


@pytest.mark.parametrize('args', [
    dict(PG, parameters={'server': 'db', 'password': SECRET}, url='db.example.com'),
    dict(PG, parameters={'server': 'db', 'password': SECRET}, timeout=0),
    dict(PG, parameters={'server': 'db', 'password': SECRET}, state='presnt'),
    dict(PG, parameters={'server': 'db', 'password': SECRET}, connections=[{'name': 'B'}]),
])
def test_refused_before_the_module_runs(module_output, modules, args):
    assert SECRET not in module_output(modules[0], args)


def test_a_login_is_no_secret_and_a_short_password_garbles_nothing(module_output, modules):
    # Were credentials no_log as a whole, a login "sa" would turn "sales_dw" into "********les_dw" and a db named
    # like the login would read VALUE_SPECIFIED_IN_NO_LOG_PARAMETER. Only the password is secret, and a two-letter
    # one is hidden where it stands alone, not inside words.
    args = dict(name='sales_dw', data_source='Postgres', description='The sa database, password "xq"',
                parameters={'server': 'db', 'db': 'sa'}, credentials={'login': 'sa', 'password': 'xq'}, url='db.example.com')
    if 'inject_invocation' in PASS_VARS:  # ansible-core 2.20+ returns the arguments only when asked (-vvv)
        args['_ansible_inject_invocation'] = True
    out = module_output(modules[0], args)
    result = json.loads(out)
    # Refused by the module's own check, whose failure carries the arguments on every ansible-core.
    assert result['failed'] and result['msg'].startswith('Invalid option url')
    shown = result['invocation']['module_args']
    assert shown['name'] == 'sales_dw' and shown['parameters']['db'] == 'sa'
    assert shown['credentials'] == {'login': 'sa', 'password': '********'}
    assert shown['description'] == 'The sa database, password "********"'
    assert '"xq"' not in out and shown.pop('api_key') == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' not in json.dumps(shown)


def test_the_invocation_log_masks_secrets_by_key(monkeypatch, module_output, modules):
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: logged.append(msg))
    module_output(modules[0], dict(PG, parameters={'server': 'db', 'password': SECRET, 'db': 'nw'},
                                   credentials={'login': 'reader', 'password': OTHER}, url='db.example.com'))
    assert logged and all(SECRET not in m and OTHER not in m for m in logged)
    assert any("'login': 'reader'" in m for m in logged)


def test_connections_given_as_json_text_are_read_as_the_list(module_output, modules):
    # A list handed over as text reads as the list (Ansible alone fails "dictionary requested, could not parse JSON").
    items = json.dumps([{'name': 'Typo', 'data_source': 'Postgres', 'parameters': {'server': 'db', 'passwd': SECRET}}])
    out = module_output(modules[0], {'connections': items})
    result = json.loads(out)
    assert result['failed'] and "Did you mean 'password'?" in result['msg'] and SECRET not in out
    broken = module_output(modules[0], {'connections': items[:-2]})
    result = json.loads(broken)
    assert result['msg'].startswith('Invalid option connections: is text but not a JSON list (')
    assert SECRET not in broken and 'unit-key-123' not in broken


@pytest.mark.parametrize('args', [
    # A bad entry, in the single and the bulk form, and in input refused for another reason.
    dict(PG, parameters={'server': 'db', 'db': 'nw'}, group_credentials=[{'group': 'ETL', 'credentials': {'pasword': SECRET}}]),
    {'connections': [dict(PG, parameters={'server': 'db', 'db': 'nw'},
                          group_credentials=[{'group': 'ETL', 'credentials': {'login': 'etl', 'password': SECRET}}],
                          group_credentials_mode='exact')]},
    dict(PG, parameters={'server': 'db', 'db': 'nw'}, url='db.example.com',
         group_credentials=[{'group': 'ETL', 'credentials': {'login': 'etl', 'password': SECRET}}]),
])
def test_group_credentials_are_masked_by_key_in_refused_input(module_output, modules, args):
    args = dict(args, _ansible_inject_invocation=True) if 'inject_invocation' in PASS_VARS else args
    out = module_output(modules[0], args)
    result = json.loads(out)
    assert result['failed'] and result['msg'].startswith('Invalid option') and SECRET not in out
    shown = result.get('invocation', {}).get('module_args')
    if shown and shown.get('group_credentials'):
        # Masked by key: the login still shows.
        credentials = shown['group_credentials'][0]['credentials']
        assert dict((k, v) for k, v in credentials.items() if k != 'login') == dict.fromkeys(set(credentials) - {'login'}, '********')
        assert credentials.get('login', 'etl') == 'etl'
