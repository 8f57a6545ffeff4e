# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._client import http
from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient, grok_name_path
from ansible_collections.datagrok.platform.plugins.module_utils._client.http import authorization_header, parse_api_error, retry_delay
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import base_url
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.tests.unit.fakes import NOT_FOUND, FakeResponse, FakeSession


def make_client(answers, retries=3, sleeps=None):
    session = FakeSession(answers)
    client = DatagrokClient('http://dg:8082/', 'k3y', retries=retries, session=session,
                            sleep=(sleeps.append if sleeps is not None else (lambda s: None)))
    return client, session


@pytest.mark.parametrize('url, expected', [
    ('https://dg.example.com/api', 'https://dg.example.com/api'),
    ('https://dg.example.com/api/', 'https://dg.example.com/api'),
    ('http://localhost:8082', 'http://localhost:8082'),
    ('http://localhost:8082/', 'http://localhost:8082'),
    ('http://localhost:8082/public/v1/', 'http://localhost:8082'),
])
def test_base_url_forms(url, expected):
    assert base_url(url) == expected


@pytest.mark.parametrize('key, header', [
    ('abc', 'Bearer abc'),
    ('Bearer abc', 'Bearer abc'),
    ('bearer abc', 'Bearer abc'),
    ('  abc ', 'Bearer abc'),
])
def test_authorization_header(key, header):
    assert authorization_header(key) == header


def test_client_sends_normalised_auth_header():
    client, session = make_client([FakeResponse(body={'login': 'admin'})])
    client.current_user()
    assert session.last_headers['Authorization'] == 'Bearer k3y'
    assert session.sent[0][1] == 'http://dg:8082/public/v1/users/current'


@pytest.mark.parametrize('ref, path', [
    ('Admin:Northwind', 'Admin.Northwind'),
    ('Admin:My Conn', 'Admin.My%20Conn'),
    ('Parent:Child:Name', 'Parent.Child.Name'),
    ('0d3f1c2e-6f1a-11ef-9a0b-0242ac120002', '0d3f1c2e-6f1a-11ef-9a0b-0242ac120002'),
    ('A:b&c?d#e', 'A.b%26c%3Fd%23e'),
])
def test_grok_name_quoting(ref, path):
    assert grok_name_path(ref) == path


def test_parse_api_error_plain_and_double_encoded():
    assert parse_api_error(NOT_FOUND) == ('Not Found', 404)
    assert parse_api_error(json.dumps(NOT_FOUND)) == ('Not Found', 404)
    assert parse_api_error({'#type': 'ApiError', 'message': 'Login already exists'}) == ('Login already exists', None)
    assert parse_api_error({'id': 'x'}) is None
    assert parse_api_error('ok') is None


@pytest.mark.parametrize('response', [
    FakeResponse(404, NOT_FOUND, {'api-error': 'true'}),                    # status style
    FakeResponse(200, NOT_FOUND, {'api-error': 'true'}),                    # 200 + header
    FakeResponse(200, NOT_FOUND),                                          # 200, body only
    FakeResponse(200, json.dumps(NOT_FOUND)),                              # ApiError as a JSON string
])
def test_error_styles_are_recognised_as_not_found(response):
    client, session = make_client([response, FakeResponse(body={'login': 'admin'})])
    assert client.get_connection('Admin:Missing') is None
    # A 404 means "missing" only once the API has shown it answers at this root.
    assert [url for method, url, params, body in session.sent] == [
        'http://dg:8082/public/v1/connections/Admin.Missing', 'http://dg:8082/public/v1/users/current']


def test_a_404_from_a_root_where_no_route_answers_is_a_wrong_url_not_a_missing_connection():
    client = make_client([FakeResponse(404, NOT_FOUND), FakeResponse(404, text='Not Found')])[0]
    with pytest.raises(DatagrokError) as info:
        client.get_connection('Admin:Missing')
    assert str(info.value).startswith('(HTTP 404) http://dg:8082 answers HTTP 404 to GET /public/v1/users/current, a route '
                                      'every Datagrok server serves, so the API root looks wrong (')


