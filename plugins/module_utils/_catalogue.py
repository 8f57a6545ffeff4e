# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The data-source catalogue: the parameter and credential keys each Datagrok data source reads.

The single source of truth for which keys exist, how they are spelled, their types, which are
secret and what a new connection needs. Pure Python without imports from Ansible or the
collection, so hacking/gen_data_sources_doc.py can load this file by path.

Sources: GrokConnect's providers and DbCredentials, and the file-share help pages
(notes in the reference on the Datagrok API, section 5).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
from collections import namedtuple

# Every name the server accepts as dataSource. Those without an entry in SOURCES are valid but unchecked.
DATA_SOURCES = (
    # Dart enum (grok_shared DataSourceType): databases, file shares, secret managers.
    'Access', 'Athena', 'BigQuery', 'Cassandra', 'Databricks', 'DB2', 'Excel', 'Firebird', 'HBase',
    'Hive', 'Hive2', 'MariaDB', 'MLFlow', 'MongoDB', 'MS SQL', 'MySQL', 'Neo4j', 'ODATA', 'ODBC',
    'Oracle', 'PostgresDart', 'Postgres', 'Redshift', 'SQLite', 'Socrata', 'Sparql', 'Teradata',
    'Twitter', 'Vertica', 'Web',
    'Azure Blob', 'Dropbox', 'GitHub', 'FTP', 'GoogleCloud', 'S3', 'Amazon EFS', 'SharePoint', 'HTTP',
    'Files', 'SFTP', 'CoreWeave',
    'AWS', 'GCP',
    # GrokConnect JDBC providers not in the Dart enum, and a legacy name still found in packages.
    'PI', 'Virtuoso', 'Impala', 'Denodo', 'Snowflake', 'ClickHouse', 'Neptune', 'SAP HANA', 'PostgresNet',
)

# Key types. SECRET is a string that Datagrok masks on every read (a "password" or "rsa" editor).
STR, INT, BOOL, DICT, SECRET = 'str', 'int', 'bool', 'dict', 'secret'

# parameters, credentials: {key: type}; credentials is None when the keys are not known (not checked).
# required: the alternatives a new connection needs, each a tuple of keys that must all be set.
DataSource = namedtuple('DataSource', 'parameters credentials required')


def _keys(*parts, **more):
    merged = {}
    for part in parts + (more,):
        merged.update(part)
    return merged


CACHE = {'cacheSchema': BOOL, 'cacheResults': BOOL, 'cacheInvalidateSchedule': STR}
# Every GrokConnect (JDBC) source: a connection string overrides all but the credentials.
JDBC = _keys({'connString': STR, 'ssl': BOOL, 'schema': STR, 'jdbcProperties': DICT}, CACHE)
SERVER_DB = _keys({'server': STR, 'port': INT, 'db': STR}, JDBC)
LOGIN = {'login': STR, 'password': SECRET}
ACCESS_KEY = {'accessKey': STR, 'secretKey': SECRET}
AUTH_METHOD = {'#chosen-auth-method': STR}
SERVER_OR_CONN_STRING = (('server',), ('connString',))
SERVER_AND_DB_OR_CONN_STRING = (('server', 'db'), ('connString',))


def _server_db(required=SERVER_OR_CONN_STRING):
    return DataSource(SERVER_DB, LOGIN, required)


