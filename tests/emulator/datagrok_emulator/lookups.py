"""What a list of connections needs, loaded once per request with a constant number of queries.

A page of /connectors/connections filters every stored connection: checking access with one query per row, and
building each row with a few more, made listing N connections in pages cost pages x N queries.
"""
from __future__ import annotations

from .store import ALL_USERS

# Every column but parameters: a list filters every stored connection, and decoding their parameters cost more than
# the rest together.
LISTED = 'id, name, friendly_name, namespace, data_source, description, tags, author_id, created_on, updated_on'
CHUNK = 500  # ids per IN (...): well under SQLite's limit on placeholders


# --credentials-pick (readings.py): which set an administrator gets who belongs to none of the groups holding one.
_pick = ['member']


def use_pick(mode: str):
    """Set the --credentials-pick reading for this process."""
    _pick[0] = mode


def pick_credentials(user, rows: list):
    """Credentials are bound to a group, and the server picks the caller's by membership
    (help/govern/access-control/access-control.md, "Credentials management system"): the set of their personal group,
    else of another group of theirs, All users last. Under ``admin-any`` an administrator who belongs to none of those
    groups gets the first set all the same. ``rows`` are one entity's, ordered by created_on, id."""
    mine = [row for row in rows if row['group_id'] in user['groups']]
    mine.sort(key=lambda row: (row['group_id'] != user['group_id'], row['group_id'] == ALL_USERS))
    if mine:
        return mine[0]
    return rows[0] if rows and user['is_admin'] and _pick[0] == 'admin-any' else None


def granted_entities(store, user) -> set:
    """The ids of the entities the user holds any grant on through one of their groups: on the entity itself, or on a
    project that links it (model.granted, for every entity at once)."""
    groups = sorted(user['groups'])
    marks = ', '.join('?' * len(groups))
    rows = store.all('SELECT entity_id FROM permissions WHERE group_id IN (%s) UNION '
                     'SELECT l.entity_id FROM project_links l JOIN permissions p ON p.entity_id = l.project_id '
                     'WHERE p.group_id IN (%s)' % (marks, marks), groups + groups)
    return {row['entity_id'] for row in rows}


def visible_sql(user):
    """A WHERE clause and its arguments for the connections ``user`` may see (model.can_view, in SQL): an administrator
    sees all; anyone else what they authored and what one of their groups holds a grant on, or on a linking project."""
    if user['is_admin']:
        return '', []
    groups = sorted(user['groups'])
    marks = ', '.join('?' * len(groups))
    return (' WHERE author_id = ? OR id IN (SELECT entity_id FROM permissions WHERE group_id IN (%s)) OR id IN '
            '(SELECT l.entity_id FROM project_links l JOIN permissions p ON p.entity_id = l.project_id '
            'WHERE p.group_id IN (%s))' % (marks, marks), [user['id']] + groups + groups)


class Lookups:
    """Per request and per caller: each table is read at most once, and the credentials once per listed connection."""

    def __init__(self, store, user):
        self.store = store
        self.user = user
        self._granted = None
        self._users = None
        self._groups = None
        self._credentials = {}

    def can_view(self, conn) -> bool:
        """model.can_view, with the caller's grants loaded once."""
        if self.user['is_admin'] or conn['author_id'] == self.user['id']:
            return True
        if self._granted is None:
            self._granted = granted_entities(self.store, self.user)
        return conn['id'] in self._granted

    def users(self) -> dict:
        if self._users is None:
            self._users = {row['id']: row for row in self.store.all('SELECT * FROM users')}
        return self._users

    def group(self, group_id: str):
        if self._groups is None:
            self._groups = {row['id']: row for row in self.store.all('SELECT * FROM groups')}
        return self._groups.get(group_id)

    def _by_ids(self, sql: str, ids: list) -> list:
        """``sql`` has one ``IN (%s)``, filled with the ids, a chunk at a time."""
        rows = []
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            rows += self.store.all(sql % ', '.join('?' * len(chunk)), chunk)
        return rows

    def load_credentials(self, entity_ids):
        wanted = [entity_id for entity_id in dict.fromkeys(entity_ids) if entity_id not in self._credentials]
        for entity_id in wanted:
            self._credentials[entity_id] = []
        for row in self._by_ids('SELECT * FROM credentials WHERE entity_id IN (%s) ORDER BY created_on, id', wanted):
            self._credentials[row['entity_id']].append(row)

    def with_parameters(self, rows: list) -> list:
        """The rows of LISTED columns, with their parameters: only the listed page's are decoded."""
        stored = {row['id']: row['parameters']
                  for row in self._by_ids('SELECT id, parameters FROM connections WHERE id IN (%s)', [c['id'] for c in rows])}
        return [dict(c, parameters=stored.get(c['id'], {})) for c in rows]

    def credentials_for(self, entity_id: str):
        self.load_credentials([entity_id])
        return pick_credentials(self.user, self._credentials[entity_id])
