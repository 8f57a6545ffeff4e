"""Behaviour of the emulator itself, over plain HTTP (standard library only)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
import uuid
import http.client
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException
from urllib.parse import urlsplit

import pytest

from datagrok_testkit import ADMIN_KEY
from datagrok_emulator.store import ADMIN_USER, ALICE_GROUP, ALICE_USER, ALL_USERS, ANALYSTS, CHEMISTS, DEVELOPERS, Store

PLACEHOLDER = '_' * 13
SAME_PASSWORD = 'not\u2014changed'
CONNS = '/public/v1/connections'


def pg_conn(name='Northwind', **extra):
    body = {'name': name, 'dataSource': 'Postgres', 'description': 'demo',
            'parameters': {'server': 'db.example', 'port': 5432, 'db': 'northwind'},
            'credentials': {'parameters': {'login': 'app', 'password': 's3cret'}}}
    body.update(extra)
    return body


def save(emulator, body, user='admin', creds=True):
    response = emulator.call('POST', CONNS, user=user, body=body, params={'saveCredentials': 'true' if creds else 'false'})
    assert response.status == 200, response.raw
    return response.json()


def stored_parameters(emulator, conn_id):
    """Secrets in `parameters` are never readable over the API, so look at the state file."""
    db = sqlite3.connect(emulator.state)
    try:
        return json.loads(db.execute('SELECT parameters FROM connections WHERE id = ?', (conn_id,)).fetchone()[0])
    finally:
        db.close()


def assert_api_error(response, code, status=None):
    assert response.status == (code if status is None else status), response.raw
    assert response.headers.get('api-error') == 'true'
    assert response.headers.get('content-type') == 'application/json'
    body = response.json()
    assert body['#type'] == 'ApiError' and body['errorCode'] == code and body['message']
    return body


def test_healthcheck_info_and_prefixes(emulator):
    for prefix in ('', '/api'):
        health = emulator.call('GET', prefix + '/public/v1/healthcheck', user=None)
        assert health.status == 200
        assert health.json()['status'] == 'ok' and health.json()['version'] == '1.27.9'
        assert emulator.call('GET', prefix + '/info/server', user=None).json() == {'Version': '1.27.9', 'Commit': 'emulator'}
        assert emulator.call('GET', prefix + '/public/v1/users/current').json()['login'] == 'admin'
    assert_api_error(emulator.call('GET', '/public/v1/nothing-here'), 404)


def test_auth(emulator):
    assert_api_error(emulator.call('GET', '/public/v1/users/current', user=None), 401)
    assert_api_error(emulator.call('GET', '/public/v1/users/current', key='wrong'), 401)
    assert emulator.call('GET', '/public/v1/users/current', user='alice', bearer=False).json()['login'] == 'alice'
    assert_api_error(emulator.call('POST', '/users/login/dev/wrong', user=None), 401)
    token = emulator.call('POST', '/users/login/dev/' + emulator.user_key, user=None).json()['token']
    assert emulator.call('GET', '/public/v1/users/current', key=token, bearer=False).json()['login'] == 'alice'


@pytest.mark.parametrize('reading, internal, public', [
    ('internal', 'Admin', None), ('public', 'Admin', 'Admin'), ('absent', None, None)])
def test_current_user_carries_the_project_per_reading(start_emulator, reading, internal, public):
    # pusher.js currentNamespace reads project.name of the internal /users/current; the public one may lack it.
    emulator = start_emulator('--user-project', reading)
    assert (emulator.call('GET', '/users/current').json().get('project') or {}).get('name') == internal
    assert (emulator.call('GET', '/public/v1/users/current').json().get('project') or {}).get('name') == public
    assert emulator.call('GET', '/public/v1/users/current').json()['group']['name'] == 'Admin'


def test_users_and_groups(emulator):
    admin = emulator.call('GET', '/users/current').json()
    assert admin['project']['name'] + ':' == 'Admin:'
    assert admin['group']['personal'] is True and admin['group']['name'] == 'Admin'
    alice = emulator.call('GET', '/public/v1/users/alice').json()
    assert alice['friendlyName'] == 'Alice' and alice['status'] == 'active'
    assert emulator.call('GET', '/public/v1/users/' + alice['id']).json()['login'] == 'alice'
    assert_api_error(emulator.call('GET', '/public/v1/users/nobody'), 404)

    current = emulator.call('GET', '/public/v1/groups/current', user='alice').json()
    assert current['name'] == 'Alice' and current['personal'] is True
    assert {r['parent']['name'] for r in current['parents']} == {'All users', 'Chemists'}
    found = emulator.call('GET', '/public/v1/groups/lookup', params={'query': 'CHEM'}).json()
    assert [g['name'] for g in found] == ['Chemists'] and 'children' not in found[0]
    group = emulator.call('GET', '/public/v1/groups/a4b45840-9a50-11e6-9cc9-8546b8bf62e6').json()
    assert group['name'] == 'All users'
    assert {r['child']['name'] for r in group['children']} == {'Admin', 'Alice'}
    assert emulator.call('GET', '/public/v1/groups/administrators').json()['id'] == '1ab8b38d-9c4e-4b1e-81c3-ae2bde3e12c5'
    names = [g['name'] for g in emulator.call('GET', '/public/v1/groups', params={'text': 'personal=false'}).json()]
    assert names == ['Administrators', 'All users', 'Analysts', 'Chemists', 'Developers']
    personal = emulator.call('GET', '/public/v1/groups', params={'text': 'personal = true'}).json()
    assert [g['name'] for g in personal] == ['Admin', 'Alice']
    members = emulator.call('GET', '/public/v1/groups/Chemists/members').json()
    assert [g['name'] for g in members] == ['Alice']


def test_restart_keeps_everything(start_emulator):
    first = start_emulator()
    conn = save(first, pg_conn())
    assert first.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists', 'access': 'Edit'}).status == 200
    assert first.stop() == 0
    second = start_emulator(state=first.state, name='second')
    again = second.call('GET', CONNS + '/' + conn['id']).json()
    assert again == conn
    assert second.call('GET', '/public/v1/credentials/for/' + conn['id']).json()['parameters'] == {'login': 'app', 'password': 's3cret'}
    rows = second.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()
    assert sorted(r['permission']['name'] for r in rows) == ['Edit', 'View']
    assert second.call('GET', CONNS + '/' + conn['id'], user='alice').status == 200
    assert stored_parameters(second, conn['id']) == {'server': 'db.example', 'port': 5432, 'db': 'northwind'}


def test_error_style_ok_with_header(start_emulator):
    emulator = start_emulator('--error-style', 'ok-with-header')
    assert assert_api_error(emulator.call('GET', CONNS + '/Admin.Missing'), 404, status=200)['message'] == 'Not Found'
    assert_api_error(emulator.call('GET', CONNS, user=None), 401, status=200)
    assert_api_error(emulator.call('POST', CONNS, body={'name': 'x', 'dataSource': 'Nope'}), 400, status=200)
    ok = emulator.call('GET', CONNS)
    assert ok.status == 200 and not ok.is_api_error and ok.json() == []


def test_error_style_status(emulator):
    assert assert_api_error(emulator.call('GET', CONNS + '/Admin.Missing'), 404)['message'] == 'Not Found'


@pytest.mark.parametrize('mode', ['clear', 'masked'])
def test_credentials_read_modes(start_emulator, mode):
    emulator = start_emulator('--credentials-read', mode)
    conn = save(emulator, pg_conn())
    creds = emulator.call('GET', '/public/v1/credentials/for/' + conn['id']).json()
    assert creds['#type'] == 'Credentials' and creds['entityBindId'] == conn['id'] and creds['group']['name'] == 'All users'
    assert creds['openParameters'] == {'login': 'app'}
    assert creds['parameters'] == {'login': 'app', 'password': 's3cret' if mode == 'clear' else PLACEHOLDER}
    # The connection itself always shows the credentials masked.
    assert conn['credentials']['parameters'] == {'login': 'app', 'password': PLACEHOLDER}


@pytest.mark.parametrize('reading', ['template', 'names'])
def test_masking_and_placeholders_keep_secrets(start_emulator, reading):
    emulator = start_emulator('--masking', reading)
    body = pg_conn(parameters={'server': 'db.example', 'password': 'p-param', 'clientSecret': 'cs', 'Shared Token': 'st',
                               'apiPasswordHash': 'h', 'ssl': False, 'emptyPassword': ''})
    conn = save(emulator, body)
    # template: only what Postgres's template marks secret (a password editor); names: every key that looks secret.
    looks_secret = PLACEHOLDER if reading == 'names' else None
    assert conn['parameters'] == {'server': 'db.example', 'password': PLACEHOLDER, 'clientSecret': looks_secret or 'cs',
                                  'Shared Token': looks_secret or 'st', 'apiPasswordHash': looks_secret or 'h', 'ssl': False,
                                  'emptyPassword': ''}
    got = emulator.call('GET', CONNS + '/' + conn['id']).json()
    assert got == conn
    # Read-modify-write: everything sent back as read, one placeholder replaced by SAME_PASSWORD.
    got['description'] = 'changed'
    got['parameters']['clientSecret'] = SAME_PASSWORD
    updated = save(emulator, got)
    assert updated['description'] == 'changed' and updated['createdOn'] == conn['createdOn']
    assert stored_parameters(emulator, conn['id'])['password'] == 'p-param'
    assert stored_parameters(emulator, conn['id'])['clientSecret'] == 'cs'
    assert emulator.call('GET', '/public/v1/credentials/for/' + conn['id']).json()['parameters']['password'] == 's3cret'
    # A placeholder with nothing stored behind it is not stored.
    fresh = save(emulator, pg_conn(name='Other', parameters={'password': PLACEHOLDER}))
    assert fresh['parameters'] == {}


def test_save_credentials_false_keeps_credentials(emulator):
    conn = save(emulator, pg_conn())
    body = pg_conn(id=conn['id'], credentials={'parameters': {'login': 'other', 'password': 'other'}})
    save(emulator, body, creds=False)
    creds = emulator.call('GET', '/public/v1/credentials/for/' + conn['id']).json()
    assert creds['parameters'] == {'login': 'app', 'password': 's3cret'}
    # saveCredentials=true: the sent set replaces the stored one (keys not sent are dropped).
    save(emulator, pg_conn(id=conn['id'], credentials={'parameters': {'password': PLACEHOLDER, 'role': 'r'}}))
    creds = emulator.call('GET', '/public/v1/credentials/for/' + conn['id']).json()
    assert creds['parameters'] == {'password': 's3cret', 'role': 'r'}
    assert creds['id'] == conn['credentials']['id']


def test_duplicate_names_are_renamed(emulator):
    first = save(emulator, pg_conn(name='Sales'))
    second = save(emulator, pg_conn(name='SALES'))
    third = save(emulator, pg_conn(name='sales'))
    assert (first['name'], second['name'], third['name']) == ('Sales', 'SALES_1', 'sales_2')
    assert second['friendlyName'] == 'SALES_1'
    # Saving under its own id keeps the name; renaming onto a taken name is renamed too.
    assert save(emulator, dict(first, name='Sales'))['name'] == 'Sales'
    assert save(emulator, pg_conn(id=third['id'], name='sales_1'))['name'] == 'sales_1_1'
    # Another user's namespace is another scope.
    assert save(emulator, pg_conn(name='Sales'), user='alice')['name'] == 'Sales'


def test_duplicate_names_with_wildcards_and_other_letters(emulator):
    # The clash check reads only the names that can clash (SQL LIKE): its wildcards and escape are plain letters here,
    # and case is folded for every letter, not only ASCII.
    for first, second, stored in (('Q\\1', 'q\\1', 'q\\1_1'), ('Q%', 'q%', 'q%_1'), ('Q_', 'q_', 'q__1'),
                                  ('Straße', 'STRASSE', 'STRASSE_1'), ('äpfel', 'ÄPFEL', 'ÄPFEL_1'),
                                  ('Kelvin', '\u212aelvin', '\u212aelvin_1')):
        assert save(emulator, pg_conn(name=first))['name'] == first
        assert save(emulator, pg_conn(name=second))['name'] == stored
    assert save(emulator, pg_conn(name='Q'))['name'] == 'Q' and save(emulator, pg_conn(name='Q_1'))['name'] == 'Q_1'


def test_addressing_by_grok_name(emulator):
    conn = save(emulator, pg_conn(name='My Conn'))
    for ref in ('Admin.My%20Conn', 'admin.my%20conn', 'ADMIN.MY%20CONN', 'Admin%3AMy%20Conn', 'My%20Conn', conn['id'].upper()):
        response = emulator.call('GET', CONNS + '/' + ref)
        assert response.status == 200, ref
        assert response.json()['id'] == conn['id']
    assert_api_error(emulator.call('GET', CONNS + '/Alice.My%20Conn'), 404)
    assert_api_error(emulator.call('GET', CONNS + '/' + str(uuid.uuid4())), 404)


def test_create_and_update_rules(emulator):
    client_id = str(uuid.uuid4())
    created = save(emulator, pg_conn(id=client_id, namespace='Elsewhere:', tags=['demo', 'chem']))
    assert created['id'] == client_id and created['namespace'] == 'Admin:' and created['author']['login'] == 'admin'
    assert created['#type'] == 'DataConnection' and created['createdOn'].endswith('Z')
    assert [t['tag'] for t in created['entityTags']] == ['demo', 'chem']
    no_id = emulator.call('POST', CONNS, body={'name': 'NoId', 'dataSource': 'S3'}).json()
    assert uuid.UUID(no_id['id']) and no_id['parameters'] == {} and no_id['tags'] == [] and no_id['friendlyName'] == 'NoId'
    # Alice edits (after an Edit share): the namespace and the author stay.
    emulator.call('POST', '/public/v1/entities/%s/shares' % client_id, params={'groups': 'alice', 'access': 'Edit'})
    updated = save(emulator, dict(created, description='by alice'), user='alice')
    assert updated['namespace'] == 'Admin:' and updated['author']['login'] == 'admin' and updated['description'] == 'by alice'
    assert_api_error(emulator.call('POST', CONNS, body={'dataSource': 'Postgres'}), 400)
    assert_api_error(emulator.call('POST', CONNS, body={'name': ' ', 'dataSource': 'Postgres'}), 400)
    assert_api_error(emulator.call('POST', CONNS, body={'name': 'x', 'dataSource': 'postgres'}), 400)
    assert_api_error(emulator.call('POST', CONNS, body={'name': 'x', 'dataSource': 'Postgres', 'id': 'not-a-uuid'}), 400)
    bad_creds = {'name': 'BadCreds', 'dataSource': 'Postgres', 'credentials': {'parameters': ['login']}}
    assert_api_error(emulator.call('POST', CONNS, body=bad_creds, params={'saveCredentials': 'true'}), 400)
    assert_api_error(emulator.call('GET', CONNS + '/Admin.BadCreds'), 404)
    for source in ('Databricks', 'PostgresNet', 'Snowflake', 'SAP HANA', 'Azure Blob', 'AWS'):
        assert emulator.call('POST', CONNS, body={'name': 'src ' + source, 'dataSource': source}).status == 200


def test_alice_cannot_see_or_change_admins_connection(emulator):
    conn = save(emulator, pg_conn())
    assert_api_error(emulator.call('GET', CONNS + '/' + conn['id'], user='alice'), 404)
    assert_api_error(emulator.call('GET', CONNS + '/Admin.Northwind', user='alice'), 404)
    assert emulator.call('GET', CONNS, user='alice').json() == []
    assert emulator.call('GET', '/connectors/connections/count', user='alice').json() == 0
    assert_api_error(emulator.call('POST', CONNS, user='alice', body=dict(conn, description='x'), params={'saveCredentials': 'false'}), 403)
    # She cannot see it, so for her it is an unknown id: 200, and nothing is deleted.
    assert emulator.call('DELETE', CONNS + '/' + conn['id'], user='alice').status == 200
    assert emulator.call('GET', CONNS + '/' + conn['id']).status == 200
    assert_api_error(emulator.call('GET', '/public/v1/credentials/for/' + conn['id'], user='alice'), 404)
    # Shared for View: visible, still not editable.
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists'})
    assert emulator.call('GET', CONNS + '/Admin.Northwind', user='alice').status == 200
    assert_api_error(emulator.call('POST', CONNS, user='alice', body=dict(conn, description='x'), params={'saveCredentials': 'false'}), 403)
    assert_api_error(emulator.call('DELETE', CONNS + '/' + conn['id'], user='alice'), 403)
    assert_api_error(emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], user='alice', params={'groups': 'Analysts'}), 403)
    # Her own connections land in her namespace and the admin sees them.
    own = save(emulator, pg_conn(name='Mine'), user='alice')
    assert own['namespace'] == 'Alice:'
    assert emulator.call('GET', CONNS + '/Alice.Mine').json()['id'] == own['id']


def test_shares_and_permissions(emulator):
    conn = save(emulator, pg_conn())
    url = '/public/v1/entities/Admin.Northwind/shares'
    first = emulator.call('POST', url, params={'groups': 'Chemists,alice', 'access': 'View'}).json()
    assert first == {'status': 'success', 'shared': ['Chemists', 'Alice'], 'alreadyShared': [], 'failed': []}
    again = emulator.call('POST', url, params={'groups': 'chemists,Nobody', 'access': 'view'}).json()
    assert again == {'status': 'partial_success', 'shared': [], 'alreadyShared': ['Chemists'], 'failed': ['Nobody']}
    edit = emulator.call('POST', url, params={'groups': 'Chemists', 'access': 'Edit'}).json()
    assert edit['status'] == 'success' and edit['shared'] == ['Chemists']
    assert emulator.call('POST', url, params={'groups': 'Nobody'}).json()['status'] == 'failed'
    assert_api_error(emulator.call('POST', url, params={'groups': 'Chemists', 'access': 'Owner'}), 400)
    assert_api_error(emulator.call('POST', '/public/v1/entities/Admin.Missing/shares', params={'groups': 'Chemists'}), 404)

    rows = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()
    # The rows carry only the group's id (datagrok-tools server.js handleSharesList looks each one up).
    names = dict((g['id'], g['name']) for g in emulator.call('GET', '/public/v1/groups', params={'text': 'personal = true'}).json()
                 + emulator.call('GET', '/public/v1/groups').json())
    grants = sorted((names[r['userGroup']['id']], r['permission']['name']) for r in rows)
    assert grants == [('Alice', 'View'), ('Chemists', 'Edit'), ('Chemists', 'View')]
    assert all(r['entityId'] == conn['id'] and list(r['userGroup']) == ['id'] for r in rows)
    # Only all=true fills in the permission (node-dapi.js NodeSharesDataSource.list).
    bare = emulator.call('GET', '/privileges/permissions', user='alice', params={'entityId': conn['id']})
    assert bare.status == 200 and all(r['permission'] is None for r in bare.json())
    # Revoke everything alice holds: she no longer sees the connection.
    for row in rows:
        response = emulator.call('DELETE', '/privileges/permissions/' + row['id'])
        assert response.status == 200 and response.raw == b''
    assert emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id']}).json() == []
    assert_api_error(emulator.call('GET', CONNS + '/' + conn['id'], user='alice'), 404)
    assert_api_error(emulator.call('DELETE', '/privileges/permissions/' + rows[0]['id']), 404)


@pytest.mark.parametrize('reading, edit_rows', [('view-and-edit', ['Edit', 'View']), ('edit-only', ['Edit'])])
def test_an_edit_share_stores_rows_per_reading(start_emulator, reading, edit_rows):
    emulator = start_emulator('--edit-grant', reading)
    conn = save(emulator, pg_conn())
    url = '/public/v1/entities/%s/shares' % conn['id']

    def held():
        rows = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()
        return sorted(r['permission']['name'] for r in rows)
    assert emulator.call('POST', url, params={'groups': 'Alice', 'access': 'Edit'}).json()['shared'] == ['Alice']
    assert held() == edit_rows
    # Edit alone still lets her see and change it; a View share adds the View row where it is missing.
    assert emulator.call('GET', CONNS + '/' + conn['id'], user='alice').status == 200
    view = emulator.call('POST', url, params={'groups': 'Alice', 'access': 'View'}).json()
    assert (view['shared'], view['alreadyShared']) == (([], ['Alice']) if 'View' in edit_rows else (['Alice'], []))
    assert held() == ['Edit', 'View']


def test_revoke_needs_edit(emulator):
    conn = save(emulator, pg_conn())
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Alice'})
    row = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id']}).json()[0]
    assert_api_error(emulator.call('DELETE', '/privileges/permissions/' + row['id'], user='alice'), 403)


def test_permission_rows_with_names(start_emulator):
    emulator = start_emulator('--permission-rows', 'named')
    conn = save(emulator, pg_conn())
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists'})
    row = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()[0]
    assert row['userGroup'] == {'id': '5e8c1a70-3f0b-4c1e-9a55-0c4e6f1a2b01', 'name': 'Chemists', 'friendlyName': 'Chemists',
                                'personal': False}


@pytest.mark.parametrize('reading', ['container-id', 'link-flag'])
def test_grants_inherited_from_a_project(start_emulator, reading):
    emulator = start_emulator('--inherited-rows', reading)
    conn = save(emulator, pg_conn())
    project = emulator.call('POST', '/projects', params={'saveRelations': 'true'},
                            body={'name': 'Sales', 'relations': [{'entity': {'id': conn['id']}}]}).json()
    assert project['relations'] == [{'isLink': True, 'entity': {'id': conn['id']}}]
    shared = emulator.call('POST', '/public/v1/entities/%s/shares' % project['id'], params={'groups': 'Chemists'}).json()
    assert shared['shared'] == ['Chemists']
    # The project's grant reaches the connection: alice (a chemist) sees it.
    assert emulator.call('GET', CONNS + '/' + conn['id'], user='alice').status == 200
    rows = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()
    assert len(rows) == 1 and rows[0]['permission']['name'] == 'View'
    if reading == 'container-id':
        # walker.js grantsOf: the row names the project; no flag.
        assert rows[0]['entityId'] == project['id'] and 'inheritedByLink' not in rows[0]
    else:
        assert rows[0]['entityId'] == conn['id'] and rows[0]['inheritedByLink'] is True
    # Without all=true the inherited rows are not listed.
    assert emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id']}).json() == []
    assert emulator.call('GET', '/entities/' + project['id']).json() == [
        {'#type': 'Project', 'id': project['id'], 'name': 'Sales', 'namespace': ''}]
    # Revoking the row revokes the project's grant: what a client must never do through the connection.
    assert emulator.call('DELETE', '/privileges/permissions/' + rows[0]['id']).status == 200
    assert_api_error(emulator.call('GET', CONNS + '/' + conn['id'], user='alice'), 404)


def test_list_filters_order_and_paging(emulator):
    names = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']
    for index, name in enumerate(names):
        save(emulator, {'name': name, 'dataSource': 'Postgres' if index % 2 == 0 else 'MS SQL', 'description': 'conn %s' % name.lower(),
                        'tags': ['even'] if index % 2 == 0 else ['odd', 'x'], 'parameters': {'server': 'h'}}, creds=False)
    save(emulator, {'name': 'Mine', 'dataSource': 'S3', 'friendlyName': 'Alice S3'}, user='alice')

    def listed(**params):
        return [c['name'] for c in emulator.call('GET', CONNS, params=params).json()]
    assert listed() == names + ['Mine']
    assert listed(dataSource='MS SQL') == ['Bravo', 'Delta']
    assert listed(tags='odd,x') == ['Bravo', 'Delta'] and listed(tags='odd,even') == []
    assert listed(text='CHAR') == ['Charlie'] and listed(text='conn e') == ['Echo']
    assert listed(text="dataSource='MS SQL'") == ['Bravo', 'Delta']
    assert listed(text='dataSource = "Postgres" and namespace starts "Admin:"') == ['Alpha', 'Charlie', 'Echo']
    assert listed(text='author = "alice"') == ['Mine']
    assert listed(text='namespace = "Alice:"') == ['Mine']
    assert listed(text='name = "Alice S3"') == ['Mine'] and listed(text='name = "Mine"') == []
    assert listed(text='friendlyName = "alpha"') == ['Alpha']
    assert listed(text='updatedOn > -2w') == []
    # The public list ignores paging and has no count (datagrok-tools CHANGELOG 6.5.8): "count" reads as a name.
    assert listed(limit=2) == names + ['Mine'] and listed(limit=2, page=3) == names + ['Mine']
    assert_api_error(emulator.call('GET', CONNS + '/count'), 404)

    # The internal router pages, 1-based, orders by field, -field or !field, and counts.
    def internal(**params):
        return [c['name'] for c in emulator.call('GET', '/connectors/connections', params=params).json()]
    assert internal() == names + ['Mine'] and internal(text='CHAR') == ['Charlie']
    assert internal(limit=2) == ['Alpha', 'Bravo'] and internal(limit=2, page=1) == ['Alpha', 'Bravo']
    assert internal(limit=2, page=3) == ['Echo', 'Mine'] and internal(limit=2, page=9) == []
    assert internal(order='-name', limit=2) == ['Mine', 'Echo'] and internal(order='!name', limit=2) == ['Mine', 'Echo']
    assert emulator.call('GET', '/connectors/connections/count').json() == 6
    assert emulator.call('GET', '/connectors/connections/count', params={'text': 'dataSource="Postgres"'}).json() == 3
    assert_api_error(emulator.call('GET', '/connectors/connections', params={'limit': 'ten'}), 400)


def test_public_list_paging_and_caps_per_reading(start_emulator):
    emulator = start_emulator('--public-list-paging', 'honour', '--list-cap', '3')
    for index in range(5):
        save(emulator, {'name': 'c%d' % index, 'dataSource': 'S3', 'parameters': {'bucket': 'b'}}, creds=False)
    assert [c['name'] for c in emulator.call('GET', CONNS, params={'limit': 2, 'page': 2}).json()] == ['c2', 'c3']
    assert emulator.call('GET', CONNS + '/count').json() == 5
    # The cap applies to every list, whatever the limit.
    assert len(emulator.call('GET', CONNS).json()) == 3
    assert [c['name'] for c in emulator.call('GET', '/connectors/connections', params={'limit': 4, 'page': 1}).json()] == ['c0', 'c1', 'c2']


def test_internal_routes_can_be_switched_off(start_emulator):
    emulator = start_emulator('--internal-routes', 'off')
    for path in ('/connectors/connections', '/users/current', '/entities/x', '/groups/Chemists'):
        assert_api_error(emulator.call('GET', path), 404)
    assert emulator.call('GET', CONNS).status == 200
    assert emulator.call('GET', '/privileges/permissions', params={'entityId': 'x'}).status == 404


def test_delete(emulator):
    conn = save(emulator, pg_conn())
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists'})
    response = emulator.call('DELETE', CONNS + '/Admin.Northwind')
    assert response.status == 200 and response.raw == b''
    assert_api_error(emulator.call('GET', CONNS + '/' + conn['id']), 404)
    # An unknown id answers 200 (datagrok-tools node-dapi.js NodeConnectionsDataSource.delete).
    again = emulator.call('DELETE', CONNS + '/' + conn['id'])
    assert again.status == 200 and again.raw == b''
    assert_api_error(emulator.call('GET', '/public/v1/credentials/for/' + conn['id']), 404)
    db = sqlite3.connect(emulator.state)
    try:
        assert db.execute('SELECT count(*) FROM permissions').fetchone()[0] == 0
        assert db.execute('SELECT count(*) FROM credentials').fetchone()[0] == 0
    finally:
        db.close()


def test_delete_of_an_unknown_id_in_the_other_reading(start_emulator):
    emulator = start_emulator('--delete-unknown', 'not-found')
    assert_api_error(emulator.call('DELETE', CONNS + '/0d3f1c2e-6f1a-41ef-9a0b-0242ac120002'), 404)


@pytest.mark.parametrize('shape', ['object', 'string', 'text'])
def test_error_bodies_per_reading(start_emulator, shape):
    # node-dapi.js throwIfApiError: an ApiError object, or a JSON string holding one; getBytes: as text/plain.
    emulator = start_emulator('--error-body', shape)
    response = emulator.call('GET', CONNS + '/Admin.Missing')
    assert response.status == 404 and response.is_api_error
    assert response.headers['content-type'] == ('text/plain' if shape == 'text' else 'application/json')
    body = json.loads(response.raw)
    error = json.loads(body) if shape == 'string' else body
    assert error['#type'] == 'ApiError' and error['message'] == 'Not Found' and error['errorCode'] == 404
    assert '.dart' in error['stackTrace']


def test_the_vendor_cli_login(emulator):
    # node-dapi.js NodeApiClient.login: Authorization: Dev <key>, then the token alone on every request.
    token = emulator.call('POST', '/users/login/dev', key='Dev ' + ADMIN_KEY, bearer=False).json()['token']
    assert emulator.call('GET', '/users/current', key=token, bearer=False).json()['login'] == 'admin'
    assert_api_error(emulator.call('POST', '/users/login/dev', key='Dev wrong', bearer=False), 401)


def test_entities_resolve_names(emulator):
    conn = save(emulator, pg_conn())
    found = emulator.call('GET', '/entities', params={'namespace': 'Admin:', 'name': 'Northwind'}).json()
    assert found == [{'#type': 'DataConnection', 'id': conn['id'], 'name': 'Northwind', 'namespace': 'Admin:'}]
    assert emulator.call('GET', '/entities', params={'namespace': '', 'name': 'Northwind'}).json() == []
    assert emulator.call('GET', '/entities/' + conn['id']).json() == found
    assert emulator.call('GET', '/groups/Chemists').json()['name'] == 'Chemists'


def test_credentials_routes(emulator):
    conn = save(emulator, pg_conn(), creds=False)
    assert_api_error(emulator.call('GET', '/public/v1/credentials/for/' + conn['id']), 404)
    assert_api_error(emulator.call('POST', '/public/v1/credentials', body={'parameters': {'login': 'x'}}), 400)
    assert_api_error(emulator.call('POST', '/public/v1/credentials', body={'entityBindId': str(uuid.uuid4()), 'parameters': {}}), 404)
    saved = emulator.call('POST', '/public/v1/credentials', body={'id': None, 'entityBindId': conn['id'],
                                                                  'parameters': {'login': 'u', 'password': 'p'}}).json()
    assert saved['parameters'] == {'login': 'u', 'password': 'p'} and saved['group']['name'] == 'All users'
    update = dict(saved, parameters={'login': 'u2', 'password': PLACEHOLDER})
    assert emulator.call('POST', '/public/v1/credentials', body=update).json()['parameters'] == {'login': 'u2', 'password': 'p'}
    assert emulator.call('GET', CONNS + '/' + conn['id']).json()['credentials']['openParameters'] == {'login': 'u2'}
    assert_api_error(emulator.call('POST', '/public/v1/credentials', user='alice', body=update), 404)
    response = emulator.call('DELETE', '/public/v1/credentials/' + saved['id'])
    assert response.status == 200 and response.raw == b''
    assert_api_error(emulator.call('GET', '/public/v1/credentials/for/' + conn['id']), 404)
    assert_api_error(emulator.call('DELETE', '/public/v1/credentials/' + saved['id']), 404)


def _bind(emulator, conn, group_id, login, user='admin'):
    return emulator.call('POST', '/public/v1/credentials', user=user, body={
        'entityBindId': conn['id'], 'group': {'id': group_id}, 'parameters': {'login': login, 'password': login + '-pw'}})


@pytest.mark.parametrize('pick', ['member', 'admin-any'])
def test_group_credentials(start_emulator, pick):
    """One set per group and connection; each caller reads the set of one of their own groups (--credentials-pick
    decides what an administrator in none of them reads)."""
    emulator = start_emulator('--credentials-pick', pick)
    conn = save(emulator, pg_conn())  # its own set: All users
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists', 'access': 'View'})
    assert _bind(emulator, conn, CHEMISTS, 'chem').status == 200
    assert _bind(emulator, conn, CHEMISTS, 'chem2').json()['group']['id'] == CHEMISTS  # the same set, replaced
    assert _bind(emulator, conn, ANALYSTS, 'ana').status == 200
    store = Store(emulator.state)
    assert store.one('SELECT COUNT(*) AS n FROM credentials WHERE entity_id = ? AND group_id = ?', (conn['id'], CHEMISTS))['n'] == 1

    def read(user):
        answer = emulator.call('GET', '/public/v1/credentials/for/' + conn['id'], user=user)
        return answer.json() if answer.status == 200 else answer.status
    # alice is in Chemists: a group's set comes before All users. admin is in neither Chemists nor Analysts.
    assert (read('alice')['group']['id'], read('alice')['parameters']['login']) == (CHEMISTS, 'chem2')
    assert (read('admin')['group']['id'], read('admin')['parameters']['login']) == (ALL_USERS, 'app')
    # A set of one of admin's groups (Developers) comes before All users, for admin only.
    assert _bind(emulator, conn, DEVELOPERS, 'dev').status == 200
    assert read('admin')['group']['id'] == DEVELOPERS and read('alice')['group']['id'] == CHEMISTS
    # Without a set of any of admin's groups: nothing under member; the first set of another group under admin-any.
    for group in (DEVELOPERS, ALL_USERS):
        row = store.one('SELECT id FROM credentials WHERE entity_id = ? AND group_id = ?', (conn['id'], group))
        assert emulator.call('DELETE', '/public/v1/credentials/' + row['id']).status == 200
    assert read('admin') == 404 if pick == 'member' else read('admin')['group']['id'] == CHEMISTS
    # A non-administrator sets another group's credentials only as that group's administrator.
    shared = save(emulator, pg_conn(name='Edited'))
    emulator.call('POST', '/public/v1/entities/%s/shares' % shared['id'], params={'groups': 'alice', 'access': 'Edit'})
    assert_api_error(_bind(emulator, shared, CHEMISTS, 'x', user='alice'), 403)
    assert _bind(emulator, shared, ALL_USERS, 'x', user='alice').status == 200


@pytest.mark.parametrize('reading', ['in-place', 'kept'])
def test_a_save_by_id_with_another_name(start_emulator, reading):
    emulator = start_emulator('--rename-by-save', reading)
    conn = save(emulator, pg_conn(name='Before'))
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists', 'access': 'View'})
    renamed = save(emulator, dict(pg_conn(name='After'), id=conn['id']), creds=False)
    assert renamed['id'] == conn['id'] and renamed['credentials']['openParameters'] == {'login': 'app'}
    assert renamed['name'] == ('After' if reading == 'in-place' else 'Before')
    assert emulator.call('GET', CONNS + '/Admin.' + renamed['name']).json()['id'] == conn['id']


@pytest.mark.parametrize('reading', ['save', 'kept'])
def test_a_save_stamps_updated_on_per_reading(start_emulator, reading):
    emulator = start_emulator('--updated-on', reading)
    conn = save(emulator, pg_conn())
    time.sleep(0.01)  # the stamp has milliseconds
    saved = save(emulator, dict(pg_conn(), id=conn['id'], description='edited'), creds=False)
    # A share is stored apart from the connection: it never moves updatedOn.
    emulator.call('POST', '/public/v1/entities/%s/shares' % conn['id'], params={'groups': 'Chemists', 'access': 'View'})
    read = emulator.call('GET', CONNS + '/Admin.' + conn['name']).json()
    assert saved['createdOn'] == conn['createdOn'] and read['updatedOn'] == saved['updatedOn']
    assert (saved['updatedOn'] != conn['updatedOn']) is (reading == 'save')


@pytest.mark.parametrize('reading', ['on', 'off'])
def test_data_queries_carry_their_connection(start_emulator, reading):
    emulator = start_emulator('--queries-route', reading)
    conn = save(emulator, pg_conn())
    made = emulator.call('POST', '/public/v1/functions', body={'#type': 'DataQuery', 'name': 'orders', 'query': 'select 1',
                                                               'connection': {'id': conn['id']}})
    listed = emulator.call('GET', '/public/v1/functions', params={'text': 'source="data-query"'})
    if reading == 'off':
        assert made.status == 404 and listed.status == 404
        return
    assert made.json()['connection']['id'] == conn['id']
    assert [(q['name'], q['connection']['id']) for q in listed.json()] == [('orders', conn['id'])]
    # alice cannot see the connection, so neither its queries.
    assert emulator.call('GET', '/public/v1/functions', user='alice').json() == []


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_connection_test_route(emulator):
    def check(body):
        response = emulator.call('POST', CONNS + '/test', body=body)
        assert response.status == 200 and not response.is_api_error
        return response.json()
    assert check({'name': 'f', 'dataSource': 'Files', 'parameters': {'dir': '/data'}}) == 'ok'
    assert 'dir' in check({'name': 'f', 'dataSource': 'Files', 'parameters': {}})
    assert check({'name': 's', 'dataSource': 'S3', 'parameters': {'bucket': 'b', 'region': 'eu-west-1'}}) == 'ok'
    assert 'region' in check({'name': 's', 'dataSource': 'S3', 'parameters': {'bucket': 'b'}})
    assert 'cannot be tested' in check({'name': 'a', 'dataSource': 'AWS'})
    assert check({'name': 'w', 'dataSource': 'Web'}) == 'ok'
    port = _closed_port()
    assert check({'name': 'm', 'dataSource': 'MySQL', 'parameters': {'server': '127.0.0.1', 'port': port}}) == 'Connection refused: 127.0.0.1:%d' % port
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        server = {'server': '127.0.0.1', 'port': listener.getsockname()[1]}
        assert check({'name': 'm', 'dataSource': 'MS SQL', 'parameters': server}) == 'ok'
    # Grok Connect builds the URL with the text "null" for a missing server (OracleDataProvider and the others).
    assert check({'name': 'm', 'dataSource': 'Oracle', 'parameters': {}}).startswith('Unknown host null')
    # Connectors whose URL is not server/port/db.
    assert check({'name': 'd', 'dataSource': 'Databricks', 'parameters': {'httpPath': '/sql'}}).startswith('Unknown host null')
    assert '127.0.0.1:5461' in check({'name': 'p', 'dataSource': 'PI', 'parameters': {'accessServer': '127.0.0.1', 'server': 'pi'}})
    assert check({'name': 'a', 'dataSource': 'Access', 'parameters': {}}).endswith('NullPointerException: db')
    assert check({'name': 'a', 'dataSource': 'Access', 'parameters': {'db': '/x.accdb'}}) == 'ok'
    assert_api_error(emulator.call('POST', CONNS + '/test', user=None, body={'dataSource': 'Web'}), 401)


def test_fail_rate_faults_and_request_log(start_emulator, tmp_path):
    log = str(tmp_path / 'requests.jsonl')
    emulator = start_emulator('--fail-rate', '1', '--request-log', log)
    seen = {'429': 0, '503': 0, 'drop': 0}
    ids = []
    for attempt in range(60):
        ids.append(str(uuid.uuid5(uuid.NAMESPACE_OID, str(attempt))))
        try:
            response = emulator.call('POST', CONNS, body={'id': ids[-1], 'name': 'F ' + ids[-1], 'dataSource': 'Web'},
                                     params={'saveCredentials': 'false'})
        except (HTTPException, ConnectionError):
            seen['drop'] += 1
            continue
        assert response.status in (429, 503) and response.is_api_error
        assert response.json()['errorCode'] == response.status
        if response.status == 429:
            assert response.headers['retry-after'] == '1'
        seen[str(response.status)] += 1
    assert all(seen.values()), seen
    # The healthcheck is never failed.
    assert all(emulator.call('GET', '/public/v1/healthcheck', user=None).status == 200 for attempt in range(5))
    emulator.stop()
    # Some dropped POSTs were processed before the drop: a blind re-POST would duplicate them.
    calm = start_emulator(state=emulator.state, name='calm')
    created = calm.call('GET', CONNS).json()
    assert 1 <= len(created) <= seen['drop']
    assert {c['id'] for c in created} <= set(ids)

    with open(log, encoding='utf-8') as handle:
        lines = [json.loads(line) for line in handle]
    assert len(lines) == 65
    assert set(lines[0]) == {'ts', 'method', 'path', 'query', 'status', 'user'}
    assert lines[0]['method'] == 'POST' and lines[0]['path'] == CONNS and lines[0]['query'] == 'saveCredentials=false'
    assert lines[0]['user'] == 'admin' and isinstance(lines[0]['ts'], float)
    assert sum(1 for line in lines if line['status'] == 0) == seen['drop']
    assert sum(1 for line in lines if line['status'] == 429) == seen['429']
    assert lines[-1] == dict(lines[-1], method='GET', path='/public/v1/healthcheck', status=200, user=None)


def test_latency(start_emulator):
    emulator = start_emulator('--latency-ms', '300')
    started = time.monotonic()
    assert emulator.call('GET', '/public/v1/healthcheck', user=None).status == 200
    assert time.monotonic() - started >= 0.3


def test_tls(start_emulator, tmp_path):
    if shutil.which('openssl') is None:
        pytest.skip('the openssl command is not installed')
    cert, key = str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], check=True, capture_output=True)
    emulator = start_emulator('--tls-cert', cert, '--tls-key', key)
    assert emulator.url.startswith('https://')
    emulator.ssl_context = ssl.create_default_context(cafile=cert)
    assert emulator.call('GET', '/api/public/v1/users/current').json()['login'] == 'admin'
    # A plain-HTTP client gets no answer, and the server keeps serving.
    https_url, emulator.url = emulator.url, emulator.url.replace('https://', 'http://')
    with pytest.raises((HTTPException, OSError)):
        emulator.call('GET', '/public/v1/healthcheck', user=None)
    emulator.url = https_url
    assert emulator.call('GET', '/public/v1/healthcheck', user=None).status == 200


def test_sigterm_exits_cleanly(start_emulator):
    emulator = start_emulator()
    assert emulator.call('GET', '/public/v1/healthcheck', user=None).status == 200
    assert emulator.stop() == 0
    assert os.path.exists(emulator.state)


def test_keep_alive(emulator):
    """Several requests, errors included, over one kept-alive connection, as clients of the real server do."""
    parts = urlsplit(emulator.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    headers = {'Authorization': 'Bearer ' + emulator.admin_key}
    try:
        for path, status in (('/public/v1/healthcheck', 200), ('/public/v1/connections/NoSuch', 404), ('/public/v1/users/current', 200)):
            conn.request('GET', path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == status
            assert response.version == 11 and not response.will_close
        # Still the first socket: http.client opens a new one only after a close.
        assert conn.sock is not None
    finally:
        conn.close()


# ---- concurrency: requests are handled at the same time, writes stay atomic -----------------------------------------

def in_parallel(count, work):
    """work(index) in `count` threads released at the same moment; the results in index order (errors re-raised)."""
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait(timeout=30)
        return work(index)
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_reads_do_not_wait_for_a_write_in_flight(start_emulator):
    emulator = start_emulator('--latency-ms', '200')
    save(emulator, pg_conn())
    # The test takes SQLite's write lock on the state file, so a POST waits for the busy file inside its write handler,
    # the emulator's write lock held. GETs take no lock: 8 at once answer, in parallel, while that write is stuck.
    holder = sqlite3.connect(emulator.state, isolation_level=None)
    holder.execute('BEGIN IMMEDIATE')
    with ThreadPoolExecutor(1) as pool:
        try:
            write = pool.submit(save, emulator, pg_conn(name='Later'))
            time.sleep(0.6)  # the latency, then the POST reaches its transaction
            assert not write.done()
            started = time.monotonic()
            reads = in_parallel(8, lambda index: emulator.call('GET', CONNS + '/Admin.Northwind', timeout=10))
            elapsed = time.monotonic() - started
            assert [r.status for r in reads] == [200] * 8
            assert elapsed < 4 * 0.2, elapsed
            assert not write.done()
        finally:
            holder.execute('ROLLBACK')
            holder.close()
        assert write.result(timeout=20)['name'] == 'Later'


def test_parallel_creates_of_one_name_get_distinct_names(emulator):
    created = in_parallel(16, lambda index: save(emulator, pg_conn(name='Name')))
    assert len({c['id'] for c in created}) == 16
    assert sorted(c['name'] for c in created) == sorted(['Name'] + ['Name_%d' % n for n in range(1, 16)])
    listed = emulator.call('GET', CONNS).json()
    assert len(listed) == 16 and len({c['name'].casefold() for c in listed}) == 16


def test_parallel_shares_store_one_row_per_permission(emulator):
    conn = save(emulator, pg_conn())
    url = '/public/v1/entities/%s/shares' % conn['id']
    answers = in_parallel(16, lambda index: emulator.call('POST', url, params={'groups': 'Chemists', 'access': 'Edit'}).json())
    assert sorted(a['status'] for a in answers) == ['success'] * 16
    assert sum(a['shared'] == ['Chemists'] for a in answers) == 1
    assert sum(a['alreadyShared'] == ['Chemists'] for a in answers) == 15
    rows = emulator.call('GET', '/privileges/permissions', params={'entityId': conn['id'], 'all': 'true'}).json()
    assert sorted((r['userGroup']['id'], r['permission']['name']) for r in rows) == [(CHEMISTS, 'Edit'), (CHEMISTS, 'View')]


def test_parallel_creates_and_lists_agree(emulator):
    def work(index):
        if index % 3 == 2:
            # Each list is one snapshot: a connection saved with its credentials is never seen without them.
            listed = emulator.call('GET', '/connectors/connections').json()
            assert all(c['credentials']['id'] for c in listed)
            return None
        return save(emulator, pg_conn(name='P%02d' % index))['name']
    names = [n for n in in_parallel(24, work) if n]
    assert len(names) == 16
    listed = emulator.call('GET', '/connectors/connections').json()
    assert sorted(c['name'] for c in listed) == sorted(names)
    assert emulator.call('GET', '/connectors/connections/count').json() == len(listed)


def _seed_connections(path, count):
    """`count` connections straight into a state file; alice sees those shared with Chemists (every 3rd), those of a
    project shared with her (every 5th) and her own (every 7th). Returns (all ids, alice's ids), in list order."""
    store = Store(path)
    project = str(uuid.uuid4())
    statements = [('INSERT INTO projects VALUES (?, ?, ?, ?, ?)', (project, 'Seeded', 'Seeded', ADMIN_USER, '2024-01-01')),
                  ('INSERT INTO permissions VALUES (?, ?, ?, ?, ?)', (str(uuid.uuid4()), project, ALICE_GROUP, 'View', '2024'))]
    rows = []
    for index in range(count):
        conn_id, alices = str(uuid.uuid4()), index % 7 == 0
        # Many connections share a createdOn: the order falls back to the id.
        stamp = '2024-01-01T00:%02d:00.000Z' % (index % 60)
        rows.append((stamp, conn_id, index % 3 == 0 or index % 5 == 0 or alices))
        statements.append(('INSERT INTO connections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                           (conn_id, 'S%04d' % index, 'S%04d' % index, 'Alice:' if alices else 'Admin:', 'Postgres', None,
                            {'server': 'h', 'password': 'p'}, ['seeded'], ALICE_USER if alices else ADMIN_USER, stamp, stamp,
                            's%04d' % index)))
        if index % 2 == 0:
            statements.append(('INSERT INTO credentials VALUES (?, ?, ?, ?, ?)',
                               (str(uuid.uuid4()), conn_id, ALL_USERS, {'login': 'u', 'password': 'p'}, stamp)))
        if index % 3 == 0:
            statements.append(('INSERT INTO permissions VALUES (?, ?, ?, ?, ?)', (str(uuid.uuid4()), conn_id, CHEMISTS, 'View', stamp)))
        if index % 5 == 0:
            statements.append(('INSERT INTO project_links VALUES (?, ?)', (project, conn_id)))
    store.write(*statements)
    store.close()
    rows.sort()
    return [row[1] for row in rows], [row[1] for row in rows if row[2]]


def test_a_long_listing_in_pages_returns_every_id_once(start_emulator, tmp_path):
    everyone, alices = _seed_connections(str(tmp_path / 'seeded.db'), 2000)
    emulator = start_emulator(state=str(tmp_path / 'seeded.db'))
    assert 0 < len(alices) < len(everyone)
    for user, expected in (('admin', everyone), ('alice', alices)):
        listed, page = [], 1
        while True:
            rows = emulator.call('GET', '/connectors/connections', user=user, params={'limit': 300, 'page': page}).json()
            listed += rows
            if len(rows) < 300:
                break
            page += 1
        assert [c['id'] for c in listed] == expected
        assert emulator.call('GET', '/connectors/connections/count', user=user).json() == len(expected)
        # A row of a list is the connection as read alone, credentials and author included.
        for conn in listed[:3] + listed[-3:]:
            assert emulator.call('GET', CONNS + '/' + conn['id'], user=user).json() == conn
