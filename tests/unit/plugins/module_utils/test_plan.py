# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import re

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._connection.export import export_connection
from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import data_source_error, same_value
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import (
    name_error,
    split_grok_name,
)
from ansible_collections.datagrok.platform.plugins.module_utils._converge.plan import plan_connection
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import (
    MASK,
    PASSWORD_PLACEHOLDER,
    SAME_PASSWORD,
    SECRET_KEPT,
    SECRET_WRITTEN,
    is_secret_key,
    mask_connection,
)
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import canonical_access

SECRET = 'S3cr3t-value-xyz'
OLD_SECRET = 'old-S3cr3t-abc'


def server_conn(**overrides):
    conn = {
        '#type': 'DataConnection', 'id': 'c1', 'name': 'Northwind', 'namespace': 'Admin:',
        'friendlyName': 'Northwind', 'dataSource': 'Postgres', 'description': 'demo',
        'parameters': {'server': 'db', 'port': 5432, 'db': 'nw', 'ssl': False, 'connString': ''},
        'credentials': {'id': 'k1', 'parameters': {'login': 'reader', 'password': PASSWORD_PLACEHOLDER},
                        'openParameters': {'login': 'reader'}},
        'tags': ['demo', 'sales'], 'entityTags': [{'tag': 'demo'}],
        'createdOn': '2026-01-01T00:00:00Z', 'updatedOn': '2026-01-02T00:00:00Z', 'author': {'login': 'admin'},
    }
    conn.update(overrides)
    return conn


def item(**options):
    base = {'name': 'Northwind', 'state': 'present', 'parameters_mode': 'merge',
            'update_credentials': 'when_changed', 'shares_mode': 'add'}
    base.update(options)
    return base


def plan(options, current=None, stored=None, grants=None, groups=None):
    return plan_connection(item(**options), current, 'Admin:', stored, grants, groups)


def no_secrets_in(*things):
    text = json.dumps(things, default=str)
    return SECRET not in text and OLD_SECRET not in text


# -- names and data sources --------------------------------------------------------------------

@pytest.mark.parametrize('name, expected', [
    ('Northwind', (None, 'Northwind')),
    ('Admin:Northwind', ('Admin:', 'Northwind')),
    ('Parent:Child:Name', ('Parent:Child:', 'Name')),
])
def test_split_grok_name(name, expected):
    assert split_grok_name(name) == expected


@pytest.mark.parametrize('name', ['', '   ', 'a.b', 'Admin:', ':x', 'a/b', 'a\\b', 'a\nb', None])
def test_bad_names(name):
    assert name_error(name)


@pytest.mark.parametrize('name', ['Northwind', 'Admin:My Conn', 'x_1', 'Über-DB'])
def test_good_names(name):
    assert name_error(name) is None


def test_data_source_near_miss_suggests_the_right_spelling():
    assert "Did you mean 'Postgres'?" in data_source_error('postgres')
    assert "Did you mean 'MS SQL'?" in data_source_error('mssql')
    assert "Did you mean 'Snowflake'?" in data_source_error('Snowflak')
    assert 'allow_unknown_data_source' in data_source_error('Bogus')
    assert data_source_error('Postgres') is None
    assert data_source_error('Brand New DB', allow_unknown=True) is None


# -- normalisation -----------------------------------------------------------------------------

@pytest.mark.parametrize('a, b', [
    ('5432', 5432), (5432, '5432'), ('true', True), ('False', False), ('', None), ('x', 'x'),
    ({'Server': 'a'}, {'server': 'a'}), ([1, '2'], ['1', 2]), (1.5, '1.5'),
])
def test_same_value(a, b):
    assert same_value(a, b)


@pytest.mark.parametrize('a, b', [
    ('5433', 5432), (True, 1), ('x', 'X'), ({'a': 1}, {'a': 1, 'b': 2}), ([1], [1, 2]), ('0', None),
])
def test_different_value(a, b):
    assert not same_value(a, b)


@pytest.mark.parametrize('key', ['password', 'PWD', 'secretKey', 'passPhrase', 'privateKey', '#OAuthAccessToken',
                                 'access token', 'SAS', 'db_password', 'clientSecret'])
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize('key', ['login', 'server', 'port', 'db', 'accessKey', 'bucket', 'UID'])
def test_not_secret_keys(key):
    assert not is_secret_key(key)