SOURCES = {
    'Postgres': _server_db(),
    'PostgresNet': _server_db(),
    'MySQL': _server_db(),
    'MariaDB': _server_db(),
    'MS SQL': _server_db(),
    'ClickHouse': _server_db(),
    'Redshift': _server_db(),
    'Teradata': _server_db(),
    'MongoDB': _server_db(),
    'Oracle': _server_db(SERVER_AND_DB_OR_CONN_STRING),
    'DB2': _server_db(SERVER_AND_DB_OR_CONN_STRING),
    'PostgresDart': DataSource(_keys({'server': STR, 'db': STR, 'ssl': BOOL}, CACHE), LOGIN, (('server',),)),
    'Snowflake': DataSource(
        _keys({'accountLocator': STR, 'region': STR, 'cloud': STR, 'db': STR, 'warehouse': STR, 'role': STR}, JDBC),
        _keys(LOGIN, {'privateKey': SECRET, 'passPhrase': SECRET}, AUTH_METHOD),
        (('accountLocator',), ('connString',))),
    'BigQuery': DataSource(
        _keys({'projectId': STR}, JDBC),
        _keys(AUTH_METHOD, {'OAuthServiceAcctEmail': STR, 'secretKey': SECRET, '#OAuthAccessToken': SECRET}),
        (('projectId',), ('connString',))),
    'Athena': DataSource(
        _keys({'region': STR, 'S3OutputLocation': STR, 'S3OutputEncOption': STR, 'db': STR, 'VPCEndpoint': STR}, JDBC),
        _keys(ACCESS_KEY, {'token': SECRET}),
        (('region', 'S3OutputLocation'), ('connString',))),
    'Databricks': DataSource(
        _keys({'server': STR, 'port': INT, 'db': STR, 'workspaceURL': STR, 'httpPath': STR, 'Catalog': STR}, JDBC),
        _keys({'UID': STR, 'PWD': SECRET, 'token': SECRET, 'clientId': STR, 'clientSecret': SECRET, 'tenantId': STR},
              AUTH_METHOD),
        (('server',), ('workspaceURL',), ('connString',))),
    # File shares.
    'S3': DataSource({'bucket': STR, 'region': STR, 'dir': STR, 'encryption': STR}, ACCESS_KEY, (('bucket',),)),
    'CoreWeave': DataSource({'endpoint': STR, 'bucket': STR, 'dir': STR, 'encryption': STR}, ACCESS_KEY,
                            (('endpoint', 'bucket'),)),
    'Azure Blob': DataSource({'account': STR, 'container': STR, 'use SAS': BOOL},
                             {'shared token': SECRET, 'SAS': SECRET}, (('account', 'container'),)),
    'GoogleCloud': DataSource({'bucket': STR, 'project': STR, 'credentials': SECRET, 'dir': STR}, None, (('bucket',),)),
    'GitHub': DataSource({'url': STR, 'dir': STR, 'indexFiles': BOOL, 'privateRepo': BOOL}, None, (('url',),)),
    'Files': DataSource({'dir': STR, 'indexFiles': BOOL, 'isProject': BOOL}, LOGIN, (('dir',),)),
    'Dropbox': DataSource({'dir': STR}, {'password': SECRET}, ()),
    'SharePoint': DataSource({'domain': STR, 'root site': BOOL, 'site': STR, 'drive': STR, 'redirect url': STR},
                             {'access token': SECRET, 'refresh token': SECRET}, (('domain',),)),
}

# For the lookups: data source -> {casefolded key: (spelling, type)}, parameters and credentials together.
_FOLDED = dict((name, dict((k.casefold(), (k, kind)) for k, kind in _keys(source.credentials or {}, source.parameters).items()))
               for name, source in SOURCES.items())

