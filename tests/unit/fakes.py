# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fakes of the unit tests: a stand-in for the transport's session, under the real DatagrokClient; and, for the
flow's tests, an in-memory server in place of the client, with a module around it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import uuid

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import Listing
from ansible_collections.datagrok.platform.plugins.module_utils._converge.report import bulk_results, single_result
from ansible_collections.datagrok.platform.plugins.module_utils._converge.run import Run

NOT_FOUND = {'#type': 'ApiError', 'message': 'Not Found', 'errorCode': 404}


class FakeResponse(object):
    """What a ``requests`` session answers, made from a status and a JSON body or a text."""

    def __init__(self, status=200, body=None, headers=None, text=None, url=''):
        self.status_code = status
        self.headers = headers or {}
        self.reason = 'reason'
        self.url = url
        self.text = text if text is not None else ('' if body is None else json.dumps(body))
        self.content = self.text.encode('utf-8')
        self.encoding = 'utf-8'

    def json(self):
        return json.loads(self.text)


class FakeSession(object):
    """Stands in for the ``requests.Session`` of a client (``_client/http.py``), and records every request.

    It answers from ``answers`` in order (a response, or an exception to raise), or else from ``routes`` (a path after
    the base URL -> ``(status, JSON body)``; a path not routed is a 404), or else raises ``error`` every time.
    ``sent`` holds ``(method, url, params, body)`` of each request, ``paths`` the path of each.
    """

    def __init__(self, answers=None, routes=None, error=None, base=''):
        self.answers = list(answers or [])
        self.routes = routes
        self.error = error
        self.base = base
        self.headers = {}
        self.proxies = {}
        self.sent = []
        self.paths = []

    def request(self, method, url, headers=None, params=None, data=None, timeout=None, allow_redirects=True):
        self.last_headers = headers
        self.sent.append((method, url, dict(params or {}), json.loads(data) if data else None))
        self.paths.append(url[len(self.base):] if url.startswith(self.base) else url)
        if self.error is not None:
            raise self.error
        if self.routes is not None and not self.answers:
            status, body = self.routes.get(self.paths[-1], (404, NOT_FOUND))
            return FakeResponse(status, body)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


NAMESPACE = 'Admin:'


class FakeServer(object):
    """The connection routes of a Datagrok server, in memory: names are unique per namespace, clashes become Name_1."""

    def __init__(self):
        self.connections = {}   # id -> connection JSON
        self.credentials = {}   # id -> credentials parameters
        self.calls = []
        self.before_save = None  # callable(body): what another client does just before a save lands
        self.queries = None      # {connection id: [query names]}, or None: the server lists no queries
        self.groups = {}         # name -> Group JSON, for lookup_groups
        self.saves = 0

    @classmethod
    def holding(cls, *names, **extra):
        """A server holding a Postgres connection of each name in Admin: (with the fields in ``extra``, tags say)."""
        server = cls()
        for name in names:
            server.store(dict({'#type': 'DataConnection', 'id': str(uuid.uuid4()), 'name': name, 'dataSource': 'Postgres',
                               'parameters': {'server': 'db', 'db': name}, 'tags': []}, **extra), False)
        return server

    def ids(self):
        """{name: id} of the connections held."""
        return dict((c['name'], c['id']) for c in self.connections.values())

    def caller_namespace(self):
        return 'Admin:'

    def full_name(self, name):
        return name if ':' in name else 'Admin:' + name

    def list_connections(self):
        listing = Listing(copy.deepcopy(list(self.connections.values())))
        listing.complete = True
        return listing

    def _by_name(self, name):
        for conn in self.connections.values():
            if (conn['namespace'] + conn['name']).casefold() == name.casefold():
                return conn
        return None

    def get_connection(self, ref):
        self.calls.append(('get', ref))
        found = self.connections.get(ref) or self._by_name(ref)
        return copy.deepcopy(found) if found else None

    def store(self, body, save_credentials, namespace=NAMESPACE):
        conn_id = body.get('id') or str(uuid.uuid4())
        existing = self.connections.get(conn_id)
        taken = set(c['name'].casefold() for i, c in self.connections.items() if i != conn_id and c['namespace'] == namespace)
        name, counter = body['name'], 0
        while name.casefold() in taken:
            counter += 1
            name = '%s_%d' % (body['name'], counter)
        conn = dict((k, copy.deepcopy(v)) for k, v in body.items() if k != 'credentials')
        self.saves += 1  # a save stamps updatedOn, as Datagrok does (tests/emulator/FIDELITY.md)
        conn.update(id=conn_id, name=name, namespace=existing['namespace'] if existing else namespace,
                    friendlyName=body.get('friendlyName') or name, updatedOn='2026-01-01T00:00:%02d.000Z' % self.saves)
        self.connections[conn_id] = conn
        if save_credentials:
            self.credentials[conn_id] = dict((body.get('credentials') or {}).get('parameters') or {})
        return copy.deepcopy(conn)

    def save_connection(self, body, save_credentials, is_new):
        self.calls.append(('save', body['name'], is_new))
        if self.before_save is not None:
            hook, self.before_save = self.before_save, None
            hook(body)
        return self.store(dict(body, id=body.get('id') or str(uuid.uuid4())), save_credentials)

    def delete_connection(self, conn_id):
        self.calls.append(('delete', conn_id))
        self.connections.pop(conn_id, None)
        self.credentials.pop(conn_id, None)

    def stored_credentials(self, conn_id):
        self.calls.append(('credentials', conn_id))
        return {'parameters': dict(self.credentials[conn_id])} if conn_id in self.credentials else None

    def list_grants(self, entity_id):
        return []

    def lookup_groups(self, query):
        return [copy.deepcopy(g) for name, g in self.groups.items() if query.casefold() in name.casefold()]

    def share(self, entity_id, groups, access):
        self.calls.append(('share', entity_id, tuple(groups), access))
        return {}

    def save_group_credentials(self, conn_id, group, parameters):
        self.calls.append(('group credentials', conn_id, group['name']))
        return {}

    def queries_by_connection(self):
        self.calls.append(('queries',))
        return self.queries

    def caller_groups(self):
        return None  # the server does not tell: check mode leaves refusals to the server


class FakeModule(object):
    check_mode = False
    _diff = False

    def __init__(self, client):
        self.client = client
        self.warnings = []

    def protect_parameters(self, params, data_source=None):
        pass

    def warn(self, warning):
        self.warnings.append(warning)


def run_many(module, items, saved_plan=None, **options):
    """The bulk form's ``results`` for ``items`` (``options``: purge, scope, force)."""
    outcomes = Run(module, saved_plan=saved_plan).converge(items, **options)
    return bulk_results(outcomes, with_diff=module._diff, applying_plan=bool(saved_plan and saved_plan.applying))[0]['results']


def run_one(module, item, saved_plan=None):
    """The single form's result for ``item``; its failure raises ItemError."""
    return single_result(Run(module, saved_plan=saved_plan, bulk=False).converge([item]))