def test_api_error_header_without_api_error_body():
    client = make_client([FakeResponse(200, {'x': 1}, {'api-error': 'true'})])[0]
    with pytest.raises(DatagrokError):
        client.current_user()


def test_error_carries_status_code_and_message_on_one_line():
    body = {'#type': 'ApiError', 'message': 'Access\n denied', 'errorCode': 403, 'stackTrace': 'at dart:core\n...'}
    client = make_client([FakeResponse(403, body, {'api-error': 'true'})])[0]
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert info.value.status == 403 and info.value.error_code == 403
    assert str(info.value) == '(HTTP 403) Access denied'
    assert not info.value.is_not_found


def test_not_found_is_decided_by_code_not_by_text():
    client = make_client([FakeResponse(400, {'#type': 'ApiError', 'message': 'Not Found', 'errorCode': 400})])[0]
    with pytest.raises(DatagrokError):
        client.get_connection('Admin:X')


def test_gateway_html_error_keeps_status_only():
    client = make_client([FakeResponse(502, text='<html>Bad gateway</html>')] * 4, retries=3)[0]
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert info.value.status == 502


def test_retries_429_and_honours_retry_after():
    sleeps = []
    client, session = make_client([
        FakeResponse(429, {'#type': 'ApiError', 'message': 'slow down'}, {'Retry-After': '7'}),
        FakeResponse(503, {'#type': 'ApiError', 'message': 'busy'}),
        FakeResponse(200, {'login': 'admin'}),
    ], sleeps=sleeps)
    assert client.current_user() == {'login': 'admin'}
    assert len(session.sent) == 3
    assert sleeps[0] == 7.0
    assert 0 < sleeps[1] <= 1.0


def test_retry_after_is_clamped():
    assert retry_delay(0, '100000') == http.RETRY_AFTER_MAX
    assert retry_delay(0, '0') == http.RETRY_AFTER_MIN
    assert retry_delay(0, 'Wed, 21 Oct 2015 07:28:00 GMT', rand=lambda: 1.0) == http.BACKOFF_BASE


def test_backoff_grows_exponentially_with_jitter():
    assert [retry_delay(n, rand=lambda: 1.0) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert [retry_delay(n, rand=lambda: 0.0) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]
    assert retry_delay(30, rand=lambda: 1.0) == http.BACKOFF_MAX


def test_dropped_connection_and_timeout_are_retried():
    client, session = make_client([
        ConnectionResetError('reset'),
        TimeoutError('slow'),
        FakeResponse(200, {'login': 'admin'}),
    ])
    assert client.current_user() == {'login': 'admin'}
    assert len(session.sent) == 3


def test_gives_up_after_retries_with_last_answer():
    client, session = make_client([FakeResponse(503, {'#type': 'ApiError', 'message': 'busy'})] * 3, retries=2)
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert len(session.sent) == 3
    assert 'busy' in str(info.value) and info.value.status == 503


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 500])
def test_other_errors_are_not_retried(status):
    client, session = make_client([FakeResponse(status, {'#type': 'ApiError', 'message': 'no', 'errorCode': status})])
    with pytest.raises(DatagrokError):
        client.current_user()
    assert len(session.sent) == 1


def test_unauthorized_names_the_server():
    client = make_client([FakeResponse(401, {'#type': 'ApiError', 'message': 'Unauthorized', 'errorCode': 401})])[0]
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert 'http://dg:8082' in str(info.value)


def test_safe_retried_create_rereads_by_id_instead_of_posting_again():
    saved = {'id': 'the-id', 'name': 'pg'}
    client, session = make_client([
        ConnectionResetError('dropped after the server saved it'),
        FakeResponse(200, saved),                         # GET by id: the create landed
    ])
    result = client.save_connection({'name': 'pg', 'dataSource': 'Postgres'}, save_credentials=True, is_new=True)
    methods = [s[0] for s in session.sent]
    assert methods == ['POST', 'GET']
    posted_id = session.sent[0][3]['id']
    assert session.sent[1][1].endswith('/public/v1/connections/' + posted_id)
    assert session.sent[0][2] == {'saveCredentials': 'true'}
    assert result == saved


