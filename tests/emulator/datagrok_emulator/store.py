"""SQLite state: users, groups, memberships, connections, credentials and permissions survive a restart."""
from __future__ import annotations

import contextlib
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
    data_source TEXT, description TEXT, parameters TEXT, tags TEXT, author_id TEXT, created_on TEXT, updated_on TEXT,
    name_key TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS connections_name ON connections (namespace COLLATE NOCASE, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS credentials (id TEXT PRIMARY KEY, entity_id TEXT, group_id TEXT, parameters TEXT,
    created_on TEXT, UNIQUE (entity_id, group_id));
CREATE TABLE IF NOT EXISTS projects (id TEXT PRIMARY KEY, name TEXT, friendly_name TEXT, author_id TEXT, created_on TEXT);
CREATE TABLE IF NOT EXISTS project_links (project_id TEXT, entity_id TEXT, PRIMARY KEY (project_id, entity_id));
CREATE TABLE IF NOT EXISTS queries (id TEXT PRIMARY KEY, name TEXT, namespace TEXT, connection_id TEXT, query TEXT,
    author_id TEXT, created_on TEXT);
CREATE TABLE IF NOT EXISTS permissions (id TEXT PRIMARY KEY, entity_id TEXT, group_id TEXT, permission TEXT,
    created_on TEXT, UNIQUE (entity_id, group_id, permission));
"""

JSON_COLUMNS = ('parameters', 'tags')


def now() -> str:
    """Dart's toIso8601String() in UTC: milliseconds and a trailing Z."""
    stamp = datetime.datetime.now(datetime.timezone.utc)
    return stamp.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (stamp.microsecond // 1000)


class Store:
    """One SQLite connection per thread, in WAL mode: reads run alongside each other and alongside the one write.

    ``lock`` is the write lock. ``writing()`` holds it around one transaction, so a handler that reads, decides and
    writes (a unique name, an existing grant) is atomic; ``reading()`` is a snapshot and takes no lock."""

    def __init__(self, path: str):
        self.path = path
        # Re-entrant: write() and insert() inside writing() take it again.
        self.lock = threading.RLock()
        self._local = threading.local()
        self._open = {}  # thread id -> connection, so close() reaches every thread's connection
        self._open_lock = threading.Lock()
        with self.lock:
            # WAL is a property of the file: set once, it holds for every connection and across restarts.
            self._db().execute('PRAGMA journal_mode=WAL')
            self._db().executescript(SCHEMA)
            self._add_name_keys()
        with self.writing():
            if self.one('SELECT value FROM meta WHERE key = ?', ('seeded',)) is None:
                self._seed()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, 'db', None)
        if db is None:
            # Autocommit (isolation_level None): the transactions are the explicit ones of reading() and writing().
            # check_same_thread is off only so that close() can close it from the main thread.
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            # NORMAL is safe in WAL mode (a crash of the process loses nothing committed); other processes (tests)
            # may hold the file for a moment, so a write waits for them rather than failing at once.
            db.execute('PRAGMA synchronous=NORMAL')
            db.execute('PRAGMA busy_timeout=10000')
            self._local.db, self._local.depth, self._local.mode = db, 0, None
            with self._open_lock:
                self._open[threading.get_ident()] = db
        return db

    @contextlib.contextmanager
    def _transaction(self, mode: str):
        db = self._db()
        if self._local.depth:
            if mode == 'write' and self._local.mode == 'read':
                raise RuntimeError('a write inside a read snapshot')
            self._local.depth += 1
            try:
                yield db
            finally:
                self._local.depth -= 1
            return
        db.execute('BEGIN IMMEDIATE' if mode == 'write' else 'BEGIN')
        self._local.depth, self._local.mode = 1, mode
        try:
            yield db
        except BaseException:
            db.execute('ROLLBACK')
            raise
        else:
            db.execute('COMMIT')
        finally:
            self._local.depth, self._local.mode = 0, None

    def reading(self):
        """A consistent snapshot for several reads; no lock, and a write going on elsewhere does not wait for it."""
        return self._transaction('read')

    @contextlib.contextmanager
    def writing(self):
        """The write lock and one transaction: committed at the end, rolled back if the block raises."""
        with self.lock, self._transaction('write') as db:
            yield db

    def release(self):
        """Closes this thread's connection (a request thread that ends)."""
        db = getattr(self._local, 'db', None)
        if db is not None:
            self._local.db = None
            with self._open_lock:
                self._open.pop(threading.get_ident(), None)
            db.close()

    def close(self):
        with self._open_lock:
            connections, self._open = list(self._open.values()), {}
        self._local.db = None
        for db in connections:
            try:
                db.close()
            except sqlite3.Error:
                pass  # in use by a request thread that is being abandoned

    def all(self, sql: str, args=()) -> list:
        rows = self._db().execute(sql, args).fetchall()
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
        """Runs (sql, args) pairs in one transaction: the caller's writing() block, or one of its own."""
        with self.writing() as db:
            for sql, args in statements:
                db.execute(sql, [json.dumps(a) if isinstance(a, (dict, list)) else a for a in args])

    def _add_name_keys(self):
        """``name_key`` is the casefolded name, indexed with the namespace, so that a new name is checked against the
        names that can clash without reading them all (NOCASE folds ASCII only). State files from before it get it."""
        db = self._db()
        if 'name_key' not in [row[1] for row in db.execute('PRAGMA table_info(connections)')]:
            db.execute('ALTER TABLE connections ADD COLUMN name_key TEXT')
        db.executemany('UPDATE connections SET name_key = ? WHERE id = ?',
                       [(name.casefold(), conn_id) for conn_id, name in db.execute('SELECT id, name FROM connections WHERE name_key IS NULL')])
        db.execute('CREATE INDEX IF NOT EXISTS connections_key ON connections (namespace, name_key)')

    def insert(self, table: str, row: dict):
        if table == 'connections':
            row = dict(row, name_key=row['name'].casefold())
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
