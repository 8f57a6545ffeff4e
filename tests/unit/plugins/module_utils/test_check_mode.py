# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode writes nothing, whatever the change consists of, and a purge deletes only inside its scope."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.tests.unit.fakes import FakeModule, FakeServer, run_many, run_one

WRITES = ('save', 'delete', 'share', 'group credentials')


def writes(server):
    return [c for c in server.calls if c[0] in WRITES]


def held(name, **extra):
    """An item that matches what FakeServer.holding stores for ``name``, with ``extra``."""
    return dict({'name': name, 'data_source': 'Postgres', 'parameters': {'server': 'db', 'db': name}}, **extra)


def server_with_chemists():
    server = FakeServer.holding('sales')
    server.groups['Chemists'] = {'#type': 'Group', 'id': 'g-chemists', 'name': 'Chemists'}
    return server


@pytest.mark.parametrize('change', [
    {'shares': [{'group': 'Chemists', 'access': 'View'}]},
    {'group_credentials': [{'group': 'Chemists', 'credentials': {'login': 'chem', 'password': 'Chem-S3cret'}, 'update_credentials': 'always'}]},
], ids=['shares', 'group_credentials'])
def test_a_change_of_shares_or_group_credentials_alone_is_predicted_and_written_only_for_real(change):
    server = server_with_chemists()
    module = FakeModule(server)
    module.check_mode = True
    predicted = run_one(module, held('sales', **change))
    assert predicted['changed'] and writes(server) == []
    module.check_mode = False
    written = run_one(module, held('sales', **change))
    assert written['changed'] == predicted['changed']
    assert [c[0] for c in writes(server)] == ['share' if 'shares' in change else 'group credentials']


def test_a_purge_scoped_to_a_namespace_leaves_the_same_tag_in_another_namespace_alone():
    server = FakeServer.holding('kept', 'stale', tags=['managed'])
    server.store({'name': 'theirs', 'dataSource': 'Postgres', 'parameters': {'server': 'db'}, 'tags': ['managed']}, False,
                 namespace='Team:')
    items = [held('kept', tags=['managed'])]
    for check_mode in (True, False):
        module = FakeModule(server)
        module.check_mode = check_mode
        results = run_many(module, items, purge=True, scope={'namespace': 'Admin:', 'tag': 'managed'})
        assert sorted(r['name'] for r in results if r['purged']) == ['Admin:stale']
    assert sorted(c['namespace'] + c['name'] for c in server.connections.values()) == ['Admin:kept', 'Team:theirs']