# Why a data source needs what it needs, or has the keys it has (Markdown for docs/data-sources.md).
NOTES = {
    'Postgres': 'Without `db`, the driver connects to the database named after the login.',
    'PostgresNet': 'A legacy name of Postgres, still found in package connections.',
    'PostgresDart': 'Datagrok\'s own driver (system connections). `server` may be `host:port`. '
                    '`login` and `password` may also be given in parameters.',
    'MySQL': 'Without `db`, the connection has no default database; queries name it.',
    'MariaDB': 'As MySQL.',
    'MS SQL': 'Without `db`, the login\'s default database is used; `schema` is used as the database when `db` is empty.',
    'ClickHouse': 'Without `db`, the database named `default` is used.',
    'Redshift': '`db` (`dev` on a new cluster) is not required here: whether the driver can do without it was not '
                'verified.',
    'Teradata': 'Without `db`, the login\'s default database is used.',
    'MongoDB': 'Without `db`, the server\'s default database is used.',
    'Oracle': '`db` is the SERVICE_NAME: the connection URL cannot do without it. `ssl` switches to tcps.',
    'DB2': '`db` is part of every DB2 connection URL.',
    'Snowflake': 'The account is `accountLocator[.region][.cloud]` (`cloud`: `aws`, `azure`, `gcp` or `privatelink`). '
                 'Without `db` or `warehouse`, Snowflake uses the user\'s defaults. Key-pair login: `privateKey` and '
                 '`passPhrase` with `#chosen-auth-method` `Username/Private key`.',
    'BigQuery': '`#chosen-auth-method` is `Service Account/OAuthType=0` (`OAuthServiceAcctEmail` and `secretKey`, the '
                'base64 of the JSON key file) or `OAuthType=2` (`#OAuthAccessToken`).',
    'Athena': '`S3OutputEncOption`: `SSE_S3`, `SSE_KMS` or `CSE_KMS`. `jdbcProperties`: for example `SocketTimeout`, '
              '`UseResultsetStreaming`.',
    'Databricks': 'Older connectors take `server`, `port` and `db` with `UID` and `PWD` (a token when `UID` is `token`); '
                  'newer ones `workspaceURL` and `httpPath`, with `token`, or `clientId`, `clientSecret` and `tenantId`.',
    'S3': '`region` is not required here: the server reports a missing one when the connection is used or tested.',
    'Azure Blob': '`use SAS` chooses between the `shared token` and `SAS` credentials. The keys contain spaces.',
    'GoogleCloud': '`credentials` is the service account\'s JSON key, a secret.',
    'GitHub': 'The Datagrok documentation calls it Git.',
    'Files': 'A network share mounted on the server. `isProject` marks the Files connection of a space (the server '
             'sets it).',
    'Dropbox': '`password` is the access token.',
    'SharePoint': '`site` is needed unless `root site` is true. `redirect url` and the tokens are filled in by the OAuth '
                  'flow.',
}

# Spellings people use for a key under another name (compared without case, '_', '-' or spaces),
# with the keys they may mean, most likely first. difflib finds the near misses.
ALIASES = {
    'host': ('server', 'endpoint', 'workspaceURL', 'url'),
    'hostname': ('server', 'endpoint', 'workspaceURL'),
    'address': ('server', 'endpoint', 'url'),
    'database': ('db',),
    'dbname': ('db',),
    'databasename': ('db',),
    'catalog': ('db',),
    'user': ('login', 'UID', 'accessKey'),
    'username': ('login', 'UID'),
    'uid': ('login',),
    'pass': ('password', 'PWD'),
    'passwd': ('password', 'PWD'),
    'pwd': ('password',),
    'password': ('PWD', 'secretKey'),
    'login': ('UID', 'accessKey'),
    'secret': ('secretKey', 'password', 'clientSecret'),
    'url': ('connString', 'server', 'endpoint'),
    'jdbcurl': ('connString',),
    'connectionstring': ('connString',),
    'sslmode': ('ssl',),
    'usessl': ('ssl',),
    'tls': ('ssl',),
    'account': ('accountLocator',),
    'accountname': ('accountLocator', 'account'),
    'path': ('dir',),
    'directory': ('dir',),
    'folder': ('dir',),
    'prefix': ('dir',),
    'project': ('projectId',),
    'projectid': ('project',),
    'accesskeyid': ('accessKey',),
    'secretaccesskey': ('secretKey',),
    'outputlocation': ('S3OutputLocation',),
    'sessiontoken': ('token',),
}

_NO_VALUE = (None, '')
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


def _squash(key):
    return ''.join(c for c in str(key).casefold() if c not in '_- ')


def lookup(data_source):
    """The catalogue entry of ``data_source`` (spelled exactly as the server spells it), or None."""
    return SOURCES.get(data_source)


def find_key(key, keys):
    """The spelling ``keys`` (any iterable of keys, such as a dict) uses for ``key``, ignoring case, or None."""
    folded = str(key).casefold()
    for name in keys:
        if str(name).casefold() == folded:
            return name
    return None


def key_info(data_source, key):
    """``(canonical spelling, type)`` of a parameter or credential key of ``data_source``, ignoring case, or None."""
    return _FOLDED.get(data_source, {}).get(str(key).casefold())


def is_secret(data_source, key):
    """True or False when the catalogue knows ``key`` for ``data_source``; None when it does not."""
    info = key_info(data_source, key)
    return None if info is None else info[1] == SECRET


