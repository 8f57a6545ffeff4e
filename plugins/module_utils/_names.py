# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Names: a connection's grok name (``Namespace:Name``), and the data source it names.

Pure (no I/O)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

from ansible_collections.datagrok.platform.plugins.module_utils._catalogue import DATA_SOURCES, squash

# The vendor client refuses to test the AWS secrets manager; so do we.
UNTESTABLE_DATA_SOURCES = ('AWS',)


def split_grok_name(name):
    """``'Ns:Name'`` -> ``('Ns:', 'Name')``; ``'Name'`` -> ``(None, 'Name')``. Nested spaces split on the last colon."""
    if ':' in name:
        namespace, short = name.rsplit(':', 1)
        return namespace + ':', short
    return None, name


def name_error(name):
    """Why ``name`` cannot be used for a connection, or None."""
    if name is None or not name.strip():
        return 'must not be empty'
    namespace, short = split_grok_name(name)
    if not short.strip() or (namespace is not None and not namespace.strip(':').strip()):
        return "must be 'Name' or 'Namespace:Name', got %r" % name
    # Datagrok URLs write ':' as '.', and the server turns every '.' back into ':'.
    bad = [c for c in '.\\/' if c in name] + (['control characters'] if any(ord(c) < 32 for c in name) else [])
    if bad:
        return "%r cannot be addressed through the API (it contains %s)" % (name, ', '.join(repr(b) for b in bad))
    return None


def grok_name(conn):
    return (conn.get('namespace') or '') + (conn.get('name') or '')


def name_key(namespace, short):
    return ((namespace or '').casefold(), short.casefold())


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