def test_retried_create_that_did_not_land_is_sent_again_with_the_same_id():
    client, session = make_client([
        FakeResponse(503, {'#type': 'ApiError', 'message': 'busy'}),
        FakeResponse(404, NOT_FOUND),                     # GET by id: nothing there
        FakeResponse(200, {'id': 'x', 'name': 'pg'}),
    ])
    client.save_connection({'name': 'pg'}, save_credentials=False, is_new=True)
    assert [s[0] for s in session.sent] == ['POST', 'GET', 'POST']
    assert session.sent[0][3]['id'] == session.sent[2][3]['id']
    assert session.sent[2][2] == {'saveCredentials': 'false'}


def test_create_is_not_retried_on_client_errors():
    client, session = make_client([FakeResponse(400, {'#type': 'ApiError', 'message': 'bad', 'errorCode': 400})])
    with pytest.raises(DatagrokError):
        client.save_connection({'name': 'pg'}, save_credentials=False, is_new=True)
    assert len(session.sent) == 1


def conns(*ids, **fields):
    return [dict(fields, id=str(i)) for i in ids]


def test_list_pages_through_the_internal_router_and_checks_the_count():
    # The public list ignores limit/page and has no count (datagrok-tools CHANGELOG 6.5.8); the CLI uses this router.
    client, session = make_client([FakeResponse(200, 4), FakeResponse(200, conns(1, 2, 3, tags=['a', 'B'])),
                                   FakeResponse(200, conns(4, tags=['c']))])
    listing = client.list_connections(page_size=3, text='pg', tags=['a', 'b'])
    assert [c['id'] for c in listing] == ['1', '2', '3'] and listing.complete is True
    assert [(s[1].rsplit('/api', 1)[-1].replace('http://dg:8082', ''), s[2]) for s in session.sent] == [
        ('/connectors/connections/count', {'text': 'pg'}),
        ('/connectors/connections', {'text': 'pg', 'limit': 3, 'page': 1}),
        ('/connectors/connections', {'text': 'pg', 'limit': 3, 'page': 2})]


def test_list_stops_when_the_server_ignores_paging():
    client, session = make_client([FakeResponse(200, 3), FakeResponse(200, conns(0, 1, 2)), FakeResponse(200, conns(0, 1, 2))])
    listing = client.list_connections(page_size=3)
    assert len(listing) == 3 and listing.complete is True
    assert len(session.sent) == 3


def test_list_pages_again_at_the_size_a_server_caps_its_pages_to():
    client, session = make_client([FakeResponse(200, 5), FakeResponse(200, conns(1, 2)),
                                   FakeResponse(200, conns(1, 2)), FakeResponse(200, conns(3, 4)), FakeResponse(200, conns(5))])
    listing = client.list_connections(page_size=4)
    assert [c['id'] for c in listing] == ['1', '2', '3', '4', '5'] and listing.complete is True
    assert [s[2].get('limit') for s in session.sent[1:]] == [4, 2, 2, 2]


def test_a_listing_that_counts_more_than_it_lists_is_incomplete():
    client = make_client([FakeResponse(200, 10), FakeResponse(200, conns(1, 2, 3)), FakeResponse(200, conns(1, 2, 3))])[0]
    listing = client.list_connections(page_size=3)
    assert len(listing) == 3 and listing.complete is False


def test_a_server_without_the_internal_router_is_listed_through_the_public_route():
    client, session = make_client([FakeResponse(404, NOT_FOUND), FakeResponse(200, conns(1, 2, dataSource='Postgres') + conns(3))])
    listing = client.list_connections(data_source='postgres')
    assert [c['id'] for c in listing] == ['1', '2'] and listing.complete is None
    assert session.sent[1][1].endswith('/public/v1/connections')


