# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Credential sets bound to groups: what is written, what is compared, and what cannot be (_connection/credentials.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._connection.credentials import ALL_USERS, SET_NOT_SHOWN, is_own_set
from ansible_collections.datagrok.platform.plugins.module_utils._converge.plan import plan_connection
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import PASSWORD_PLACEHOLDER, SECRET_KEPT, SECRET_WRITTEN
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import item_errors

ANALYSTS = {'id': 'a1', 'name': 'Analysts'}
ETL = {'id': 'E2', 'name': 'ETL'}
GROUPS = {'analysts': ANALYSTS, 'etl': ETL}
ANALYST_SECRET = 'analyst-S3cret-41'
ETL_SECRET = 'etl-S3cret-77'


def connection():
    return {'id': 'c1', 'name': 'pg', 'namespace': 'Admin:', 'dataSource': 'Postgres', 'friendlyName': 'pg',
            'parameters': {'server': 'db', 'db': 'app'}, 'tags': [],
            'credentials': {'parameters': {'login': 'app', 'password': PASSWORD_PLACEHOLDER}, 'openParameters': {'login': 'app'},
                            'group': {'id': ALL_USERS, 'name': 'All users'}}}


def stored(group, login, password):
    return {'parameters': {'login': login, 'password': password}, 'group': dict(group)}


def item(entries, **options):
    base = {'name': 'pg', 'state': 'present', 'data_source': 'Postgres', 'parameters': {'server': 'db', 'db': 'app'},
            'update_credentials': 'when_changed', 'group_credentials': entries}
    base.update(options)
    return base


ENTRIES = [{'group': 'ETL', 'credentials': {'login': 'etl', 'password': ETL_SECRET}},
           {'group': 'analysts', 'credentials': {'login': 'ana', 'password': ANALYST_SECRET}}]


def plan(entries, current, shown=None, **options):
    return plan_connection(item(entries, **options), current, 'Admin:', shown, None, GROUPS)


def test_a_new_connection_gets_every_set_and_the_diff_shows_no_value():
    result = plan(ENTRIES, None)
    assert result.action == 'create'
    assert [(name, group['id'], params) for name, group, params in result.group_credentials_writes] == [
        ('analysts', 'a1', {'login': 'ana', 'password': ANALYST_SECRET}), ('ETL', 'E2', {'login': 'etl', 'password': ETL_SECRET})]
    assert result.after['group_credentials'] == {'analysts': {'login': SECRET_WRITTEN, 'password': SECRET_WRITTEN},
                                                 'ETL': {'login': SECRET_WRITTEN, 'password': SECRET_WRITTEN}}
    assert 'group_credentials' not in result.before
    assert result.credentials_verified is None and result.unverified_groups == []
    shown = json.dumps([result.before, result.after])
    assert ANALYST_SECRET not in shown and ETL_SECRET not in shown and '"ana"' not in shown and '"etl"' not in shown


def test_sets_the_caller_cannot_read_are_reported_not_rewritten():
    # The caller reads the connection's own set (All users): neither group's set is shown.
    own = stored({'id': ALL_USERS, 'name': 'All users'}, 'app', 'app-pw')
    result = plan(ENTRIES, connection(), own)
    assert not result.changed and result.group_credentials_writes == []
    assert result.credentials_verified is False and result.unverified_groups == ['analysts', 'ETL']
    assert result.before['group_credentials']['ETL'] == result.after['group_credentials']['ETL'] == {
        'login': SECRET_KEPT, 'password': SECRET_KEPT}


def test_always_writes_a_set_the_caller_cannot_read():
    own = stored({'id': ALL_USERS}, 'app', 'app-pw')
    entries = [dict(ENTRIES[0], update_credentials='always'), ENTRIES[1]]
    result = plan(entries, connection(), own)
    assert result.changed and result.action is None
    assert [name for name, _group, _params in result.group_credentials_writes] == ['ETL']
    assert result.before['group_credentials']['ETL'] == SET_NOT_SHOWN
    assert result.after['group_credentials']['ETL'] == {'login': SECRET_WRITTEN, 'password': SECRET_WRITTEN}
    assert result.unverified_groups == ['analysts']


@pytest.mark.parametrize('password, login, extra, write', [
    (ETL_SECRET, 'etl', {}, False),
    ('rotated-away', 'etl', {}, True),
    (ETL_SECRET, 'someone-else', {}, True),
    (ETL_SECRET, 'etl', {'role': 'r'}, True),  # a key stored but not wanted: the set is written whole
])
def test_a_set_the_caller_reads_is_compared_whole(password, login, extra, write):
    shown = stored({'id': 'e2', 'name': 'ETL'}, login, password)  # ids compare ignoring case
    shown['parameters'].update(extra)
    result = plan([ENTRIES[0]], connection(), shown)
    assert bool(result.group_credentials_writes) is write and result.changed is write
    assert result.unverified_groups == []
    # The caller reads the ETL set, not the connection's own: O(credentials) cannot be compared now.
    with_own = plan([ENTRIES[0]], connection(), shown, credentials={'login': 'app', 'password': 'app-pw'})
    assert with_own.action is None and with_own.unverified_keys == ['login', 'password']
    assert with_own.credentials_verified is False


def test_a_set_read_as_placeholders_is_unverified():
    shown = stored({'id': 'E2', 'name': 'ETL'}, 'etl', PASSWORD_PLACEHOLDER)
    result = plan([ENTRIES[0]], connection(), shown)
    assert not result.changed and result.unverified_groups == ['ETL']


def test_on_create_leaves_an_existing_connection_alone():
    entries = [dict(ENTRIES[0], update_credentials='on_create')]
    result = plan(entries, connection(), stored({'id': ALL_USERS}, 'app', 'x'))
    assert not result.changed and result.unverified_groups == [] and 'group_credentials' not in result.after
    assert plan(entries, None).group_credentials_writes


def test_the_own_set_is_recognised_by_id_by_name_or_by_saying_nothing():
    assert is_own_set({'group': {'id': ALL_USERS.upper()}})
    assert is_own_set({'group': {'name': 'All Users'}})
    assert is_own_set({'parameters': {}}) and is_own_set(None)
    assert not is_own_set({'group': {'id': 'e2', 'name': 'ETL'}})


@pytest.mark.parametrize('entries, options, problem', [
    ([{'group': 'ETL', 'credentials': {'login': 'a'}}, {'group': 'etl', 'credentials': {'login': 'b'}}], {},
     "group_credentials: group 'etl' is listed twice"),
    ([{'group': 'All Users', 'credentials': {'login': 'a'}}], {}, "holds the connection's own set: give it as credentials"),
    ([{'group': ' ', 'credentials': {'login': 'a'}}], {}, 'group_credentials: group must not be empty'),
    ([{'group': 'ETL', 'credentials': {}}], {}, "the credentials of group 'ETL' must be a non-empty mapping"),
    ([{'group': 'ETL', 'credentials': {'pasword': ETL_SECRET}}], {},
     "group_credentials: group 'ETL': credentials: 'pasword' is not a credential of Postgres. Did you mean 'password'?"),
    (ENTRIES, {'group_credentials_mode': 'exact'}, 'group_credentials_mode: exact would remove the sets of groups not listed'),
])
def test_bad_entries_fail_before_any_request_and_show_no_secret(entries, options, problem):
    errors = item_errors(item(entries, **options))
    assert any(problem in e for e in errors), errors
    assert ETL_SECRET not in json.dumps(errors)
