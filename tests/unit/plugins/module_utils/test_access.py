# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode foresees an HTTP 403 only where the caller's access is known to be short of a write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._converge.access import ADMINISTRATORS, credentials_refusal, write_refusal

CONN = 'c0ffee00-0000-4000-8000-000000000001'
ALICE, ADMIN = 'u-alice', 'u-admin'
CURRENT = {'id': CONN, 'namespace': 'Admin:', 'author': {'id': ADMIN}}


def routes_for(parents_of_team, rows, user=ALICE):
    """alice's personal group g-alice is in Team, and Team in the groups given."""
    return {
        '/public/v1/users/current': (200, {'id': user, 'login': 'alice', 'group': {'id': 'g-alice'}}),
        '/public/v1/groups/g-alice/memberships': (200, [{'id': 'g-team'}]),
        '/public/v1/groups/g-team/memberships': (200, [{'id': g} for g in parents_of_team]),
        '/privileges/permissions': (200, rows),
        '/public/v1/groups/g-team': (200, {'id': 'g-team', 'name': 'Team'}),
        '/public/v1/groups/g-other': (200, {'id': 'g-other', 'name': 'Other'}),
    }


def grant(group_id, permission):
    return {'id': 'p-' + permission, 'entityId': CONN, 'userGroup': {'id': group_id}, 'permission': {'name': permission}}


def test_view_through_a_nested_group_is_refused_naming_the_operation_connection_and_user(routed_client):
    client, session = routed_client(routes_for([], [grant('g-team', 'View'), grant('g-other', 'Edit')]))
    problem = write_refusal(client, 'update', 'Admin:pg', CURRENT)
    assert problem.startswith("Cannot update connection 'Admin:pg': the api_key's user (alice)")
    assert 'holds only View' in problem and 'HTTP 403' in problem
    # The caller is read once per client, however many connections are checked.
    write_refusal(client, 'delete', 'Admin:pg', CURRENT)
    assert session.paths.count('/public/v1/users/current') == 1


@pytest.mark.parametrize('parents, rows, user', [
    ([], [grant('g-team', 'Edit')], ALICE),         # Edit through a group
    ([], [grant('g-alice', 'Share')], ALICE),       # any permission beyond View may allow it: the server decides
    ([ADMINISTRATORS], [], ALICE),                  # an administrator, through nesting
    ([], [], ADMIN),                                # the author
])
def test_who_may_write_is_not_refused(routed_client, parents, rows, user):
    client = routed_client(routes_for(parents, rows, user))[0]
    assert write_refusal(client, 'update', 'Admin:pg', CURRENT) is None


@pytest.mark.parametrize('broken, current', [
    ('/privileges/permissions', CURRENT),                          # grants cannot be read
    ('/public/v1/users/current', CURRENT),                         # the caller cannot be read
    (None, dict(CURRENT, author=None)),                            # the author is not shown
    (None, dict(CURRENT, namespace='System:')),                    # global permissions decide
])
def test_what_cannot_be_known_is_left_to_the_server(routed_client, broken, current):
    routes = routes_for([], [grant('g-team', 'View')])
    routes.pop(broken, None)
    client = routed_client(routes)[0]
    assert write_refusal(client, 'update', 'Admin:pg', current) is None


def test_grants_already_read_for_the_plan_are_not_read_again(routed_client):
    client, session = routed_client(routes_for([], []))
    grants = [{'id': 'p1', 'group_id': 'g-alice', 'permission': 'View', 'group': 'Alice', 'inherited_from': None}]
    assert 'only View' in write_refusal(client, 'share', 'Admin:pg', CURRENT, grants)
    assert '/privileges/permissions' not in session.paths


def sets_for(*group_ids):
    return [(g, {'id': g}, {'login': 'x'}) for g in group_ids]


def test_a_group_set_needs_an_administrator_of_the_platform_or_of_the_group(routed_client):
    # alice administers g-team (the memberships of her personal group, admin=true, answer g-team here).
    client, session = routed_client(routes_for([], []))
    assert credentials_refusal(client, 'Admin:pg', sets_for('g-team')) is None
    problem = credentials_refusal(client, 'Admin:pg', sets_for('g-team', 'g-other'))
    assert problem.startswith("Cannot write the credentials of group 'g-other' of connection 'Admin:pg': the api_key's user "
                              "(alice) is not an administrator, nor of group g-other") and 'HTTP 403' in problem
    assert [params for method, url, params, body in session.sent if url.endswith('/groups/g-alice/memberships')] == [
        {}, {'admin': 'true'}]  # her groups (caller_groups), then those she administers, each read once
    admin = routed_client(routes_for([ADMINISTRATORS], []))[0]
    assert credentials_refusal(admin, 'Admin:pg', sets_for('g-other')) is None
    assert credentials_refusal(client, 'Admin:pg', []) is None


def test_a_group_set_is_left_to_the_server_when_the_groups_cannot_be_read(routed_client):
    routes = routes_for([], [])
    routes['/public/v1/groups/g-alice/memberships'] = (500, {'ApiError': 'broken'})
    assert credentials_refusal(routed_client(routes)[0], 'Admin:pg', sets_for('g-other')) is None