def test_mask_connection_hides_every_secret_and_credential_value():
    conn = server_conn(parameters={'server': 'db', 'password': SECRET})
    conn['credentials']['parameters']['password'] = SECRET
    masked = mask_connection(conn)
    assert masked['parameters'] == {'server': 'db', 'password': MASK}
    assert masked['credentials']['parameters'] == {'login': MASK, 'password': MASK}
    assert masked['credentials']['openParameters'] == {'login': 'reader'}
    assert no_secrets_in(masked)
    assert conn['parameters']['password'] == SECRET  # the input is not modified


# -- create, update, no change ----------------------------------------------------------------

def test_create_sends_everything_and_diff_before_is_empty():
    p = plan({'data_source': 'Postgres', 'parameters': {'server': 'db', 'port': '5432', 'db': 'nw'},
              'credentials': {'login': 'reader', 'password': SECRET}, 'tags': ['b', 'a', 'b']})
    assert p.action == 'create' and p.changed and p.save_credentials
    assert p.body['credentials'] == {'parameters': {'login': 'reader', 'password': SECRET}}
    assert p.body['tags'] == ['a', 'b'] and p.body['name'] == 'Northwind' and 'id' not in p.body
    assert p.before == {}
    # A login is no secret: the diff shows it (Datagrok shows it in openParameters); the password is a marker.
    assert p.after['credentials'] == {'login': 'reader', 'password': SECRET_WRITTEN}
    assert p.after['name'] == 'Admin:Northwind'
    assert no_secrets_in(p.before, p.after, p.predicted)
    assert p.credentials_verified is None


def test_a_missing_connection_without_data_source_says_it_may_not_be_visible_before_what_a_create_needs():
    assert re.match(r"^Connection '\S+' does not exist, or the api_key's user cannot see it; to create it, give data_source$",
                    plan({}).error), plan({}).error


def test_nothing_given_nothing_changes():
    p = plan({}, server_conn())
    assert not p.changed and p.action is None and p.before == p.after


def test_port_as_string_and_case_insensitive_keys_are_no_change():
    p = plan({'parameters': {'Server': 'db', 'port': '5432'}, 'tags': ['sales', 'demo'], 'name': 'northwind'},
             server_conn())
    assert not p.changed


def test_changing_one_parameter_keeps_the_others_in_merge_mode():
    p = plan({'parameters': {'port': 5433}}, server_conn())
    assert p.action == 'update' and not p.save_credentials and 'credentials' not in p.body
    assert p.body['parameters'] == {'server': 'db', 'port': 5433, 'db': 'nw', 'ssl': False, 'connString': ''}
    assert p.body['id'] == 'c1' and p.body['name'] == 'Northwind'
    assert 'entityTags' not in p.body and 'author' not in p.body
    assert p.before['parameters']['port'] == 5432 and p.after['parameters']['port'] == 5433


def test_replace_mode_removes_unlisted_keys_but_keeps_server_defaults():
    p = plan({'parameters': {'server': 'db', 'port': 5432}, 'parameters_mode': 'replace'}, server_conn())
    assert p.action == 'update'
    assert p.body['parameters'] == {'server': 'db', 'port': 5432, 'ssl': False, 'connString': ''}
    settled = server_conn(parameters=p.body['parameters'])
    assert not plan({'parameters': {'server': 'db', 'port': 5432}, 'parameters_mode': 'replace'}, settled).changed


def test_update_keeps_name_spelling_of_the_server():
    p = plan({'name': 'NORTHWIND', 'description': 'new'}, server_conn())
    assert p.body['name'] == 'Northwind' and p.after['description'] == 'new' and p.before['description'] == 'demo'


def test_tags_are_a_set():
    assert plan({'tags': ['sales', 'demo', 'demo']}, server_conn()).action is None
    p = plan({'tags': ['demo']}, server_conn())
    assert p.action == 'update' and p.body['tags'] == ['demo']
    assert p.before['tags'] == ['demo', 'sales'] and p.after['tags'] == ['demo']


def test_ensure_tags_adds_the_scope_tag_without_touching_others():
    p = plan({'ensure_tags': ['managed']}, server_conn())
    assert p.body['tags'] == ['demo', 'managed', 'sales']
    assert not plan({'ensure_tags': ['demo']}, server_conn()).changed


def test_delete():
    p = plan({'state': 'absent'}, server_conn())
    assert p.action == 'delete' and p.after == {} and p.before['name'] == 'Admin:Northwind'
    assert not plan({'state': 'absent'}, None).changed


# -- secrets -----------------------------------------------------------------------------------

CREDS = {'login': 'reader', 'password': SECRET}


def clear_store(password):
    return {'parameters': {'login': 'reader', 'password': password}}


