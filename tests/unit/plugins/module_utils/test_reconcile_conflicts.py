# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A create that loses its name to a concurrent converge (the server stores it as ``Name_1``).

The run removes its twin and converges the item against the connection that won the name,
as an update; when that connection cannot be read back, it fails naming the connection. A fake
in-memory server stands in for Datagrok (tests/reliability/test_concurrency.py runs the real race).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import uuid

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._converge.apply import apply_plan
from ansible_collections.datagrok.platform.plugins.module_utils._converge.run import Run
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeModule, FakeServer, run_many, run_one


def item(name='pg', port=5432, password='s3cret'):
    return {
        'name': name, 'state': 'present', 'data_source': 'Postgres', 'update_credentials': 'when_changed',
        'parameters': {'server': 'db.example.com', 'port': port, 'db': 'northwind'},
        'credentials': {'login': 'app', 'password': password},
        'tags': ['reliability'],
    }


def body_of(wanted):
    return {'#type': 'DataConnection', 'name': wanted['name'], 'dataSource': wanted['data_source'],
            'parameters': dict(wanted['parameters']), 'tags': list(wanted['tags']),
            'credentials': {'parameters': dict(wanted['credentials'])}}


def other_client_creates(server, wanted):
    """Another converge creates ``wanted`` after our list, before our create lands."""
    def hook(_body):
        server.store(dict(body_of(wanted), id=str(uuid.uuid4())), True)
    return hook


def names(server):
    return sorted(c['namespace'] + c['name'] for c in server.connections.values())


def test_lost_create_of_the_same_definition_converges_without_change():
    server = FakeServer()
    module = FakeModule(server)
    server.before_save = other_client_creates(server, item())
    results = run_many(module, [item()])
    assert results == [{
        'name': 'Admin:pg', 'state': 'present', 'changed': False, 'action': None, 'credentials_verified': True,
        'credentials_unverified': [], 'credentials_unverified_groups': [], 'purged': False,
    }]
    assert names(server) == ['Admin:pg']
    # Our create came back renamed; its twin was deleted, and the winner read back by name.
    deleted = [c for c in server.calls if c[0] == 'delete']
    assert len(deleted) == 1 and deleted[0][1] not in server.connections
    assert ('get', 'Admin:pg') in server.calls
    assert len(module.warnings) == 1
    assert "Connection 'Admin:pg' was created by someone else" in module.warnings[0]
    assert "stored as 'Admin:pg_1'" in module.warnings[0] and module.warnings[0].endswith('(no change)')


def test_lost_create_of_another_definition_updates_the_winner():
    server = FakeServer()
    module = FakeModule(server)
    server.before_save = other_client_creates(server, item(port=6543, password='old'))
    results = run_many(module, [item()])
    assert [(r['name'], r['changed'], r['action'], r.get('error')) for r in results] == [('Admin:pg', True, 'update', None)]
    assert names(server) == ['Admin:pg']
    [(winner_id, winner)] = list(server.connections.items())
    assert winner['parameters']['port'] == 5432
    assert server.credentials[winner_id] == {'login': 'app', 'password': 's3cret'}
    assert module.warnings[0].endswith('(changed)')


def test_lost_create_whose_winner_is_gone_fails_naming_the_connection():
    server = FakeServer()
    module = FakeModule(server)

    def create_then_vanish(_body):
        winner = server.store(dict(body_of(item()), id=str(uuid.uuid4())), True)
        original = server.delete_connection

        def delete_both(conn_id):
            original(conn_id)
            original(winner['id'])  # the other client deletes its connection right after
        server.delete_connection = delete_both

    server.before_save = create_then_vanish
    results = run_many(module, [item()])
    assert len(results) == 1 and results[0]['changed'] is False
    assert results[0]['error'] == ("Cannot create connection 'Admin:pg': the server stored it as 'Admin:pg_1' (the name is "
                                   "taken: created concurrently?); the duplicate was removed, and no connection of that "
                                   "name can be read back")
    assert names(server) == []
    assert module.warnings == []


def test_single_form_converges_against_the_winner_too():
    server = FakeServer()
    module = FakeModule(server)
    server.before_save = other_client_creates(server, item(port=6543))
    result = run_one(module, item())
    assert (result['name'], result['changed'], result['action']) == ('Admin:pg', True, 'update')
    assert result['connection']['parameters']['port'] == 5432
    assert names(server) == ['Admin:pg']


def test_apply_without_the_item_reports_the_conflict():
    server = FakeServer()
    module = FakeModule(server)
    run = Run(module)
    plan = run.plan(item(), None)
    server.before_save = other_client_creates(server, item())
    with pytest.raises(ItemError) as caught:
        apply_plan(run, plan, None)
    assert str(caught.value) == ("Cannot create connection 'Admin:pg': the server stored it as 'Admin:pg_1' (the name is "
                                 "taken: created concurrently?); the duplicate was removed")
    assert names(server) == ['Admin:pg']


def test_renamed_update_is_reported_and_nothing_deleted():
    server = FakeServer()
    module = FakeModule(server)
    run = Run(module)
    mine = server.store(dict(body_of(item()), id=str(uuid.uuid4())), True)
    plan = run.plan(item(port=6543), server.get_connection(mine['id']))
    assert plan.action == 'update'

    def rename_on_save(body, save_credentials, is_new):
        saved = server.store(dict(body), save_credentials)
        saved['name'] = saved['name'] + '_1'
        return saved

    server.save_connection = rename_on_save
    with pytest.raises(ItemError, match=r"^Cannot update connection 'Admin:pg': the server stored it as 'Admin:pg_1'"):
        apply_plan(run, plan, server.connections[mine['id']], item(port=6543))
    assert not [c for c in server.calls if c[0] == 'delete']
