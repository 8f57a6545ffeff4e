# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The Datagrok routes the collection uses, one method each, with what each answer means; and the reads that take
more than one request (every connection, the caller's namespace and groups, grants), each made once per client.

A 404 means "missing" only once the API has answered at this URL (``HttpClient.confirm_root``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time
import uuid

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from ansible_collections.datagrok.platform.plugins.module_utils._client.http import HttpClient
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import API_PREFIX
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError

PAGE_SIZE = 500


def grok_name_path(ref):
    """A connection id or grok name as a URL path segment.

    Datagrok URLs write ``Namespace:Name`` as ``Namespace.Name`` (the server turns every ``.``
    back into ``:``), so names with a dot cannot be addressed by name at all.
    """
    return quote(ref.replace(':', '.'), safe='')


class Listing(list):
    """The connections a list returned. ``complete`` is True when the server's count agrees, False when the server
    counted more than it listed (a server that caps its pages), and None when it has no count to compare with."""

    complete = None


def _casefold_in(value, wanted):
    return (value or '').casefold() in set(w.casefold() for w in wanted)


class DatagrokClient(object):
    """One Datagrok server, as the collection uses it."""

    def __init__(self, url, api_key, validate_certs=True, ca_path=None, timeout=30, retries=3, pool_size=10,
                 sleep=time.sleep, session=None):
        self.http = HttpClient(url, api_key, validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                               retries=retries, pool_size=pool_size, sleep=sleep, session=session)
        self.base_url = self.http.shown_url
        self._cache = {}
        self._cache_lock = threading.Lock()

    def request(self, method, path, params=None, body=None, recover=None):
        return self.http.request(method, path, params=params, body=body, recover=recover)

    def _missing(self, exc):
        """Whether ``exc`` says that what was asked for does not exist: a 404 from an API known to answer here."""
        if not exc.is_not_found:
            return False
        self.http.confirm_root()
        return True

    def _cached(self, key, read):
        with self._cache_lock:
            if key not in self._cache:
                self._cache[key] = read()
            return self._cache[key]

    # -- connections -----------------------------------------------------------------------

    def get_connection(self, ref):
        """The connection by id or grok name, or None when it does not exist (or is not visible)."""
        if not ref.strip():
            return None
        try:
            found = self.request('GET', API_PREFIX + '/connections/' + grok_name_path(ref))
        except DatagrokError as exc:
            if self._missing(exc):
                return None
            raise
        # Some ids collide with sibling routes (/connections/count answers a number).
        return found if isinstance(found, dict) and found.get('id') else None

    def full_name(self, name):
        """``Namespace:Name`` of a name, bare names taken in the caller's namespace."""
        namespace, short = split_grok_name(name)
        return (namespace or self.caller_namespace()) + short

    def save_connection(self, body, save_credentials, is_new):
        """Create or update, retried safely.

        A new connection carries a client-chosen id, so after a lost answer the client re-reads by that id before
        sending again: a create that landed is never sent twice (a second POST under a taken name would come back
        renamed ``Name_1``). Resending an update is harmless.
        """
        body = dict(body)
        if not body.get('id'):
            body['id'] = str(uuid.uuid4())
        params = {'saveCredentials': 'true' if save_credentials else 'false'}
        return self.request('POST', API_PREFIX + '/connections', params=params, body=body,
                            recover=(lambda: self.get_connection(body['id'])) if is_new else None)

    def delete_connection(self, conn_id):
        try:
            self.request('DELETE', API_PREFIX + '/connections/' + grok_name_path(conn_id))
        except DatagrokError as exc:
            # A retried DELETE whose first attempt landed answers 404: the goal is reached.
            if not self._missing(exc):
                raise

    def test_connection(self, body):
        answer = self.request('POST', API_PREFIX + '/connections/test', body=body)
        return answer if isinstance(answer, str) else json.dumps(answer)

    def stored_credentials(self, conn_id):
        """The credentials bound to the connection for the caller, or None when there are none."""
        try:
            creds = self.request('GET', API_PREFIX + '/credentials/for/' + quote(conn_id, safe=''))
        except DatagrokError as exc:
            if self._missing(exc):
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
        return self.request('GET', API_PREFIX + '/groups/lookup', params={'query': query}) or []

    def share(self, entity_id, groups, access):
        return self.request('POST', API_PREFIX + '/entities/%s/shares' % grok_name_path(entity_id),
                            params={'groups': ','.join(groups), 'access': access})

    def revoke_permission(self, permission_id):
        try:
            self.request('DELETE', '/privileges/permissions/' + quote(permission_id, safe=''))
        except DatagrokError as exc:
            if not self._missing(exc):
                raise

    # -- every connection -------------------------------------------------------------------

    def list_connections(self, text=None, data_source=None, tags=None, page_size=PAGE_SIZE):
        """Every connection matching the filters, as a :class:`Listing`.

        The public list route ignores ``limit``/``page`` and has no count (npm datagrok-tools CHANGELOG 6.5.8), so,
        as the vendor CLI does, this pages through the internal router ``/connectors/connections`` (1-based pages) and
        compares with its count. A server without that router is listed through the public route. Filters other than
        ``text`` are applied here, so both routes give the same answer.
        """
        params = dict(text=text) if text else {}
        try:
            listing = self._page_through('/connectors/connections', params, page_size)
        except DatagrokError as exc:
            if not exc.is_not_found:
                raise
            try:
                listing = self._page_through(API_PREFIX + '/connections', params, page_size, count_path=None)
            except DatagrokError as again:
                if again.is_not_found and not self.http.answered:
                    raise self.http.root_error()
                raise
        kept = Listing(c for c in listing if (not data_source or (c.get('dataSource') or '').casefold() == data_source.casefold())
                       and all(_casefold_in(tag, c.get('tags') or []) for tag in tags or ()))
        kept.complete = listing.complete
        return kept

    def search_connections(self, text=None, data_source=None, tags=None, namespace=None):
        """Every connection matching all the filters given, namespace included."""
        found = self.list_connections(text=text, data_source=data_source, tags=tags)
        if namespace:
            wanted = namespace.rstrip(':').casefold()
            found = [c for c in found if (c.get('namespace') or '').rstrip(':').casefold() == wanted]
        return found

    def _page_through(self, path, params, page_size, count_path='/count'):
        count = None
        if count_path:
            count = self.request('GET', path + count_path, params=dict(params))
            count = count.get('count') if isinstance(count, dict) else count
            count = count if isinstance(count, int) and not isinstance(count, bool) else None
        found = self._pages(path, params, page_size)
        if count is not None and len(found) < count and 0 < len(found) < page_size:
            # Fewer than asked for on the first page, yet more to come: the server caps its pages. Page at its size.
            found = self._pages(path, params, len(found))
        listing = Listing(found)
        listing.complete = None if count is None else len(found) >= count
        return listing

    def _pages(self, path, params, page_size):
        found, seen, page = [], set(), 1
        while True:
            batch = self.request('GET', path, params=dict(params, limit=page_size, page=page)) or []
            batch = [c for c in batch if isinstance(c, dict)] if isinstance(batch, list) else []
            fresh = [c for c in batch if c.get('id') not in seen]
            seen.update(c.get('id') for c in fresh)
            found.extend(fresh)
            # A server that ignores limit/page returns everything at once, or the same page again.
            if len(batch) < page_size or not fresh or len(batch) > page_size:
                return found
            page += 1

    # -- the caller -------------------------------------------------------------------------

    def caller_namespace(self):
        """The namespace ("Admin:") of the key's user: where new connections land, and what bare names mean.

        The vendor CLI reads ``project.name`` of the internal ``/users/current`` (datagrok-tools pusher.js
        ``currentNamespace``); the public route may not carry the project. Without a project anywhere, the user's
        personal group is named like the personal project (inferred: tests/emulator/FIDELITY.md).
        """
        return self._cached('namespace', self._read_namespace)

    def _read_namespace(self):
        users = []
        for path in ('/users/current', API_PREFIX + '/users/current'):
            try:
                user = self.request('GET', path) or {}
            except DatagrokError as exc:
                if not exc.is_not_found:
                    raise
                continue
            project = ((user.get('project') or {}) if isinstance(user, dict) else {}).get('name')
            if project:
                return project.rstrip(':') + ':'
            users.append(user)
        if not users and not self.http.answered:
            raise self.http.root_error()
        for user in users:
            name = (user.get('group') or {}).get('name') or user.get('login')
            if name:
                return name.rstrip(':') + ':'
        raise DatagrokError('the server tells neither the project nor the login of the api_key\'s user')

    def caller_groups(self):
        """``(user, group ids)`` of the api_key's user: their personal group and every group above it (memberships
        nest), or None when the server does not tell. Read once per client; ``_converge/access.py`` decides with it."""
        return self._cached('caller_groups', self._read_caller_groups)

    def current_user(self):
        """The api_key's user, as the public API shows it."""
        return self.request('GET', API_PREFIX + '/users/current')

    def _read_caller_groups(self):
        try:
            user = self.current_user() or {}
            personal = (user.get('group') or {}).get('id') if isinstance(user, dict) else None
            if not user.get('id') or not personal:
                return None
            found, todo = set(), [personal]
            while todo:
                group_id = todo.pop()
                if group_id in found:
                    continue
                found.add(group_id)
                parents = self.request('GET', API_PREFIX + '/groups/%s/memberships' % quote(group_id, safe='')) or []
                todo.extend(g['id'] for g in parents if isinstance(g, dict) and g.get('id'))
        except DatagrokError:
            return None
        return user, set(g.casefold() for g in found)

    def administered_groups(self):
        """The ids (casefolded) of the groups the api_key's user administers (``GET /public/v1/groups/{id}/memberships``
        with ``admin=true``, the vendor client's ``GroupsClient.get_memberships``), or None when the server does not
        tell. Setting a group's credentials needs it (``_converge/access.py``)."""
        caller = self.caller_groups()  # outside read(): the cache's lock is held while read() runs
        if caller is None:
            return None
        personal = (caller[0].get('group') or {}).get('id')

        def read():
            try:
                rows = self.request('GET', API_PREFIX + '/groups/%s/memberships' % quote(personal, safe=''),
                                    params={'admin': 'true'}) or []
            except DatagrokError:
                return None
            return set(g['id'].casefold() for g in rows if isinstance(g, dict) and g.get('id'))
        return self._cached('administered_groups', read)

    def queries_by_connection(self):
        """``{connection id (casefolded): [query names]}`` of the data queries the api_key's user sees, read once: the
        vendor client lists them with ``GET /public/v1/functions?text=source="data-query"`` and each carries its
        ``connection`` (python-api datagrok_api/resources/functions.py ``list_queries``, models/query.py). None when
        the server serves no such list."""
        def read():
            try:
                rows = self.request('GET', API_PREFIX + '/functions', params={'text': 'source="data-query"'}) or []
            except DatagrokError as exc:
                if self._missing(exc):
                    return None
                raise
            found = {}
            for row in rows if isinstance(rows, list) else []:
                conn = (row.get('connection') or {}) if isinstance(row, dict) else {}
                if isinstance(conn, dict) and conn.get('id'):
                    found.setdefault(conn['id'].casefold(), []).append(row.get('nqName') or row.get('name') or row.get('id'))
            return found
        return self._cached('queries', read)

    # -- grants -----------------------------------------------------------------------------------

    def list_grants(self, entity_id):
        """The grants on an entity, each ``{id, group_id, group, permission, inherited_from}``.

        No public route reads grants; the vendor CLI reads the internal ``/privileges/permissions?all=true``, the only
        listing that fills in ``permission``. It also returns the grants inherited from the projects that link the
        entity, which belong to the project: such a row names the project in ``entityId`` (walker.js ``grantsOf``), or
        carries ``inheritedByLink`` (server.js ``handleSharesList``). ``inherited_from`` names that project.
        """
        rows = self.request('GET', '/privileges/permissions', params={'entityId': entity_id, 'all': 'true'}) or []
        grants = []
        for row in rows if isinstance(rows, list) else []:
            group = (row.get('userGroup') or {}) if isinstance(row, dict) else {}
            permission = (row.get('permission') or {}).get('name') if isinstance(row, dict) else None
            if not group.get('id') or not permission:
                continue
            owner = row.get('entityId')
            inherited = row.get('inheritedByLink') is True or bool(owner and owner.casefold() != entity_id.casefold())
            grants.append({
                'id': row.get('id'), 'group_id': group['id'], 'permission': permission,
                'group': group.get('name') or group.get('friendlyName') or self.group_name(group['id']),
                'inherited_from': (self.entity_label(owner) if owner and owner.casefold() != entity_id.casefold()
                                   else 'a containing project') if inherited else None,
            })
        return grants

    def grants_of(self, connections, max_workers=8):
        """The grants of each connection, in order (one request each, ``max_workers`` at a time)."""
        with ThreadPoolExecutor(max(1, max_workers)) as pool:
            return list(pool.map(lambda c: self.list_grants(c['id']), connections))

    # -- names behind ids ---------------------------------------------------------------------

    def group_name(self, group_id):
        """The name of a group given by id. Permission rows may carry only the id (datagrok-tools server.js
        ``handleSharesList`` reads each group with ``GET /public/v1/groups/{id}``)."""
        def read():
            group = self.request('GET', API_PREFIX + '/groups/' + quote(group_id, safe='')) or {}
            return group.get('name') or group.get('friendlyName') or group_id
        return self._cached(('group', group_id), read)

    def entity_label(self, entity_id):
        """``Namespace:Name`` of the entity (a project, for inherited grants) behind an id, or the id when it cannot
        be read: the internal ``GET /entities/{id}`` answers a list holding the entity (datagrok-tools walker.js)."""
        def read():
            try:
                found = self.request('GET', '/entities/' + quote(entity_id, safe=''))
            except DatagrokError:
                return entity_id
            entity = found[0] if isinstance(found, list) and found else found if isinstance(found, dict) else {}
            name = entity.get('name') if isinstance(entity, dict) else None
            return ((entity.get('namespace') or '') + name) if name else entity_id
        return self._cached(('entity', entity_id), read)