def test_when_changed_with_clear_read_and_same_secret_is_no_change():
    p = plan({'credentials': CREDS}, server_conn(), stored=clear_store(SECRET))
    assert not p.changed and p.credentials_verified is True and p.unverified_keys == []
    assert p.before['credentials'] == p.after['credentials'] == {'login': 'reader', 'password': SECRET_KEPT}


def test_when_changed_with_clear_read_and_rotated_secret_writes_it():
    p = plan({'credentials': CREDS}, server_conn(), stored=clear_store(OLD_SECRET))
    assert p.action == 'update' and p.save_credentials and p.credentials_verified is True
    assert p.body['credentials']['parameters'] == CREDS
    assert p.after['credentials'] == {'login': 'reader', 'password': SECRET_WRITTEN}
    assert no_secrets_in(p.before, p.after, p.predicted)


def test_when_changed_with_masked_read_does_not_rewrite_and_says_so():
    p = plan({'credentials': CREDS}, server_conn(), stored=clear_store(PASSWORD_PLACEHOLDER))
    assert not p.changed and p.credentials_verified is False and p.unverified_keys == ['password']
    p = plan({'credentials': CREDS}, server_conn(), stored=clear_store(SAME_PASSWORD))
    assert not p.changed and p.credentials_verified is False


def test_when_changed_detects_a_login_change_even_on_a_masked_server():
    # A login change sends the password too, uncompared. The diff says it is written, and the run
    # does not claim to have verified it.
    p = plan({'credentials': {'login': 'writer', 'password': SECRET}}, server_conn(), stored=clear_store(PASSWORD_PLACEHOLDER))
    assert p.save_credentials and p.body['credentials']['parameters'] == {'login': 'writer', 'password': SECRET}
    assert p.credentials_verified is False and p.unverified_keys == ['password']
    assert p.before['credentials'] == {'login': 'reader', 'password': SECRET_KEPT}
    assert p.after['credentials'] == {'login': 'writer', 'password': SECRET_WRITTEN}


def test_when_changed_with_no_stored_credentials_writes_them():
    p = plan({'credentials': CREDS}, server_conn(), stored=None)
    assert p.save_credentials


def test_partial_credentials_keep_the_other_stored_keys():
    p = plan({'credentials': {'password': SECRET}}, server_conn(), stored=clear_store(OLD_SECRET))
    assert p.body['credentials']['parameters'] == {'login': PASSWORD_PLACEHOLDER, 'password': SECRET}


def test_always_writes_every_run():
    p = plan({'credentials': CREDS, 'update_credentials': 'always'}, server_conn(), stored=None)
    assert p.changed and p.save_credentials and p.credentials_verified is None
    assert p.after['credentials'] == {'login': 'reader', 'password': SECRET_WRITTEN}


def test_always_keeps_the_credential_keys_it_was_not_given():
    p = plan({'credentials': {'password': SECRET}, 'update_credentials': 'always'}, server_conn(), stored=None)
    assert p.body['credentials']['parameters'] == {'login': PASSWORD_PLACEHOLDER, 'password': SECRET}


def test_create_predicts_the_servers_default_friendly_name():
    assert plan({'data_source': 'Postgres', 'parameters': {'server': 'db', 'db': 'nw'}}).predicted['friendlyName'] == 'Northwind'


def test_on_create_never_writes_an_existing_connection():
    p = plan({'credentials': CREDS, 'update_credentials': 'on_create'}, server_conn())
    assert not p.changed and p.credentials_verified is None and 'credentials' not in p.after


def test_update_without_secrets_never_sends_credentials():
    p = plan({'description': 'x'}, server_conn())
    assert not p.save_credentials and 'credentials' not in p.body


def test_secret_in_parameters_follows_update_credentials():
    conn = server_conn(parameters={'server': 'db', 'password': PASSWORD_PLACEHOLDER})
    p = plan({'parameters': {'server': 'db', 'password': SECRET}}, conn)
    assert not p.changed and p.credentials_verified is False and p.unverified_keys == ['password']
    p = plan({'parameters': {'server': 'db', 'password': SECRET}, 'update_credentials': 'always'}, conn)
    assert p.action == 'update' and p.body['parameters']['password'] == SECRET
    assert p.before['parameters']['password'] == SECRET_KEPT and p.after['parameters']['password'] == SECRET_WRITTEN
    assert no_secrets_in(p.before, p.after, p.predicted)
    p = plan({'parameters': {'server': 'other'}}, conn)
    assert p.body['parameters']['password'] == PASSWORD_PLACEHOLDER  # the stored secret is kept


