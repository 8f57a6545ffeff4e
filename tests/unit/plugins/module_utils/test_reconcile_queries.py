# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A delete or a purge never removes a connection that data queries still use, unless forced."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeModule, FakeServer, run_many, run_one


def deletes(server):
    return [c for c in server.calls if c[0] == 'delete']


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_used_connection_is_not_deleted_and_the_queries_are_named(check_mode):
    server = FakeServer.holding('sales', tags=['managed'])
    server.queries = {server.ids()['sales']: ['Admin:q%d' % n for n in range(5)]}
    module = FakeModule(server)
    module.check_mode = check_mode
    with pytest.raises(ItemError, match=r"^Cannot delete connection 'Admin:sales': 5 queries use it \(Admin:q0, Admin:q1, "
                                        r"Admin:q2, and 2 more\); set force: true to delete it anyway$"):
        run_one(module, {'name': 'sales', 'state': 'absent'})
    assert deletes(server) == [] and list(server.ids()) == ['sales']


def test_force_deletes_it_and_an_unused_one_goes_without_asking():
    server = FakeServer.holding('sales', 'spare', tags=['managed'])
    server.queries = {server.ids()['sales']: ['Admin:orders']}
    module = FakeModule(server)
    assert run_one(module, {'name': 'spare', 'state': 'absent'})['action'] == 'delete'
    assert run_one(module, {'name': 'sales', 'state': 'absent', 'force': True})['action'] == 'delete'
    assert server.ids() == {} and server.calls.count(('queries',)) == 1  # read once per run


def test_a_purge_refuses_before_any_write_unless_forced():
    server = FakeServer.holding('kept', 'used', 'unused', tags=['managed'])
    server.queries = {server.ids()['used']: ['Admin:orders']}
    items = [{'name': 'kept', 'state': 'present', 'tags': ['managed']}]
    with pytest.raises(ItemError, match=r"Cannot delete connection 'Admin:used': 1 query uses it \(Admin:orders\)"):
        run_many(FakeModule(server), items, purge=True, scope={'tag': 'managed'})
    assert deletes(server) == []
    results = run_many(FakeModule(server), items, purge=True, scope={'tag': 'managed'}, force=True)
    assert sorted(r['name'] for r in results if r['purged']) == ['Admin:unused', 'Admin:used'] and list(server.ids()) == ['kept']


def test_a_server_that_lists_no_queries_deletes_as_before():
    server = FakeServer.holding('sales', tags=['managed'])
    assert run_one(FakeModule(server), {'name': 'sales', 'state': 'absent'})['action'] == 'delete'
