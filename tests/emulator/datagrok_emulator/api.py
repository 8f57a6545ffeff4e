"""The routes. Each handler takes a Request and returns a JSON-able value (EMPTY for an empty 200) or raises ApiError."""
from __future__ import annotations

import re
import secrets
import threading
import uuid

from . import masking, smartfilter, sources, store as db, testing
from .internal import InternalRoutes, int_arg, page_rows
from .lookups import LISTED, Lookups, visible_sql
from .queries import QueryRoutes
from .model import (ApiError, access_denied, can_edit, connection_json, credentials_for, credentials_json,
                    find_connection, find_group, group_json, load_user, member_links, namespace_of, not_found,
                    may_bind_credentials, share_target, shareable, containers_of, user_json)

EMPTY = object()
VERSION = '1.27.9'


class Request:
    def __init__(self, user, query: dict, body, args: dict, authorization=None):
        self.user = user
        self.query = query
        self.body = body
        self.args = args
        self.authorization = authorization  # the raw Authorization header


def _body_dict(req) -> dict:
    if not isinstance(req.body, dict):
        raise ApiError(400, 'Request body must be a JSON object')
    return req.body


def _valid_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ApiError(400, 'Invalid id: %s' % value)


class Api(InternalRoutes, QueryRoutes):
    def __init__(self, store, keys: dict, options):
        self.store = store
        self.keys = keys
        self.sessions = {}
        self.sessions_lock = threading.Lock()
        self.options = options
        self.credentials_clear = options.credentials_read == 'clear'

    # ---- auth -----------------------------------------------------------------------------------------------------

    def authenticate(self, header):
        """Datagrok takes `Bearer <key>` as documented, and a bare key or session token as its own clients send."""
        token = (header or '').strip()
        if token.lower().startswith('bearer '):
            token = token[7:].strip()
        with self.sessions_lock:
            user_id = self.keys.get(token) or self.sessions.get(token)
        return load_user(self.store, user_id) if token and user_id else None

    def login_dev(self, req):
        """POST /users/login/dev/{key}: the legacy form; the vendor CLI falls back to it (node-dapi.js NodeApiClient.login)."""
        return self._session_for(req.args['ref'])

    def _session_for(self, key):
        user_id = self.keys.get(key)
        if user_id is None:
            raise ApiError(401, 'Invalid developer key')
        token = secrets.token_hex(24)
        with self.sessions_lock:
            self.sessions[token] = user_id
        return {'token': token}

    # ---- server -----------------------------------------------------------------------------------------------------

    def healthcheck(self, req):
        return {'status': 'ok', 'server': 'datagrok-emulator', 'version': VERSION, 'time': db.now(), 'services': []}

    def info_server(self, req):
        return {'Version': VERSION, 'Commit': 'emulator'}

    # ---- users and groups -------------------------------------------------------------------------------------------

    def users_current(self, req):
        # The vendor's Python User model has no project; only --user-project public puts it here.
        return user_json(self.store, req.user, with_project=self.options.user_project == 'public')

    def users_get(self, req):
        ref = req.args['ref']
        row = self.store.one('SELECT * FROM users WHERE id = ? OR lower(login) = lower(?)', (ref.lower(), ref))
        if row is None:
            raise not_found()
        return user_json(self.store, row)

    def groups_current(self, req):
        return group_json(self.store, self.store.one('SELECT * FROM groups WHERE id = ?', (req.user['group_id'],)))

    def groups_lookup(self, req):
        # A pruned projection: no relations. Personal groups are included, so users can be found too.
        wanted = (req.query.get('query') or '').casefold()
        return [group_json(self.store, g, relations=()) for g in self.store.all('SELECT * FROM groups ORDER BY personal, name')
                if wanted in g['name'].casefold() or wanted in g['friendly_name'].casefold()]

    def groups_list(self, req):
        text = req.query.get('text') or ''
        fields = {'name': lambda g: g['name'], 'friendlyName': lambda g: g['friendly_name'], 'id': lambda g: g['id'],
                  'description': lambda g: g['description'], 'personal': lambda g: bool(g['personal'])}
        checks = smartfilter.parse(text, fields)
        with_personal = re.search(r'personal\s*=\s*true', text, re.IGNORECASE) is not None
        include = (req.query.get('include') or '').split(',')
        relations = tuple(kind for kind, key in (('children', 'children.child'), ('parents', 'parents.parent')) if key in include)
        return [group_json(self.store, g, relations) for g in self.store.all('SELECT * FROM groups ORDER BY name')
                if (with_personal or not g['personal']) and all(check(g) for check in checks)]

    def groups_get(self, req):
        row = find_group(self.store, req.args['ref'].replace('.', ':'))
        if row is None:
            raise not_found()
        return group_json(self.store, row)

    def _relatives(self, req, kind: str):
        row = find_group(self.store, req.args['ref'])
        if row is None:
            raise not_found()
        admin = req.query.get('admin')
        other = 'child_id' if kind == 'children' else 'parent_id'
        result = []
        for link in member_links(self.store, row['id'], kind):
            if admin in (None, '') or str(bool(link['is_admin'])).lower() == admin.lower():
                result.append(group_json(self.store, self.store.one('SELECT * FROM groups WHERE id = ?', (link[other],)), relations=()))
        return result

    def groups_members(self, req):
        return self._relatives(req, 'children')

    def groups_memberships(self, req):
        return self._relatives(req, 'parents')

    # ---- connections ------------------------------------------------------------------------------------------------

    def _filtered_connections(self, req, lookups=None, limit=None, page=None) -> list:
        """The connections the caller sees that match the filters, in the server's order; a page of them with ``limit``."""
        lookups = lookups or Lookups(self.store, req.user)
        logins = {u['id']: u['login'] for u in lookups.users().values()}
        # The server rewrites a structured `name` clause to friendlyName; `shortName` is the real name.
        fields = {'dataSource': lambda c: c['data_source'], 'namespace': lambda c: c['namespace'],
                  'author': lambda c: logins.get(c['author_id']), 'name': lambda c: c['friendly_name'],
                  'friendlyName': lambda c: c['friendly_name'], 'shortName': lambda c: c['name'],
                  'id': lambda c: c['id'], 'description': lambda c: c['description']}
        checks = smartfilter.parse(req.query.get('text') or '', fields)
        data_source = (req.query.get('dataSource') or '').casefold()
        tags = [t.strip().casefold() for t in (req.query.get('tags') or '').split(',') if t.strip()]
        where, args = visible_sql(req.user)
        sql = 'SELECT %s FROM connections%s ORDER BY created_on, id' % (LISTED, where)
        if not (checks or data_source or tags):
            if limit is None or limit < 0:
                return self.store.all(sql, args)
            # Nothing to filter in Python: the page is read alone, so listing N connections page by page costs N.
            return self.store.all(sql + ' LIMIT ? OFFSET ?', args + [limit, (max(page or 1, 1) - 1) * limit])
        rows = [conn for conn in self.store.all(sql, args)
                if all(check(conn) for check in checks) and (not data_source or conn['data_source'].casefold() == data_source)
                and all(t in {t.casefold() for t in conn['tags']} for t in tags)]
        return rows if limit is None else page_rows(rows, limit, page)

    def _ordered_connections(self, req, lookups, paged=False) -> list:
        """`order=field`, or `-field` / `!field` (node-dapi.js NodeHttpDataSource.order) for descending; with ``paged``,
        the page that `limit` and `page` ask for."""
        limit, page = (int_arg(req, 'limit'), int_arg(req, 'page')) if paged else (None, None)
        order = req.query.get('order') or ''
        columns = {'name': 'name', 'friendlyname': 'friendly_name', 'createdon': 'created_on', 'updatedon': 'updated_on',
                   'datasource': 'data_source', 'namespace': 'namespace', 'id': 'id', 'description': 'description'}
        column = columns.get(order.lstrip('-!').lower())
        if not column:
            return self._filtered_connections(req, lookups, limit, page)
        rows = self._filtered_connections(req, lookups)
        rows.sort(key=lambda c: str(c[column] or '').casefold(), reverse=order[:1] in ('-', '!'))
        return page_rows(rows, limit, page) if paged else rows

    def connections_list(self, req):
        lookups = Lookups(self.store, req.user)
        rows = self._ordered_connections(req, lookups, paged=self.options.public_list_paging == 'honour')
        return self._listed(req, rows, lookups)

    def _listed(self, req, rows, lookups) -> list:
        rows = rows[:self.options.list_cap] if self.options.list_cap > 0 else rows
        lookups.load_credentials(c['id'] for c in rows)
        return [connection_json(self.store, req.user, c, lookups) for c in lookups.with_parameters(rows)]

    def connections_count(self, req):
        if self.options.public_list_paging != 'honour':
            # The public router has no /count (datagrok-tools CHANGELOG 6.5.8): "count" is read as a connection name.
            raise not_found()
        return len(self._filtered_connections(req))

    def connections_get(self, req):
        conn = find_connection(self.store, req.user, req.args['ref'])
        if conn is None:
            raise not_found()
        return connection_json(self.store, req.user, conn)

    def _unique_name(self, namespace: str, name: str, conn_id: str) -> str:
        """Names are unique per namespace, ignoring case: a clash is stored as Name_1, Name_2, ... (as Datlas does)."""
        key = name.casefold()
        # Only the names that can clash, the key and "key_...": one range of the (namespace, name_key) index.
        rows = self.store.all('SELECT name_key FROM connections WHERE namespace = ? AND id != ? AND '
                              '(name_key = ? OR (name_key > ? AND name_key < ?))', (namespace, conn_id, key, key + '_', key + '`'))
        taken = {row['name_key'] for row in rows}
        candidate, counter = key, 0
        while candidate in taken:
            counter += 1
            candidate = '%s_%d' % (key, counter)
        return name if not counter else '%s_%d' % (name, counter)

    def connections_save(self, req):
        user, body = req.user, _body_dict(req)
        name = body.get('name')
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, 'Connection name is required')
        data_source = body.get('dataSource')
        if data_source not in sources.KNOWN_SOURCES:
            raise ApiError(400, 'Unknown data source: %s' % data_source)
        params = body.get('parameters') or {}
        tags = body.get('tags') or []
        if not isinstance(params, dict) or not isinstance(tags, list):
            raise ApiError(400, '`parameters` must be an object and `tags` a list')
        existing = self.store.one('SELECT * FROM connections WHERE id = ?', (str(body['id']).lower(),)) if body.get('id') else None
        if existing is not None and not can_edit(self.store, user, existing):
            raise access_denied('Edit')
        conn_id = existing['id'] if existing else _valid_id(body['id']) if body.get('id') else str(uuid.uuid4())
        # The namespace is the server's choice: the caller's personal one on create, unchanged on update.
        namespace = existing['namespace'] if existing else namespace_of(user)
        if existing is not None and self.options.rename_by_save == 'kept':
            name = existing['name']
        final_name = self._unique_name(namespace, name, conn_id)
        creds = None
        if (req.query.get('saveCredentials') or '').lower() == 'true':
            # Only then is the body's credentials block stored; otherwise stored credentials stay as they are.
            creds = self._credentials_row(conn_id, body.get('credentials') or {}, data_source)
        stamp = db.now()
        self.store.insert('connections', {
            'id': conn_id, 'name': final_name, 'friendly_name': body.get('friendlyName') or final_name, 'namespace': namespace,
            'data_source': data_source, 'description': body.get('description'),
            'parameters': masking.merge_placeholders(params, existing['parameters'] if existing else {}),
            'tags': list(dict.fromkeys(str(t) for t in tags)), 'author_id': existing['author_id'] if existing else user['id'],
            'created_on': existing['created_on'] if existing else stamp,
            'updated_on': existing['updated_on'] if existing and self.options.updated_on == 'kept' else stamp,
        })
        if creds is not None:
            self.store.insert('credentials', creds)
        return connection_json(self.store, user, self.store.one('SELECT * FROM connections WHERE id = ?', (conn_id,)))

    def connections_delete(self, req):
        conn = find_connection(self.store, req.user, req.args['ref'])
        if conn is None:
            # node-dapi.js NodeConnectionsDataSource.delete: the server answers 200 for an unknown id.
            if self.options.delete_unknown == 'ok':
                return EMPTY
            raise not_found()
        if not can_edit(self.store, req.user, conn):
            raise access_denied('Delete')
        self.store.write(('DELETE FROM connections WHERE id = ?', (conn['id'],)),
                         ('DELETE FROM credentials WHERE entity_id = ?', (conn['id'],)),
                         ('DELETE FROM permissions WHERE entity_id = ?', (conn['id'],)))
        return EMPTY

    def connections_test(self, req):
        """Runs outside any transaction (a test may take seconds): only the look-up of stored secrets reads a snapshot."""
        body = _body_dict(req)
        data_source = body.get('dataSource')
        if data_source not in sources.KNOWN_SOURCES:
            return 'Unknown data source: %s' % data_source
        params = body.get('parameters') or {}
        creds = body.get('credentials') or {}
        creds = creds.get('parameters') or {} if isinstance(creds, dict) else {}
        if not isinstance(params, dict) or not isinstance(creds, dict):
            raise ApiError(400, '`parameters` and `credentials.parameters` must be objects')
        with self.store.reading():
            stored = find_connection(self.store, req.user, str(body['id'])) if body.get('id') else None
            if stored is not None:
                # A saved connection is tested with its stored secrets where the body has them masked or missing.
                params = _fill(params, stored['parameters'], only_secrets=True, data_source=data_source)
                stored_creds = credentials_for(self.store, req.user, stored['id'])
                creds = _fill(creds, stored_creds['parameters'] if stored_creds else {}, only_secrets=False, data_source=data_source)
        return testing.check_connection(data_source, params, creds)

    # ---- credentials ------------------------------------------------------------------------------------------------

    def _credentials_row(self, entity_id: str, body: dict, data_source: str = None) -> dict:
        """The credentials row a save would store: the sent set replaces the stored one, placeholders keep stored values."""
        if not isinstance(body, dict) or not all(isinstance(body.get(k) or {}, dict) for k in ('parameters', 'openParameters', 'group')):
            raise ApiError(400, '`credentials` must be an object, and its parameters, openParameters and group objects')
        if data_source is None:
            data_source = (self.store.one('SELECT data_source FROM connections WHERE id = ?', (entity_id,)) or {}).get('data_source')
        params = {k: v for k, v in (body.get('openParameters') or {}).items() if not masking.is_secret(k, data_source)}
        params.update(body.get('parameters') or {})
        existing, group_id = None, None
        if body.get('id'):
            existing = self.store.one('SELECT * FROM credentials WHERE id = ? AND entity_id = ?', (str(body['id']).lower(), entity_id))
        if existing is None:
            # Credentials belong to a group; without one they go to All users, so everyone who can use the entity can.
            group_id = (body.get('group') or {}).get('id') or db.ALL_USERS
            if self.store.one('SELECT id FROM groups WHERE id = ?', (group_id,)) is None:
                raise ApiError(400, 'Unknown group: %s' % group_id)
            existing = self.store.one('SELECT * FROM credentials WHERE entity_id = ? AND group_id = ?', (entity_id, group_id))
        return {'id': existing['id'] if existing else _valid_id(body['id']) if body.get('id') else str(uuid.uuid4()),
                'entity_id': entity_id, 'group_id': existing['group_id'] if existing else group_id,
                'parameters': masking.merge_placeholders(params, existing['parameters'] if existing else {}),
                'created_on': existing['created_on'] if existing else db.now()}

    def credentials_for(self, req):
        conn = find_connection(self.store, req.user, req.args['ref'])
        row = credentials_for(self.store, req.user, conn['id']) if conn else None
        if row is None:
            raise not_found()
        return credentials_json(self.store, row, clear=self.credentials_clear)

    def credentials_save(self, req):
        body = _body_dict(req)
        if not body.get('entityBindId'):
            raise ApiError(400, 'Credentials must have entityBindId set')
        conn = find_connection(self.store, req.user, str(body['entityBindId']))
        if conn is None:
            raise not_found()
        if not can_edit(self.store, req.user, conn):
            raise access_denied('Edit')
        row = self._credentials_row(conn['id'], body)
        if not may_bind_credentials(self.store, req.user, row['group_id']):
            raise ApiError(403, 'Access denied: only an administrator of the group may set its credentials')
        self.store.insert('credentials', row)
        return credentials_json(self.store, self.store.one('SELECT * FROM credentials WHERE id = ?', (row['id'],)), clear=self.credentials_clear)

    def credentials_delete(self, req):
        row = self.store.one('SELECT * FROM credentials WHERE id = ?', (req.args['ref'].lower(),))
        conn = find_connection(self.store, req.user, row['entity_id']) if row else None
        if conn is None:
            raise not_found()
        if not can_edit(self.store, req.user, conn):
            raise access_denied('Edit')
        self.store.write(('DELETE FROM credentials WHERE id = ?', (row['id'],)))
        return EMPTY

    # ---- sharing ----------------------------------------------------------------------------------------------------

    def shares(self, req):
        entity = shareable(self.store, req.user, req.args['ref'])
        if entity is None:
            raise not_found()
        access = {'view': 'View', 'edit': 'Edit'}.get((req.query.get('access') or 'View').lower())
        if access is None:
            raise ApiError(400, 'Invalid access: %s (expected View or Edit)' % req.query.get('access'))
        names = [n.strip() for n in (req.query.get('groups') or '').split(',') if n.strip()]
        if not names:
            raise ApiError(400, 'No groups to share with')
        if not entity['editable']:
            raise access_denied('Share')
        # View is "View and Use"; Edit is full control, which includes View (--edit-grant edit-only: one row only).
        wanted = ('View',) if access == 'View' else ('View', 'Edit') if self.options.edit_grant == 'view-and-edit' else ('Edit',)
        shared, already, failed = [], [], []
        for name in names:
            group = share_target(self.store, name)
            if group is None:
                failed.append(name)
                continue
            have = {r['permission'] for r in self.store.all('SELECT permission FROM permissions WHERE entity_id = ? AND group_id = ?',
                                                            (entity['id'], group['id']))}
            missing = [p for p in wanted if p not in have]
            self.store.write(*[('INSERT INTO permissions VALUES (?, ?, ?, ?, ?)', (str(uuid.uuid4()), entity['id'], group['id'], p, db.now()))
                               for p in missing])
            (shared if missing else already).append(group['name'])
        status = 'failed' if not shared and not already else 'partial_success' if failed else 'success'
        return {'status': status, 'shared': shared, 'alreadyShared': already, 'failed': failed}

    def permissions_list(self, req):
        """The entity's grants. With all=true, also those it inherits from the projects that link it (walker.js grantsOf):
        marked by the project's entityId, or (--inherited-rows link-flag) by inheritedByLink on the entity's own id."""
        entity = shareable(self.store, req.user, req.query.get('entityId') or '')
        if entity is None:
            raise not_found()
        hydrate = (req.query.get('all') or '').lower() == 'true'
        query = 'SELECT * FROM permissions WHERE entity_id = ? ORDER BY created_on, id'
        rows = [(row, False) for row in self.store.all(query, (entity['id'],))]
        if hydrate:
            for project_id in containers_of(self.store, entity['id']):
                rows += [(row, True) for row in self.store.all(query, (project_id,))]
        result = []
        for row, inherited in rows:
            data = _permission_json(self.store, row, named=self.options.permission_rows == 'named', hydrate=hydrate)
            if hydrate and self.options.inherited_rows == 'link-flag':
                data.update(entityId=entity['id'], inheritedByLink=inherited)
            result.append(data)
        return result

    def permissions_delete(self, req):
        row = self.store.one('SELECT * FROM permissions WHERE id = ?', (req.args['ref'].lower(),))
        entity = shareable(self.store, req.user, row['entity_id']) if row else None
        if entity is None:
            raise not_found()
        if not entity['editable']:
            raise access_denied('Share')
        self.store.write(('DELETE FROM permissions WHERE id = ?', (row['id'],)))
        return EMPTY


def _fill(new: dict, stored: dict, only_secrets: bool, data_source: str = None) -> dict:
    result = masking.merge_placeholders(new, stored)
    for key, value in stored.items():
        if (only_secrets is False or masking.is_secret(key, data_source)) and not masking.lookup(result, key)[0]:
            result[key] = value
    return result


def _permission_json(store, row, named: bool, hydrate: bool) -> dict:
    """A permission row. The vendor CLI looks each group up by id (server.js handleSharesList): rows carry only its id,
    unless --permission-rows named. Only all=true fills in `permission` (node-dapi.js NodeSharesDataSource.list)."""
    group = store.one('SELECT * FROM groups WHERE id = ?', (row['group_id'],))
    names = {'View': 'View and Use', 'Edit': 'Full control'}
    user_group = {'id': group['id']}
    if named:
        user_group.update(name=group['name'], friendlyName=group['friendly_name'], personal=bool(group['personal']))
    return {'#type': 'Permission', 'id': row['id'], 'entityId': row['entity_id'], 'userGroup': user_group,
            'permission': {'name': row['permission'], 'friendlyName': names[row['permission']]} if hydrate else None}