# -- shares ------------------------------------------------------------------------------------

GROUPS = {'analysts': {'id': 'g1', 'name': 'Analysts'}, 'chemists': {'id': 'g2', 'name': 'Chemists'}}


def grant(perm_id, group_id, name, permission, inherited_from=None):
    # As ServerReads.list_grants gives them.
    return {'id': perm_id, 'group_id': group_id, 'group': name, 'permission': permission, 'inherited_from': inherited_from}


def test_shares_on_create_are_planned_without_revocations():
    p = plan({'data_source': 'Postgres', 'parameters': {'server': 'db', 'db': 'nw'}, 'shares': [{'group': 'Analysts', 'access': 'Edit'}]},
             groups=GROUPS)
    assert p.shares_to_add == [('Analysts', 'Edit')] and p.grants_to_revoke == []
    assert p.after['shares'] == [{'group': 'Analysts', 'access': 'Edit'}]


def test_add_mode_only_adds_and_upgrades():
    grants = [grant('p1', 'g1', 'Analysts', 'View'), grant('p2', 'g9', 'Others', 'View')]
    p = plan({'shares': [{'group': 'analysts', 'access': 'View'}]}, server_conn(), grants=grants, groups=GROUPS)
    assert not p.changed
    p = plan({'shares': [{'group': 'analysts', 'access': 'Edit'}]}, server_conn(), grants=grants, groups=GROUPS)
    assert p.shares_to_add == [('Analysts', 'Edit')] and p.action is None and p.changed


def test_exact_mode_revokes_unlisted_and_downgrades_but_not_inherited():
    grants = [grant('p1', 'g1', 'Analysts', 'View'), grant('p2', 'g1', 'Analysts', 'Edit'),
              grant('p3', 'g9', 'Others', 'View'), grant('p4', 'g8', 'Parent', 'View', inherited_from='Sales')]
    p = plan({'shares': [{'group': 'Analysts', 'access': 'View'}], 'shares_mode': 'exact'}, server_conn(),
             grants=grants, groups=GROUPS)
    assert sorted(p.grants_to_revoke) == ['p2', 'p3'] and p.shares_to_add == []
    assert p.before['shares'] == [{'group': 'Analysts', 'access': 'Edit'}, {'group': 'Others', 'access': 'View'}]
    assert p.after['shares'] == [{'group': 'Analysts', 'access': 'View'}]
    # The inherited grant is shown apart, the same before and after: it belongs to the project.
    assert p.before['inherited_shares'] == p.after['inherited_shares'] == [{'group': 'Parent', 'access': 'View', 'from': ['Sales']}]


def test_exact_downgrade_of_an_edit_only_grant_grants_view_before_revoking_edit():
    # A server whose access=Edit stores only the Edit row (emulator --edit-grant edit-only): revoking it alone
    # would take the group's access away, not lower it.
    grants = [grant('p2', 'g1', 'Analysts', 'Edit')]
    p = plan({'shares': [{'group': 'Analysts', 'access': 'View'}], 'shares_mode': 'exact'}, server_conn(),
             grants=grants, groups=GROUPS)
    assert p.shares_to_add == [('Analysts', 'View')] and p.grants_to_revoke == ['p2']
    assert p.before['shares'] == [{'group': 'Analysts', 'access': 'Edit'}]
    assert p.after['shares'] == [{'group': 'Analysts', 'access': 'View'}]


def test_exact_mode_with_only_an_inherited_grant_is_no_change():
    # A second run of exact shares is unchanged, and never revokes a grant a project holds.
    grants = [grant('p4', 'g2', 'Chemists', 'View', inherited_from='Sales'), grant('p5', 'g2', 'Chemists', 'Edit', inherited_from='Sales')]
    p = plan({'shares': [{'group': 'Analysts', 'access': 'View'}], 'shares_mode': 'exact'}, server_conn(),
             grants=grants + [grant('p1', 'g1', 'Analysts', 'View')], groups=GROUPS)
    assert not p.changed and p.grants_to_revoke == []
    assert p.after['inherited_shares'] == [{'group': 'Chemists', 'access': 'Edit', 'from': ['Sales']}]


