"""POST /connections/test: the answer is "ok" or the error text, always with HTTP 200."""
from __future__ import annotations

import socket

from . import masking, sources

TIMEOUT = 3


def check_connection(data_source: str, params: dict, creds: dict) -> str:
    def get(key, default=None):
        for source in (params, creds):
            found, value = masking.lookup(source, key)
            if found and value not in (None, ''):
                return value
        return default

    if data_source in sources.SECRET_MANAGERS:
        return '%s secret manager connections cannot be tested' % data_source
    if data_source in sources.FILE_SHARE_REQUIRED:
        missing = [key for key in sources.FILE_SHARE_REQUIRED[data_source] if get(key) is None]
        return 'Missing required parameter: %s' % ', '.join(missing) if missing else 'ok'
    if data_source == 'PostgresDart':
        # Datagrok's own Dart driver: `server` may be host:port, and it defaults the database.
        return _postgres(get, get('db', 'postgres'))
    if data_source == 'Access':
        # The database is a file path; AccessDataProvider opens new File(db), which fails without one.
        return 'ok' if get('db') or get('connString') else 'java.lang.NullPointerException: db'
    if data_source in sources.ENDPOINTS:
        if get('connString'):
            # A connection string replaces the whole URL (JdbcDataProvider.getConnectionString); it is not parsed here.
            return 'ok'
        host, port = sources.ENDPOINTS[data_source](get)
        if data_source in sources.POSTGRES_SOURCES:
            # GrokConnect writes a missing db into the JDBC URL as the text "null" (PostgresDataProvider).
            return _postgres(get, str(get('db', 'null')))
        return _tcp(*_host_port(str(host), port, 0))
    return 'ok'


def _host_port(server: str, port, default: int):
    # PostgresDart accepts "host:port" in `server`.
    if port in (None, '') and server.count(':') == 1:
        server, port = server.split(':')
    try:
        return server, int(port) if port not in (None, '') else default
    except ValueError:
        return server, default


def _tcp(host: str, port: int) -> str:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            return 'ok'
    except ConnectionRefusedError:
        return 'Connection refused: %s:%d' % (host, port)
    except socket.timeout:
        return 'Connection timed out: %s:%d' % (host, port)
    except socket.gaierror as exc:
        return 'Unknown host %s: %s' % (host, exc.strerror or exc)
    except OSError as exc:
        return '%s: %s:%d' % (exc.strerror or exc, host, port)


def _postgres(get, db: str) -> str:
    try:
        import psycopg
    except ImportError:
        return 'Cannot test Postgres connections: the psycopg package is not installed on the emulator host'
    host, port = _host_port(str(get('server', 'null')), get('port'), 5432)
    kwargs = {'host': host, 'port': port, 'dbname': db, 'connect_timeout': TIMEOUT}
    if get('login') is not None:
        kwargs['user'] = str(get('login'))
    if get('password') is not None:
        kwargs['password'] = str(get('password'))
    if str(get('ssl', '')).lower() == 'true':
        kwargs['sslmode'] = 'require'
    try:
        with psycopg.connect(**kwargs):
            return 'ok'
    except Exception as exc:
        return str(exc).strip() or exc.__class__.__name__
