"""Data queries, as far as a connection's guard needs them: the vendor client saves one with `POST
/public/v1/functions` (a DataQuery that carries its `connection`) and lists them with `GET /public/v1/functions?text=
source="data-query"` (python-api datagrok_api/resources/functions.py, models/query.py). Served unless --queries-route off.
"""
from __future__ import annotations

import uuid

from . import store as db
from .model import ApiError, find_connection, namespace_of, not_found

SOURCE = 'data-query'


class QueryRoutes:

    def _queries_served(self):
        if self.options.queries_route != 'on':
            raise ApiError(404, 'Not Found: no route for /public/v1/functions')

    def functions_save(self, req):
        self._queries_served()
        body = req.body if isinstance(req.body, dict) else {}
        if body.get('#type') != 'DataQuery' or not isinstance(body.get('connection'), dict):
            raise ApiError(400, 'Only DataQuery functions with a connection are served by this emulator')
        conn = find_connection(self.store, req.user, str(body['connection'].get('id') or ''))
        if conn is None:
            raise not_found()
        query_id = str(uuid.UUID(str(body['id']))) if body.get('id') else str(uuid.uuid4())
        name = body.get('name') or 'query_' + query_id[:8]
        self.store.write(('INSERT OR REPLACE INTO queries VALUES (?, ?, ?, ?, ?, ?, ?)',
                          (query_id, name, namespace_of(req.user), conn['id'], body.get('query') or '', req.user['id'], db.now())))
        return self._query_json(self.store.one('SELECT * FROM queries WHERE id = ?', (query_id,)))

    def functions_list(self, req):
        self._queries_served()
        text = (req.query.get('text') or '').replace(' ', '')
        if text and text not in ('source="%s"' % SOURCE, "source='%s'" % SOURCE):
            return []  # only data queries are modelled
        rows = self.store.all('SELECT * FROM queries ORDER BY created_on, id')
        # A user sees the queries on connections they can see (or made).
        return [self._query_json(row) for row in rows
                if row['author_id'] == req.user['id'] or find_connection(self.store, req.user, row['connection_id'])]

    def _query_json(self, row):
        conn = self.store.one('SELECT id, name, namespace FROM connections WHERE id = ?', (row['connection_id'],))
        return {'#type': 'DataQuery', 'id': row['id'], 'name': row['name'], 'namespace': row['namespace'],
                'nqName': row['namespace'] + row['name'], 'source': SOURCE, 'query': row['query'],
                'connection': {'#type': 'DataConnection', 'id': row['connection_id'],
                               'name': conn['name'] if conn else None, 'namespace': conn['namespace'] if conn else None}}