@pytest.mark.parametrize('mode', ['add', 'exact'])
def test_a_wanted_share_held_through_a_project_needs_no_grant(mode):
    grants = [grant('p4', 'g2', 'Chemists', 'Edit', inherited_from='Sales')]
    for access in ('View', 'Edit'):
        p = plan({'shares': [{'group': 'chemists', 'access': access}], 'shares_mode': mode}, server_conn(), grants=grants, groups=GROUPS)
        assert not p.changed and p.shares_to_add == [] and p.after['shares'] == []
    # View through the project does not cover a wanted Edit: the connection gets its own grant.
    grants = [grant('p4', 'g2', 'Chemists', 'View', inherited_from='Sales')]
    p = plan({'shares': [{'group': 'Chemists', 'access': 'Edit'}], 'shares_mode': mode}, server_conn(), grants=grants, groups=GROUPS)
    assert p.shares_to_add == [('Chemists', 'Edit')] and p.after['shares'] == [{'group': 'Chemists', 'access': 'Edit'}]


# -- export ------------------------------------------------------------------------------------

def test_export_is_the_input_shape_without_secrets_and_round_trips():
    conn = server_conn(parameters={'server': 'db', 'port': 5432, 'password': PASSWORD_PLACEHOLDER})
    exported = export_connection(conn, grants=[grant('p1', 'g1', 'Analysts', 'View')])
    assert exported == {'name': 'Admin:Northwind', 'id': 'c1', 'data_source': 'Postgres', 'description': 'demo',
                        'friendly_name': 'Northwind', 'parameters': {'server': 'db', 'port': 5432},
                        'tags': ['demo', 'sales'], 'shares': [{'group': 'Analysts', 'access': 'View'}]}
    round_trip = item(**exported)
    assert not plan_connection(round_trip, conn, 'Admin:', None, [grant('p1', 'g1', 'Analysts', 'View')], GROUPS).changed
    # On another instance, the same definition creates the connection under the same id.
    created = plan_connection(dict(round_trip, id=ID, parameters=dict(round_trip['parameters'], db='nw')), None, 'Admin:',
                              groups=GROUPS, home='Admin:')
    assert created.action == 'create' and created.body['id'] == ID.lower() and created.predicted['id'] == ID.lower()


ID = '0D3F1C2E-6F1A-41EF-9A0B-0242AC120002'


@pytest.mark.parametrize('mismatch', ['fail', 'adopt'])
def test_a_connection_under_another_id_fails_or_is_adopted_with_a_notice(mismatch):
    p = plan({'id': ID, 'id_mismatch': mismatch}, server_conn())
    found = "exists under id c1, not under the id given (%s)" % ID
    if mismatch == 'fail':
        assert p.error == "Cannot converge connection 'Northwind': it %s; set id_mismatch: adopt to keep the existing one" % found
        assert not p.changed
    else:
        assert p.error is None and not p.changed and p.notice == "Connection 'Northwind' %s: kept, as id_mismatch is adopt" % found
    assert plan({'id': 'C1'}, server_conn()).error is None  # ids compare ignoring case


@pytest.mark.parametrize('conn_string, masked', [
    ('jdbc:postgresql://db:5432/nw?user=app&password=' + SECRET, 'jdbc:postgresql://db:5432/nw?user=app&password=' + MASK),
    ('Server=db;Database=nw;User Id=app;Pwd=' + SECRET + ';', 'Server=db;Database=nw;User Id=app;Pwd=' + MASK + ';'),
    ('postgresql://app:' + SECRET + '@db/nw', 'postgresql://app:' + MASK + '@db/nw'),
    ('jdbc:postgresql://db:5432/nw', 'jdbc:postgresql://db:5432/nw'),
])
def test_secrets_inside_a_connection_string_are_masked_and_not_exported(conn_string, masked):
    conn = server_conn(parameters={'server': 'db', 'connString': conn_string})
    assert mask_connection(conn)['parameters']['connString'] == masked
    exported = export_connection(conn)['parameters']
    assert ('connString' in exported) == (conn_string == masked)
    assert no_secrets_in(mask_connection(conn), exported)


@pytest.mark.parametrize('given, canonical', [('View', 'View'), ('view', 'View'), ('EDIT', 'Edit'), (' edit ', 'Edit'),
                                              (None, 'View'), ('Admin', None), ('', None), (3, None)])
def test_access_is_taken_in_any_case(given, canonical):
    assert canonical_access(given) == canonical


@pytest.mark.parametrize('given, meant', [('SQL Server', 'MS SQL'), ('sql-server', 'MS SQL'), ('PostgreSQL', 'Postgres'),
                                          ('Amazon S3', 'S3'), ('SAP_HANA', 'SAP HANA'), ('postgres', 'Postgres'),
                                          ('Snowflak', 'Snowflake')])
def test_unknown_data_sources_suggest_datagroks_name(given, meant):
    assert "Did you mean '%s'?" % meant in data_source_error(given)
