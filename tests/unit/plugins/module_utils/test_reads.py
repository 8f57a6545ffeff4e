# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reads of many requests: grants with inherited rows and group ids only, and the names behind ids."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

CONN = 'c0ffee00-0000-4000-8000-000000000001'
PROJECT = 'abcdef00-0000-4000-8000-000000000002'


def row(perm_id, group_id, permission, entity=CONN, **extra):
    data = {'id': perm_id, 'entityId': entity, 'userGroup': {'id': group_id}, 'permission': {'name': permission}}
    data.update(extra)
    return data


GROUPS = {'/public/v1/groups/g1': (200, {'id': 'g1', 'name': 'Chemists'}), '/public/v1/groups/g2': (200, {'id': 'g2', 'name': 'Analysts'})}


@pytest.mark.parametrize('inherited_row', [
    # walker.js grantsOf: the row names the project that holds it...
    row('p2', 'g2', 'View', entity=PROJECT),
    # ... or server.js handleSharesList: it carries inheritedByLink on the connection's own id.
    row('p2', 'g2', 'View', entity=PROJECT, inheritedByLink=True),
])
def test_grants_name_groups_known_by_id_and_tell_inherited_rows_apart(inherited_row, routed_client):
    routes = dict(GROUPS)
    routes['/privileges/permissions'] = (200, [row('p1', 'g1', 'Edit'), row('p3', 'g1', 'View'), inherited_row,
                                               {'id': 'px', 'userGroup': {'id': 'g1'}, 'permission': None}])
    routes['/entities/' + PROJECT] = (200, [{'#type': 'Project', 'id': PROJECT, 'name': 'Sales', 'namespace': ''}])
    client, session = routed_client(routes)
    grants = client.list_grants(CONN)
    assert grants == [
        {'id': 'p1', 'group_id': 'g1', 'group': 'Chemists', 'permission': 'Edit', 'inherited_from': None},
        {'id': 'p3', 'group_id': 'g1', 'group': 'Chemists', 'permission': 'View', 'inherited_from': None},
        {'id': 'p2', 'group_id': 'g2', 'group': 'Analysts', 'permission': 'View', 'inherited_from': 'Sales'},
    ]
    # Each group and project is read once, whatever the number of rows (and of later connections).
    client.list_grants(CONN)
    assert session.paths.count('/public/v1/groups/g1') == 1 and session.paths.count('/entities/' + PROJECT) == 1


def test_an_inherited_row_on_the_connections_own_id_is_still_inherited(routed_client):
    routes = dict(GROUPS)
    routes['/privileges/permissions'] = (200, [row('p2', 'g2', 'View', inheritedByLink=True)])
    grants = routed_client(routes)[0].list_grants(CONN)
    assert grants[0]['inherited_from'] == 'a containing project'


def test_rows_with_names_need_no_group_reads(routed_client):
    client, session = routed_client({'/privileges/permissions': (200, [row('p1', 'g9', 'View', userGroup={'id': 'g9', 'name': 'Ops'})])})
    assert client.list_grants(CONN)[0]['group'] == 'Ops'
    assert session.paths == ['/privileges/permissions']


def test_a_project_that_cannot_be_read_is_named_by_its_id(routed_client):
    routes = dict(GROUPS)
    routes['/privileges/permissions'] = (200, [row('p2', 'g2', 'View', entity=PROJECT)])
    routes['/entities/' + PROJECT] = (404, {'#type': 'ApiError', 'message': 'Not Found', 'errorCode': 404})
    assert routed_client(routes)[0].list_grants(CONN)[0]['inherited_from'] == PROJECT
