# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The data-source catalogue: the rules over the table of ``_data_sources.py``.

The single source of truth for which keys exist, how they are spelled, their types, which are
secret and what a new connection needs. No Ansible imports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.datagrok.platform.plugins.module_utils._connection.data_sources import DATA_SOURCES, SOURCES, BOOL, DICT, INT, SECRET, merge_keys


# For the lookups: data source -> {casefolded key: (spelling, type)}, parameters and credentials together.
_FOLDED = dict((name, dict((k.casefold(), (k, kind)) for k, kind in merge_keys(source.credentials or {}, source.parameters).items()))
               for name, source in SOURCES.items())
# Data source -> {key: type} of what parameters may hold: its parameters and its credentials.
_PARAMETER_KEYS = dict((name, merge_keys(source.parameters, source.credentials or {})) for name, source in SOURCES.items())


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


def squash(key):
    """A name as it is compared loosely: case, spaces, hyphens and underscores ignored."""
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
    pool = dict((squash(c), c) for c in candidates)
    for alias, meant in ALIASES.items():
        targets = [pool[squash(m)] for m in meant if squash(m) in pool]
        if targets:
            pool.setdefault(alias, targets[0])
    close = difflib.get_close_matches(squash(key), list(pool), n=1, cutoff=0.75)
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
    if isinstance(kind, tuple):
        # A choice: any case is accepted, and the connector's own spelling is sent.
        folded = dict((choice.casefold(), choice) for choice in kind)
        if isinstance(value, str) and value.strip().casefold() in folded:
            return folded[value.strip().casefold()], None
        return value, 'must be one of %s, got %r' % (', '.join(kind), value)
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
    jdbc = lookup(data_source).jdbc
    for key, value in values.items():
        info = key_info(data_source, key)
        if info is not None:
            converted, problem = coerce(info[1], value)
            key, value = info[0], (value if problem else converted)
        if key == 'jdbcProperties' and jdbc is not None and isinstance(value, dict):
            value = dict(_canonical_entry(jdbc, k, v) for k, v in value.items())
        result[key] = value
    return result


def _canonical_entry(known, key, value):
    name = find_key(key, known)
    if name is None:
        return key, value
    converted, problem = coerce(known[name], value)
    return name, (value if problem else converted)


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
    checks = [('parameters', parameters, _PARAMETER_KEYS[data_source], {})]
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
    properties = (parameters or {}).get(find_key('jdbcProperties', parameters or {}) or 'jdbcProperties')
    if source.jdbc is not None and isinstance(properties, dict):
        # Grok Connect passes on only the keys of the provider's jdbcPropertiesTemplate, and drops the rest silently.
        for key, value in properties.items():
            name = find_key(key, source.jdbc)
            if name is None and not allow_unknown:
                meant = suggestion(key, source.jdbc)
                errors.append("parameters: jdbcProperties: '%s' is not a JDBC property of %s.%s Known: %s."
                              % (key, data_source, (" Did you mean '%s'?" % meant) if meant else '', ', '.join(sorted(source.jdbc))))
            elif name is not None:
                problem = coerce(source.jdbc[name], value)[1]
                if problem:
                    errors.append('parameters: jdbcProperties: %s %s' % (name, problem))
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
    # Name what the closest set lacks: among the sets begun, the one missing least; else the first set.
    begun = [gap for gap, keys in zip(missing, source.required) if len(gap) < len(keys)]
    return '%s needs %s (missing: %s)' % (
        data_source, describe_required(source.required), ', '.join(min(begun, key=len) if begun else missing[0]))


# Names people use for a data source that Datagrok names otherwise, as squash() folds them.
DATA_SOURCE_ALIASES = {
    'sqlserver': 'MS SQL', 'mssqlserver': 'MS SQL', 'microsoftsqlserver': 'MS SQL', 'azuresql': 'MS SQL',
    'postgresql': 'Postgres', 'pg': 'Postgres', 'psql': 'Postgres', 'aurorapostgresql': 'Postgres',
    'aurora': 'MySQL', 'aurorasql': 'MySQL', 'bigquerydb': 'BigQuery', 'googlebigquery': 'BigQuery',
    'amazons3': 'S3', 'awss3': 'S3', 'minio': 'S3', 'amazonredshift': 'Redshift', 'amazonathena': 'Athena',
    'azureblobstorage': 'Azure Blob', 'azurestorage': 'Azure Blob', 'gcs': 'GoogleCloud', 'googlecloudstorage': 'GoogleCloud',
    'db2luw': 'DB2', 'ibmdb2': 'DB2', 'saphana': 'SAP HANA', 'hana': 'SAP HANA', 'mongo': 'MongoDB',
    'oracledb': 'Oracle', 'sparksql': 'Databricks',
}


def data_source_error(data_source, allow_unknown=False):
    """A one-line reason when ``data_source`` is not a known Datagrok data source, or None."""
    if data_source in DATA_SOURCES or allow_unknown:
        return None
    key = squash(data_source)
    exact = dict((squash(d), d) for d in DATA_SOURCES).get(key) or DATA_SOURCE_ALIASES.get(key)
    close = [exact] if exact else difflib.get_close_matches(data_source, DATA_SOURCES, n=1, cutoff=0.6)
    hint = (" Did you mean '%s'?" % close[0]) if close else ''
    return ("'%s' is not a known data source.%s Set allow_unknown_data_source=true for a data source "
            "newer than this collection." % (data_source, hint))


# -- comparison: GrokConnect reads parameters by key case-insensitively and as text, so '5432' equals 5432 --

def _scalar(value):
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ('true', 'false'):
            return text.lower() == 'true'
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return text or None
    return value


def same_value(desired, current):
    """Equality after normalisation: ``'5432'`` equals ``5432``, ``'true'`` equals ``True``, ``''`` equals null.

    Dicts compare their keys case-insensitively (GrokConnect reads parameters that way).
    """
    if isinstance(desired, dict) and isinstance(current, dict):
        a, b = _fold_keys(desired), _fold_keys(current)
        return set(a) == set(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(desired, list) and isinstance(current, list):
        return len(desired) == len(current) and all(same_value(x, y) for x, y in zip(desired, current))
    a, b = _scalar(desired), _scalar(current)
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _fold_keys(mapping):
    return dict((str(k).casefold(), v) for k, v in mapping.items())


def is_server_default(value):
    # Keys the server fills in on its own (ssl: false, connString: '', cacheSchema: false...).
    return value in (None, '', False, {}, [])
