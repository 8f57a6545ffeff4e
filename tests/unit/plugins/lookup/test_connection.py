# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lookup datagrok.platform.connection over the shared fake session: what it reads, masks and refuses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeSession

SECRET = 'lookup-S3cret-9f8e'
KEY = 'unit-lookup-key-77'
PG = {'id': 'c-pg', 'name': 'Northwind', 'namespace': 'Admin:', 'dataSource': 'Postgres', 'tags': ['prod'],
      'parameters': {'server': 'db', 'port': 5432, 'db': 'nw', 'password': SECRET},
      'credentials': {'parameters': {'login': 'reader', 'password': SECRET}, 'openParameters': {'login': 'reader'}}}
S3 = {'id': 'c-s3', 'name': 'Lake', 'namespace': 'Admin:', 'dataSource': 'S3', 'tags': ['prod'], 'parameters': {'bucket': 'b'}}
ROUTES = {
    '/users/current': (200, {'id': 'u1', 'login': 'admin', 'project': {'name': 'Admin'}}),
    '/public/v1/users/current': (200, {'id': 'u1', 'login': 'admin'}),
    '/public/v1/connections/Admin.Northwind': (200, PG),
    '/connectors/connections/count': (200, 2),
    '/connectors/connections': (200, [PG, S3]),
}


@pytest.fixture
def lookup(monkeypatch):
    """``(run, session)``: ``run(*terms, **options)`` runs the lookup against ``session``, which answers ``ROUTES``."""
    session = FakeSession(routes=dict(ROUTES), base='http://dg')
    plugin = lookup_loader.get('datagrok.platform.connection')
    monkeypatch.setattr(sys.modules[type(plugin).__module__], 'DatagrokClient',
                        lambda **kwargs: DatagrokClient(session=session, sleep=lambda s: None, **kwargs))

    def run(*terms, **options):
        return plugin.run(list(terms), variables={}, **dict(dict(url='http://dg', api_key=KEY), **options))
    return run, session


def test_a_name_reads_one_connection_with_its_secrets_masked(lookup):
    run, session = lookup
    [conn] = run('Northwind')
    assert conn['name'] == 'Northwind' and conn['parameters']['server'] == 'db'
    assert conn['parameters']['password'] == '********'
    assert SECRET not in repr(conn)
    assert session.paths == ['/users/current', '/public/v1/connections/Admin.Northwind']
    assert session.last_headers['Authorization'] == 'Bearer ' + KEY
    assert all(method == 'GET' for method, url, params, body in session.sent)


def test_filters_list_many(lookup):
    run = lookup[0]
    assert [c['name'] for c in run(tags=['prod'])] == ['Northwind', 'Lake']
    assert [c['name'] for c in run(tags=['prod'], data_source='S3')] == ['Lake']
    assert [c['name'] for c in run(namespace='Other:')] == []


@pytest.mark.parametrize('on_missing', ['warn', 'skip'])
def test_a_missing_name_is_left_out_under_warn_and_skip(lookup, on_missing):
    assert [c['name'] for c in lookup[0]('Gone', 'Northwind', on_missing=on_missing)] == ['Northwind']


def test_a_missing_name_fails_by_default(lookup):
    with pytest.raises(AnsibleLookupError) as info:
        lookup[0]('Admin:Gone')
    assert str(info.value) == "Connection 'Admin:Gone' does not exist on http://dg (or the api_key's user cannot see it)"


@pytest.mark.parametrize('terms, options, message', [
    (('Northwind',), dict(tags=['prod']), 'Invalid option tags: it lists connections, and cannot be combined with names to read'),
    (('North.wind',), {}, "Invalid connection name 'North.wind': 'North.wind' cannot be addressed through the API (it contains '.')"),
    (('Northwind',), dict(url='dg:8082'), "Invalid option url: must start with http:// or https://, got 'dg:8082'"),
    (('Northwind',), dict(api_key=' '), 'Invalid option api_key: must not be empty'),
    (('Northwind',), dict(timeout=0), 'Invalid option timeout: must be a number of seconds greater than 0, got 0'),
    (('Northwind',), dict(on_missing='loud'), "Invalid option on_missing: must be one of error, warn, skip, got 'loud'"),
])
def test_bad_options_fail_before_any_request(lookup, terms, options, message):
    run, session = lookup
    with pytest.raises(AnsibleLookupError) as info:
        run(*terms, **options)
    assert str(info.value).startswith(message)
    assert session.sent == []


def test_a_server_error_names_the_connection_and_not_the_key(lookup):
    run, session = lookup
    session.routes['/public/v1/connections/Admin.Northwind'] = (401, {'#type': 'ApiError', 'message': 'Unauthorized', 'errorCode': 401})
    with pytest.raises(AnsibleLookupError) as info:
        run('Northwind')
    assert str(info.value) == "Cannot read connection 'Northwind': (HTTP 401) Unauthorized (server http://dg)"
    assert KEY not in str(info.value)
