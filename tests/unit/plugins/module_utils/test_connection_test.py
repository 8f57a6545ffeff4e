# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ConnectionTester: retries, refusals, server-wide errors, lookups, untestable sources (a fake client)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._inspect.tester import ConnectionTester, server_unusable


class FakeClient:
    """Answers test_connection from a list (strings are answers, exceptions are raised); one saved connection."""

    def __init__(self, answers, connections=None):
        self.answers = list(answers)
        self.tested = []
        self.connections = connections if connections is not None else {
            'Admin:Northwind': {'id': 'c1', 'name': 'Northwind', 'namespace': 'Admin:', 'dataSource': 'Postgres', 'parameters': {}}}

    def caller_namespace(self):
        return 'Admin:'

    def get_connection(self, ref):
        return self.connections.get(ref)

    def test_connection(self, body):
        self.tested.append(body)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_tester(client, retries=0):
    sleeps = []
    return ConnectionTester(client, retries=retries, delay=2.0, sleep=sleeps.append), sleeps


def test_retries_until_ok():
    client = FakeClient(['Connection refused: db:5432', 'Connection refused: db:5432', '"ok"'])
    test, sleeps = make_tester(client, retries=3)
    result = test.test_one({'name': 'Admin:Northwind'})
    assert result['ok'] is True and result['attempts'] == 3 and result['name'] == 'Admin:Northwind'
    assert sleeps == [2.0, 2.0]


def test_gives_up_after_the_retries_with_the_last_message():
    client = FakeClient(['timeout', 'password authentication failed'])
    result = make_tester(client, retries=1)[0].test_one({'name': 'Admin:Northwind'})
    assert result['ok'] is False and result['attempts'] == 2 and result['message'] == 'password authentication failed'


def test_a_refused_test_is_not_retried():
    client = FakeClient([DatagrokError('Access denied', status=403)])
    result = make_tester(client, retries=5)[0].test_one({'name': 'Admin:Northwind'})
    assert result['ok'] is False and result['attempts'] == 1
    assert result['message'] == 'the server refused the test: (HTTP 403) Access denied'


@pytest.mark.parametrize('error', [
    DatagrokError('Unauthorized (server https://dg.example.com)', status=401),
    DatagrokError('Unauthorized', status=200, error_code=401),
    DatagrokError('TLS error talking to https://dg.example.com', status=0),
])
def test_an_unusable_server_is_raised_not_reported_per_connection(error):
    assert server_unusable(error)
    with pytest.raises(DatagrokError):
        make_tester(FakeClient([error]))[0].test_one({'name': 'Admin:Northwind'})


def test_a_missing_connection_is_reported_by_name():
    result = make_tester(FakeClient([]))[0].test_one({'name': 'Gone'})
    assert result['ok'] is False and result['message'] == "connection 'Admin:Gone' does not exist"
    assert result['skipped'] is False


def test_in_check_mode_a_connection_not_created_yet_is_skipped():
    # A check run of "create Northwind, then test it" skips the test of the connection not yet created.
    client = FakeClient([])
    tester = ConnectionTester(client, check_mode=True)
    result = tester.test_one({'name': 'Gone'})
    assert result['ok'] is False and result['skipped'] is True and result['name'] == 'Gone'
    assert result['message'].startswith("connection 'Admin:Gone' does not exist yet: in check mode")
    assert client.tested == []


def test_unsaved_connection_body_and_untestable_source():
    client = FakeClient(['ok'])
    item = {'data_source': 'postgres', 'parameters': {'host': 'db', 'port': 5432}, 'credentials': {'login': 'u', 'password': 'p'}}
    result = make_tester(client)[0].test_one(item)
    assert result['ok'] is True and result['name'] == 'postgres (unsaved)'
    body = client.tested[0]
    assert body['dataSource'] == 'postgres' and body['credentials'] == {'parameters': {'login': 'u', 'password': 'p'}}
    aws = make_tester(FakeClient([]))[0].test_one({'data_source': 'AWS', 'parameters': {}})
    assert aws['untestable'] is True and aws['ok'] is False
