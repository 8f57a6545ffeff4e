"""SQLite state: users, groups, memberships, connections, credentials and permissions survive a restart."""
from __future__ import annotations

import datetime
import json
import sqlite3
import threading
import uuid

ALL_USERS = 'a4b45840-9a50-11e6-9cc9-8546b8bf62e6'
ADMINISTRATORS = '1ab8b38d-9c4e-4b1e-81c3-ae2bde3e12c5'
DEVELOPERS = 'ba9cd191-9a50-11e6-9cc9-910bf827f0ab'
CHEMISTS = '5e8c1a70-3f0b-4c1e-9a55-0c4e6f1a2b01'
ANALYSTS = '5e8c1a70-3f0b-4c1e-9a55-0c4e6f1a2b02'
# The admin user's personal group is the "Admin" group id the Python client knows (Group.ADMIN).
ADMIN_GROUP = 'a4b45840-9a50-11e6-c537-6bf8e9ab02ee'
ALICE_GROUP = '5e8c1a70-3f0b-4c1e-9a55-0c4e6f1a2b03'
ADMIN_USER = '878c42b0-9a50-11e6-c537-6bf8e9ab02ee'
ALICE_USER = '5e8c1a70-3f0b-4c1e-9a55-0c4e6f1a2b04'

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, login TEXT UNIQUE, name TEXT, friendly_name TEXT,
    first_name TEXT, last_name TEXT, email TEXT, group_id TEXT, project TEXT, created_on TEXT);
CREATE TABLE IF NOT EXISTS groups (id TEXT PRIMARY KEY, name TEXT, friendly_name TEXT, description TEXT,
    personal INTEGER, hidden INTEGER, created_on TEXT, updated_on TEXT);
CREATE TABLE IF NOT EXISTS memberships (id TEXT PRIMARY KEY, parent_id TEXT, child_id TEXT, is_admin INTEGER);
CREATE TABLE IF NOT EXISTS connections (id TEXT PRIMARY KEY, name TEXT, friendly_name TEXT, namespace TEXT,
    data_source TEXT, description TEXT, parameters TEXT, tags TEXT, author_id TEXT, created_on TEXT, updated_on TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS connections_name ON connections (namespace COLLATE NOCASE, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, entity_id TEXT, group_id TEXT, parameters TEXT,
    created_on TEXT, UNIQUE (entity_id, group_id));
CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT, friendly_name TEXT, author_id TEXT, created_on TEXT);
CREATE TABLE IF NOT EXISTS project_links (project_id TEXT, entity_id TEXT, PRIMARY KEY (project_id, entity_id));
CREATE TABLE IF NOT EXISTS permissions (id TEXT PRIMARY KEY, entity_id TEXT, group_id TEXT, permission TEXT,
    created_on TEXT, UNIQUE (entity_id, group_id, permission));
"""

JSON_COLUMNS = ('parameters', 'tags')


def now() -> str:
    """Dart's toIso8601String() in UTC: milliseconds and a trailing Z."""
    stamp = datetime.datetime.now(datetime.timezone.utc)
    return stamp.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (stamp.microsecond // 1000)


class Store:
    def __init__(self, path: str):
        self.lock = threading.RLock()
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        with self.lock:
            self.db.executescript(SCHEMA)
            self.db.commit()
            if self.one('SELECT value FROM meta WHERE key = ?', ('seeded',)) is None:
                self._seed()

    def close(self):
        with self.lock:
            self.db.close()

    def all(self, sql: str, args=()) -> list:
        with self.lock:
            rows = self.db.execute(sql, args).fetchall()
        result = []
        for row in rows:
            item = dict(row)
            for column in JSON_COLUMNS:
                if column in item and isinstance(item[column], str):
                    item[column] = json.loads(item[column])
            result.append(item)
        return result

    def one(self, sql: str, args=()):
        rows = self.all(sql, args)
        return rows[0] if rows else None

    def write(self, *statements):
        """Runs (sql, args) pairs in one transaction and commits."""
        with self.lock:
            try:
                for sql, args in statements:
                    self.db.execute(sql, [json.dumps(a) if isinstance(a, (dict, list)) else a for a in args])
            except Exception:
                self.db.rollback()
                raise
            self.db.commit()

    def insert(self, table: str, row: dict):
        columns = ', '.join(row)
        marks = ', '.join('?' * len(row))
        self.write(('INSERT OR REPLACE INTO %s (%s) VALUES (%s)' % (table, columns, marks), list(row.values())))

    def _seed(self):
        stamp = now()
        groups = [
            (ALL_USERS, 'All users', 0), (ADMINISTRATORS, 'Administrators', 0), (DEVELOPERS, 'Developers', 0),
            (CHEMISTS, 'Chemists', 0), (ANALYSTS, 'Analysts', 0), (ADMIN_GROUP, 'Admin', 1), (ALICE_GROUP, 'Alice', 1),
        ]
        statements = [('INSERT INTO groups VALUES (?, ?, ?, NULL, ?, 0, ?, ?)', (gid, name, name, personal, stamp, stamp))
                      for gid, name, personal in groups]
        users = [
            (ADMIN_USER, 'admin', 'Admin', 'Admin', '', 'admin@datagrok.emulator', ADMIN_GROUP, 'Admin'),
            (ALICE_USER, 'alice', 'Alice', 'Alice', 'Liddell', 'alice@datagrok.emulator', ALICE_GROUP, 'Alice'),
        ]
        statements += [('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', (uid, login, name, name, first, last, email, group, project, stamp))
                       for uid, login, name, first, last, email, group, project in users]
        links = [
            (ADMIN_GROUP, ALL_USERS), (ADMIN_GROUP, ADMINISTRATORS), (ADMIN_GROUP, DEVELOPERS),
            (ALICE_GROUP, ALL_USERS), (ALICE_GROUP, CHEMISTS),
        ]
        statements += [('INSERT INTO memberships VALUES (?, ?, ?, 0)', (str(uuid.uuid5(uuid.NAMESPACE_URL, parent + child)), parent, child))
                       for child, parent in links]
        statements.append(('INSERT INTO meta VALUES (?, ?)', ('seeded', stamp)))
        self.write(*statements)