def test_delete_of_vanished_connection_is_success():
    client, session = make_client([FakeResponse(404, NOT_FOUND), FakeResponse(body={'login': 'admin'})])
    client.delete_connection('some-id')
    assert [method for method, url, params, body in session.sent] == ['DELETE', 'GET']


def test_connection_test_returns_the_servers_text():
    client = make_client([FakeResponse(200, 'ok'), FakeResponse(200, 'FATAL: password authentication failed')])[0]
    assert client.test_connection({'dataSource': 'Postgres'}) == 'ok'
    assert 'password authentication failed' in client.test_connection({'dataSource': 'Postgres'})


def test_get_connection_ignores_answers_that_are_not_connections():
    client, session = make_client([FakeResponse(200, 3), FakeResponse(200, [{'id': 'a'}])])
    assert client.get_connection('count') is None
    assert client.get_connection('Admin:') is None
    assert client.get_connection('   ') is None
    assert len(session.sent) == 2


@pytest.mark.parametrize('user, expected', [
    ({'login': 'admin', 'project': {'name': 'Admin'}}, 'Admin:'),
    ({'login': 'alice', 'project': {'name': 'Alice:'}}, 'Alice:'),
])
def test_caller_namespace_is_read_once_from_the_internal_current_user(user, expected):
    # datagrok-tools pusher.js currentNamespace: "<project.name>:" of the internal /users/current.
    client, session = make_client([FakeResponse(200, user)])
    assert client.caller_namespace() == expected
    assert client.caller_namespace() == expected
    assert len(session.sent) == 1 and session.sent[0][1] == 'http://dg:8082/users/current'


def test_caller_namespace_from_the_public_current_user_when_the_internal_one_is_missing():
    client, session = make_client([FakeResponse(404, NOT_FOUND), FakeResponse(200, {'login': 'x', 'project': {'name': 'Chem'}})])
    assert client.caller_namespace() == 'Chem:'
    assert session.sent[1][1] == 'http://dg:8082/public/v1/users/current'


@pytest.mark.parametrize('user, expected', [
    ({'login': 'bob', 'group': {'name': 'Bob', 'personal': True}}, 'Bob:'),
    ({'login': 'bob'}, 'bob:'),
])
def test_caller_namespace_without_a_project_anywhere(user, expected):
    client, session = make_client([FakeResponse(200, user), FakeResponse(200, user)])
    assert client.caller_namespace() == expected
    assert client.caller_namespace() == expected
    assert len(session.sent) == 2


STACK = '#0      DataConnectionsController.handle (package:datlas/api/connections.dart:214:7)\n#1      Router.dispatch'


@pytest.mark.parametrize('response', [
    # An object, a JSON string holding it (a handler that returned text), and the object as text/plain.
    FakeResponse(400, {'#type': 'ApiError', 'message': 'Bad  name\nhere', 'errorCode': 400, 'stackTrace': STACK}),
    FakeResponse(200, json.dumps({'#type': 'ApiError', 'message': 'Bad  name\nhere', 'errorCode': 400, 'stackTrace': STACK}),
                 headers={'api-error': 'true'}),
    FakeResponse(400, text=json.dumps({'#type': 'ApiError', 'message': 'Bad  name\nhere', 'errorCode': 400, 'stackTrace': STACK}),
                 headers={'Content-Type': 'text/plain'}),
])
def test_every_apierror_shape_gives_one_line_without_the_stack_trace(response):
    client = make_client([response])[0]
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert 'Bad name here' in str(info.value) and info.value.error_code == 400
    assert 'dart' not in str(info.value) and '\n' not in str(info.value)


def test_an_error_body_that_is_no_apierror_shows_its_message_not_its_stack_trace():
    client = make_client([FakeResponse(500, {'message': 'boom', 'stackTrace': STACK})])[0]
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert str(info.value) == '(HTTP 500) boom'
