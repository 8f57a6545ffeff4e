# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A rename through previous_names keeps the connection's id, in the single and the bulk form (_converge/references.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import item_errors
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeModule, FakeServer, run_many, run_one


def item(name='sales', **options):
    base = {'name': name, 'state': 'present', 'update_credentials': 'when_changed', 'parameters_mode': 'merge'}
    base.update(options)
    return base


def test_the_only_previous_name_is_renamed_in_place_and_then_found():
    server = FakeServer.holding('sales_old')
    before = server.ids()
    module = FakeModule(server)
    result = run_one(module, item(previous_names=['gone', 'sales_old']))
    assert result['changed'] and result['action'] == 'update' and result['renamed_from'] == 'Admin:sales_old'
    assert result['diff']['before']['name'] == 'Admin:sales_old' and result['diff']['after']['name'] == 'Admin:sales'
    assert server.ids() == {'sales': before['sales_old']}
    # The friendly name was the old name: it follows.
    assert server.connections[before['sales_old']]['friendlyName'] == 'sales'
    again = run_one(module, item(previous_names=['gone', 'sales_old']))
    assert not again['changed'] and 'renamed_from' not in again


def test_check_mode_predicts_the_rename_without_a_write():
    server = FakeServer.holding('sales_old')
    module = FakeModule(server)
    module.check_mode = True
    result = run_one(module, item(previous_names=['sales_old']))
    assert result['changed'] and result['renamed_from'] == 'Admin:sales_old' and result['connection']['name'] == 'sales'
    assert not [c for c in server.calls if c[0] in ('save', 'delete')]


@pytest.mark.parametrize('names, previous, problem', [
    (('sales', 'sales_old'), ['sales_old'], r"^Cannot rename connection 'Admin:sales_old' to 'Admin:sales': both exist \(ids "),
    (('a', 'b'), ['a', 'b'], r"^Cannot rename connection 'Admin:sales': more than one of its previous_names exists \(Admin:a, Admin:b\)"),
    (('a',), ['Other:a'], r"^Invalid option previous_names: 'Other:a' is in another namespace than 'Admin:sales'"),
])
def test_ambiguous_renames_fail_naming_the_connections_and_write_nothing(names, previous, problem):
    server = FakeServer.holding(*names)
    with pytest.raises(ItemError, match=problem):
        run_one(FakeModule(server), item(previous_names=previous))
    assert not [c for c in server.calls if c[0] in ('save', 'delete')]


def test_neither_name_exists_so_the_connection_is_created():
    server = FakeServer.holding()
    result = run_one(FakeModule(server),
                     item(previous_names=['old'], data_source='Postgres', parameters={'server': 'db', 'db': 'x'}))
    assert result['action'] == 'create' and 'renamed_from' not in result and list(server.ids()) == ['sales']


def test_the_bulk_form_renames_and_its_purge_keeps_the_renamed_connection():
    server = FakeServer.holding('sales_old', 'unlisted')
    before = server.ids()
    items = [item(previous_names=['sales_old'], tags=['managed'])]
    results = run_many(FakeModule(server), items, purge=True, scope={'namespace': 'Admin:'})
    assert [(r['name'], r['action'], r.get('renamed_from'), r['purged']) for r in results] == [
        ('Admin:sales', 'update', 'Admin:sales_old', False), ('Admin:unlisted', 'delete', None, True)]
    assert server.ids() == {'sales': before['sales_old']}


def test_two_items_that_would_converge_one_connection_are_refused_before_any_write():
    server = FakeServer.holding('sales_old')
    with pytest.raises(ItemError, match=r"connections\[0\] and connections\[1\] both converge connection 'Admin:sales_old'"):
        run_many(FakeModule(server), [item(previous_names=['sales_old']), item('sales_old')])
    assert not [c for c in server.calls if c[0] in ('save', 'delete')]


@pytest.mark.parametrize('options, problem', [
    ({'previous_names': ['sales']}, "previous_names: 'sales' is the name itself or listed twice"),
    ({'previous_names': ['a', 'A']}, "previous_names: 'A' is the name itself or listed twice"),
    ({'previous_names': ['a.b']}, "previous_names: 'a.b' cannot be addressed through the API"),
    ({'previous_names': ['a'], 'state': 'absent'}, 'previous_names: only with state present'),
])
def test_bad_previous_names_are_refused_before_any_request(options, problem):
    assert any(problem in e for e in item_errors(item(**options))), item_errors(item(**options))


NEW_ID = '9b2f4c1e-1111-4a2b-8c3d-0242ac120099'


def test_a_create_under_a_given_id_gets_that_id():
    server = FakeServer.holding()
    result = run_one(FakeModule(server),
                     item(id=NEW_ID.upper(), data_source='Postgres', parameters={'server': 'db', 'db': 'x'}))
    assert result['action'] == 'create' and server.ids() == {'sales': NEW_ID}


@pytest.mark.parametrize('bulk', [False, True])
def test_an_id_held_by_another_connection_is_refused_before_any_write(bulk):
    server = FakeServer.holding('other')
    taken = server.ids()['other']
    wanted = item(id=taken, data_source='Postgres', parameters={'server': 'db', 'db': 'x'})
    module = FakeModule(server)
    with pytest.raises(ItemError, match=r"Cannot create connection 'Admin:sales' under id %s: that id is connection 'Admin:other'" % taken):
        run_many(module, [wanted, item('spare', data_source='Postgres', parameters={'server': 'db', 'db': 'y'})]) if bulk \
            else run_one(module, wanted)
    assert not [c for c in server.calls if c[0] in ('save', 'delete')]
    # Several items are answered from the complete listing; a single one reads the id.
    assert [c for c in server.calls if c == ('get', taken)] == ([] if bulk else [('get', taken)])


def test_two_items_giving_one_id_are_bad_input():
    with pytest.raises(ItemError, match=r"^Invalid option connections: connections\[0\] and connections\[1\] both give id "):
        run_many(FakeModule(FakeServer.holding()), [item('a', id=NEW_ID), item('b', id=NEW_ID.upper())])


def test_an_id_that_is_no_uuid_is_refused():
    assert "id: must be a UUID such as 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002, got 'c1'" in item_errors(item(id='c1'))


def test_an_adopted_id_mismatch_warns_once_naming_both_ids():
    server = FakeServer.holding('sales')
    module = FakeModule(server)
    result = run_one(module, item(id=NEW_ID, id_mismatch='adopt', description='kept'))
    assert result['changed'] and result['connection']['id'] == server.ids()['sales'] != NEW_ID
    assert module.warnings == ["Connection 'Admin:sales' exists under id %s, not under the id given (%s): kept, as id_mismatch is "
                               "adopt" % (server.ids()['sales'], NEW_ID)]


def test_unknown_share_groups_name_their_items_all_at_once_before_any_write():
    server = FakeServer.holding('G1', 'G2')
    items = [item('G1', shares=[{'group': 'Sales', 'access': 'View'}]), item('G2', shares=[{'group': 'Marketing', 'access': 'View'}])]
    with pytest.raises(ItemError) as caught:
        run_many(FakeModule(server), items)
    assert str(caught.value) == ("Invalid option connections[1] (G2): shares: group 'Marketing' does not exist on the server; "
                                 "connections[0] (G1): shares: group 'Sales' does not exist on the server")
    assert not [c for c in server.calls if c[0] in ('save', 'delete')]


def test_the_bulk_form_of_one_item_names_it_as_the_bulk_form_does():
    with pytest.raises(ItemError, match=r"^Invalid option connections\[0\] \(bad/name\): name: "):
        run_many(FakeModule(FakeServer.holding()), [item('bad/name')])
