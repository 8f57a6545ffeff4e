# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The Datagrok routes the collection uses, one method each, with what each answer means.

A mixin of DatagrokClient (``_api.py``): it uses the client's ``request()`` and ``backoff()``. Reads that take more
than one request are in ``_reads.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import uuid

from urllib.parse import quote

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError

API_PREFIX = '/public/v1'


def grok_name_path(ref):
    """A connection id or grok name as a URL path segment.

    Datagrok URLs write ``Namespace:Name`` as ``Namespace.Name`` (the server turns every ``.``
    back into ``:``), so names with a dot cannot be addressed by name at all.
    """
    return quote(ref.replace(':', '.'), safe='')


class ServerRoutes(object):

    def get(self, path, params=None):
        return self.request('GET', API_PREFIX + path, params=params)

    def delete(self, path):
        return self.request('DELETE', API_PREFIX + path)

    # -- connections -----------------------------------------------------------------------

    def current_user(self):
        return self.get('/users/current')

    def get_connection(self, ref):
        """The connection by id or grok name, or None when it does not exist (or is not visible)."""
        if not ref.strip():
            return None
        try:
            found = self.get('/connections/' + grok_name_path(ref))
        except DatagrokError as exc:
            if exc.is_not_found:
                return None
            raise
        # Some ids collide with sibling routes (/connections/count answers a number).
        return found if isinstance(found, dict) and found.get('id') else None

    def save_connection(self, body, save_credentials, is_new):
        """Create or update, retried safely.

        A new connection carries a client-chosen id, so after a lost answer the client re-reads
        by that id before sending again: a create that landed is never sent twice (a second
        POST under a taken name would come back renamed ``Name_1``). Resending an update is harmless.
        """
        body = dict(body)
        if not body.get('id'):
            body['id'] = str(uuid.uuid4())
        params = {'saveCredentials': 'true' if save_credentials else 'false'}
        attempt = 0
        while True:
            try:
                return self.request('POST', API_PREFIX + '/connections', params=params, body=body, retry=False)
            except DatagrokError as exc:
                if not (exc.retriable and attempt < self.retries):
                    raise
                self.backoff(attempt, exc)
                attempt += 1
                if is_new:
                    landed = self.get_connection(body['id'])
                    if landed is not None:
                        return landed

    def delete_connection(self, conn_id):
        try:
            self.delete('/connections/' + grok_name_path(conn_id))
        except DatagrokError as exc:
            # A retried DELETE whose first attempt landed answers 404: the goal is reached.
            if not exc.is_not_found:
                raise

    def test_connection(self, body):
        answer = self.request('POST', API_PREFIX + '/connections/test', body=body)
        return answer if isinstance(answer, str) else json.dumps(answer)

    def stored_credentials(self, conn_id):
        """The credentials bound to the connection for the caller, or None when there are none."""
        try:
            creds = self.get('/credentials/for/' + quote(conn_id, safe=''))
        except DatagrokError as exc:
            if exc.is_not_found:
                return None
            raise
        return creds if isinstance(creds, dict) else None

    def save_group_credentials(self, conn_id, group, parameters):
        """Bind a credential set to ``group`` (its Group JSON) on the connection: the vendor client's
        ``CredentialsClient.save`` (python-api datagrok_api/resources/credentials.py), one set per group and
        connection, replaced whole (tests/emulator/FIDELITY.md)."""
        return self.request('POST', API_PREFIX + '/credentials', body={
            'entityBindId': conn_id, 'group': {'#type': 'Group', 'id': group['id'], 'name': group.get('name')},
            'parameters': dict(parameters)})

    # -- shares ----------------------------------------------------------------------------

    def lookup_groups(self, query):
        return self.get('/groups/lookup', params={'query': query}) or []

    def share(self, entity_id, groups, access):
        return self.request('POST', API_PREFIX + '/entities/%s/shares' % grok_name_path(entity_id),
                            params={'groups': ','.join(groups), 'access': access})

    def revoke_permission(self, permission_id):
        try:
            self.request('DELETE', '/privileges/permissions/' + quote(permission_id, safe=''))
        except DatagrokError as exc:
            if not exc.is_not_found:
                raise
