"""The internal routers the vendor CLI (npm datagrok-tools, bin/utils/node-dapi.js) uses next to /public/v1.

`grok s connections list|count` page through /connectors/connections (the public list ignores paging),
`shares list` resolves names through /entities and groups through /groups/{id}, and every command logs in
with `POST /users/login/dev` and `Authorization: Dev <key>`. Served unless --internal-routes off.
"""
from __future__ import annotations

import uuid

from . import store as db
from .lookups import Lookups
from .model import (ApiError, connection_json, find_connection, find_group, find_project, group_json, not_found,
                    project_json, user_json)


def int_arg(req, name: str):
    value = req.query.get(name)
    if value in (None, ''):
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, 'Invalid value for %s: %s' % (name, value))


def page_rows(rows: list, limit, page) -> list:
    """Paging is 1-based, as in Datlas' repository_query.dart; `page` without `limit` is ignored."""
    if limit is None or limit < 0:
        return rows
    start = (max(page or 1, 1) - 1) * limit
    return rows[start:start + limit]


class InternalRoutes:
    """Mixed into Api: every method takes a Request and returns a JSON-able value or raises ApiError."""

    def login_dev_header(self, req):
        """`Authorization: Dev <key>`; the CLI falls back to /users/login/dev/{key} on 404 or 401 (CHANGELOG 6.6.0)."""
        header = (req.authorization or '').strip()
        if not header.lower().startswith('dev '):
            raise ApiError(401, 'Invalid developer key')
        return self._session_for(header[4:].strip())

    def users_current_internal(self, req):
        # pusher.js currentNamespace: the caller's namespace is "<project.name>:".
        data = user_json(self.store, req.user, with_project=self.options.user_project in ('internal', 'public'))
        data['isAdmin'] = req.user['is_admin']
        return data

    def groups_get_internal(self, req):
        row = find_group(self.store, req.args['ref'])
        if row is None:
            raise not_found()
        return group_json(self.store, row)

    def connectors_list(self, req):
        """The internal router honours limit with a 1-based page (node-dapi.js InternalDataSource.listAll)."""
        lookups = Lookups(self.store, req.user)
        rows = self._ordered_connections(req, lookups, paged=True)
        return self._listed(req, rows, lookups)

    def connectors_count(self, req):
        return len(self._filtered_connections(req))

    def connectors_get(self, req):
        conn = find_connection(self.store, req.user, req.args['ref'])
        if conn is None:
            raise not_found()
        return connection_json(self.store, req.user, conn)

    def connectors_save(self, req):
        # The internal save takes no saveCredentials: the body's credentials block is not stored (as with false).
        return self.connections_save(req)

    def connectors_delete(self, req):
        conn = find_connection(self.store, req.user, req.args['ref'])
        if conn is None:
            raise not_found()
        req.args['ref'] = conn['id']
        return self.connections_delete(req)

    # ---- entities and projects --------------------------------------------------------------------------------------

    def _light_records(self, user):
        lookups = Lookups(self.store, user)
        for conn in self.store.all('SELECT * FROM connections ORDER BY created_on, id'):
            if lookups.can_view(conn):
                yield {'#type': 'DataConnection', 'id': conn['id'], 'name': conn['name'], 'namespace': conn['namespace']}
        for project in self.store.all('SELECT * FROM projects ORDER BY created_on, id'):
            yield {'#type': 'Project', 'id': project['id'], 'name': project['name'], 'namespace': ''}

    def entities_find(self, req):
        """GET /entities?namespace=Ns:&name=N: light records; an empty namespace is the root (walker.js resolveEntity)."""
        namespace = (req.query.get('namespace') or '').casefold()
        name = (req.query.get('name') or '').casefold()
        return [r for r in self._light_records(req.user)
                if r['name'].casefold() == name and (r['namespace'] or '').casefold() == namespace]

    def entities_get(self, req):
        """GET /entities/{id}: an array holding the one entity (walker.js findEntity)."""
        wanted = req.args['ref'].lower()
        found = [r for r in self._light_records(req.user) if r['id'] == wanted]
        if not found:
            raise not_found()
        return found

    def projects_save(self, req):
        """POST /projects?saveRelations=true: a project that links entities; its grants reach them (inheritedByLink)."""
        body = req.body if isinstance(req.body, dict) else {}
        name = body.get('name')
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, 'Project name is required')
        existing = find_project(self.store, str(body['id'])) if body.get('id') else None
        project_id = existing['id'] if existing else str(uuid.UUID(str(body['id']))) if body.get('id') else str(uuid.uuid4())
        statements = [('INSERT OR REPLACE INTO projects VALUES (?, ?, ?, ?, ?)',
                       (project_id, name, body.get('friendlyName') or name, existing['author_id'] if existing else req.user['id'],
                        existing['created_on'] if existing else db.now()))]
        if (req.query.get('saveRelations') or '').lower() == 'true':
            # saveRelations replaces the whole relation set (pusher.js pushRelations).
            statements.append(('DELETE FROM project_links WHERE project_id = ?', (project_id,)))
            for relation in body.get('relations') or []:
                entity_id = ((relation or {}).get('entity') or {}).get('id')
                if entity_id:
                    statements.append(('INSERT OR IGNORE INTO project_links VALUES (?, ?)', (project_id, str(entity_id).lower())))
        self.store.write(*statements)
        return project_json(self.store, find_project(self.store, project_id))

    def projects_get(self, req):
        project = find_project(self.store, req.args['ref'])
        if project is None:
            raise not_found()
        return project_json(self.store, project)
