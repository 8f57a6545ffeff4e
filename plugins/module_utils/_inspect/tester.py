# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Connection tests: saved or unsaved connections, many at once, with waiting for a database to come up."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import canonical
from ansible_collections.datagrok.platform.plugins.module_utils._connection.data_sources import UNTESTABLE_DATA_SOURCES
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name, split_grok_name


def server_unusable(exc):
    """An error about the server or the key (unreachable, TLS, 401), not about one connection: no test can run."""
    return exc.status == 0 or exc.status == 401 or exc.error_code == 401


def is_ok(message):
    # The server answers the JSON string "ok"; the Node client also strips stray quotes.
    return str(message).strip().strip('"') == 'ok'


class ConnectionTester(object):

    def __init__(self, client, retries=0, delay=3.0, sleep=time.sleep, check_mode=False):
        self.client = client
        self.check_mode = check_mode
        self.retries = retries
        self.delay = delay
        self.sleep = sleep

    def _full_name(self, name):
        namespace, short = split_grok_name(name)
        return (namespace or self.client.caller_namespace()) + short

    def _target(self, item):
        """(label, body to test) for one item; the body of a saved connection is read from the server."""
        if item.get('data_source'):
            source = item['data_source']
            body = {'#type': 'DataConnection', 'name': item.get('name') or 'unsaved', 'dataSource': source,
                    'parameters': canonical(source, item.get('parameters') or {}),
                    'credentials': {'parameters': canonical(source, item.get('credentials') or {})}}
            return item.get('name') or '%s (unsaved)' % item['data_source'], body
        ref = item.get('id') or self._full_name(item['name'])
        conn = self.client.get_connection(ref)
        if conn is None:
            raise LookupError(ref)
        # Posting the connection as read, secrets masked, makes the server use the stored credentials.
        return grok_name(conn), conn

    def test_one(self, item):
        label = item.get('name') or item.get('id') or item.get('data_source')
        result = {'name': label, 'ok': False, 'message': '', 'elapsed': 0.0, 'attempts': 0, 'untestable': False,
                  'skipped': False}
        started = time.time()
        try:
            label, body = self._target(item)
        except LookupError as exc:
            result['message'] = "connection '%s' does not exist" % exc.args[0]
            if self.check_mode:
                # In a dry run, the task that would create it did not: that is no failure of the test.
                result.update(skipped=True, message="connection '%s' does not exist yet: in check mode, "
                              "it would be tested once a task before this one creates it" % exc.args[0])
            return result
        except DatagrokError as exc:
            if server_unusable(exc):
                raise
            result['message'] = 'cannot read the connection: %s' % exc
            return result
        result['name'] = label
        if body.get('dataSource') in UNTESTABLE_DATA_SOURCES:
            result.update(untestable=True, message="data source '%s' (a secrets manager) cannot be tested" % body['dataSource'])
            return result
        while True:
            result['attempts'] += 1
            try:
                message = self.client.test_connection(body)
            except DatagrokError as exc:
                if server_unusable(exc):
                    raise
                # The server refused to run this test (no permission, bad body): waiting will not help.
                result.update(message='the server refused the test: %s' % exc, elapsed=round(time.time() - started, 3))
                return result
            result.update(ok=is_ok(message), message=message, elapsed=round(time.time() - started, 3))
            if result['ok'] or result['attempts'] > self.retries:
                return result
            self.sleep(self.delay)

    def run(self, items, max_workers=4):
        with ThreadPoolExecutor(max(1, max_workers)) as pool:
            return list(pool.map(self.test_one, items))