def suggestion(key, candidates):
    """The key of ``candidates`` that ``key`` most likely meant (its spelling, an alias, or a near miss of either), or None."""
    pool = dict((_squash(c), c) for c in candidates)
    for alias, meant in ALIASES.items():
        targets = [pool[_squash(m)] for m in meant if _squash(m) in pool]
        if targets:
            pool.setdefault(alias, targets[0])
    close = difflib.get_close_matches(_squash(key), list(pool), n=1, cutoff=0.75)
    return pool[close[0]] if close else None


def coerce(kind, value):
    """``(value, None)`` converted to the catalogue type ``kind``, or ``(value, problem)`` when it cannot be."""
    if value in _NO_VALUE:
        return value, None
    text = value.strip().lower() if isinstance(value, str) else None
    if kind == BOOL:
        if isinstance(value, bool):
            return value, None
        if text in _TRUE or text in _FALSE or value in (0, 1):
            return (text in _TRUE) if text is not None else bool(value), None
        return value, 'must be a boolean (true or false), got %r' % (value,)
    if kind == INT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value, None
        if text is not None and text.lstrip('+-').isdigit():
            return int(text), None
        return value, 'must be an integer, got %r' % (value,)
    if kind == DICT:
        return value, (None if isinstance(value, dict) else 'must be a dictionary, got a %s' % type(value).__name__)
    # STR and SECRET: numbers become strings; the value of a secret is never shown.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value), None
    if isinstance(value, (dict, list)):
        return value, 'must be a string, got a %s' % type(value).__name__
    return value, None


def canonical(data_source, values):
    """``values`` (parameters or credentials) with the catalogue's key spelling and types.

    Keys the catalogue does not know, values that cannot be converted, and every value of an
    unchecked data source are left as they are.
    """
    if values is None or lookup(data_source) is None:
        return values
    result = {}
    for key, value in values.items():
        info = key_info(data_source, key)
        if info is not None:
            converted, problem = coerce(info[1], value)
            key, value = info[0], (value if problem else converted)
        result[key] = value
    return result


def _unknown_key(data_source, key, where, known):
    meant = suggestion(key, known)
    hint = (" Did you mean '%s'?" % meant) if meant else ''
    return ("%s: '%s' is not a %s of %s.%s Set allow_unknown_parameters=true for a connector newer than "
            "this collection." % (where, key, 'credential' if where == 'credentials' else 'parameter', data_source, hint))


def parameter_errors(data_source, parameters=None, credentials=None, allow_unknown=False):
    """Every problem with the keys and types of ``parameters`` and ``credentials`` for ``data_source``.

    Credential keys may also be given as parameters (Datagrok takes them from there too); a
    parameter given as a credential is misplaced, whatever ``allow_unknown`` says. Secret values
    are never shown. An unchecked data source, and the credentials of a source whose credential
    keys are not known, have no problems.
    """
    source = lookup(data_source)
    if source is None:
        return []
    checks = [('parameters', parameters, _keys(source.parameters, source.credentials or {}), {})]
    if source.credentials is not None:
        checks.append(('credentials', credentials, source.credentials, source.parameters))
    errors = []
    for where, values, known, misplaced in checks:
        for key, value in (values or {}).items():
            name = find_key(key, known)
            if name is None and find_key(key, misplaced) is not None:
                errors.append("credentials: '%s' is a connection parameter of %s, not a credential: move it to "
                              "parameters" % (key, data_source))
            elif name is None and not allow_unknown:
                errors.append(_unknown_key(data_source, key, where, known))
            elif name is not None:
                problem = coerce(known[name], value)[1]
                if problem:
                    errors.append('%s: %s %s' % (where, name, problem))
    return errors


def describe_required(alternatives):
    """``(('server', 'db'), ('connString',))`` -> ``'server and db, or connString'``."""
    return ', or '.join(' and '.join(keys) for keys in alternatives)


def missing_required(data_source, parameters):
    """Why a new connection of ``data_source`` with ``parameters`` cannot work, or None."""
    source = lookup(data_source)
    if source is None or not source.required:
        return None
    present = set(str(k).casefold() for k, v in (parameters or {}).items() if v not in _NO_VALUE)
    missing = [[k for k in keys if k.casefold() not in present] for keys in source.required]
    if not all(missing):
        return None
    return '%s needs %s (missing: %s)' % (
        data_source, describe_required(source.required), ', '.join(min(missing, key=len)))
