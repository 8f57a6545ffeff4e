# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The data-source table: the keys each Datagrok data source reads, their types, and what a connection needs.

Data only; ``_catalogue.py`` holds the rules that use it. The database entries are the connection,
credentials and JDBC-properties templates of Grok Connect's providers (datagrok-ai/public,
``connectors/grok_connect/src/main/java/grok_connect/providers/*.java``), as snapshotted in
``tests/emulator/evidence/grok_connect.json``; a unit test holds the two together. A key is secret
when its template property has a ``password`` or ``rsa`` editor. ``required`` comes from the code
that builds each provider's connection string: a missing key becomes the text ``null`` there.
File shares have no public provider; their entries follow the help pages ``help/access/files/shares/*.md``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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

# Key types. SECRET is a string that Datagrok masks on every read. A tuple is a string with these choices.
STR, INT, BOOL, DICT, SECRET = 'str', 'int', 'bool', 'dict', 'secret'

# parameters, credentials: {key: type}; credentials is None when the keys are not known (not checked).
# jdbc: {key: type} of parameters.jdbcProperties, or None when not checked.
# required: the alternatives a new connection needs, each a tuple of keys that must all be set.
# source: where the entry was read (a path in datagrok-ai/public).
DataSource = namedtuple('DataSource', 'parameters credentials required jdbc source')

# The vendor client refuses to test the AWS secrets manager; so do we.
UNTESTABLE_DATA_SOURCES = ('AWS',)

PROVIDERS = 'connectors/grok_connect/src/main/java/grok_connect/providers/'
SHARES = 'help/access/files/shares/'


def merge_keys(*parts):
    """One mapping of key types from several."""
    merged = {}
    for part in parts:
        merged.update(part)
    return merged


# DataSource.cacheTemplate: every Grok Connect provider stores these in parameters.
CACHE = {'cacheSchema': BOOL, 'cacheResults': BOOL, 'cacheInvalidateSchedule': STR}
# DbCredentials.dbConnectionTemplate; most providers add ssl.
SHARED = {'server': STR, 'port': INT, 'db': STR, 'connString': STR}
SSL = {'ssl': BOOL}
LOGIN = {'login': STR, 'password': SECRET}
JDBC_PROPERTIES = {'jdbcProperties': DICT}


def _either(*alternatives):
    # Each alternative is the keys a connection string needs; connString replaces the whole URL.
    return tuple(alternatives) + (('connString',),)


SERVER_DB = _either(('server', 'db'))
SERVER = _either(('server',))


def _provider(java_file, parameters, required, credentials=None, jdbc=None):
    """A Grok Connect provider; its credentials are a login and password unless given."""
    extra = JDBC_PROPERTIES if jdbc else {}
    return DataSource(merge_keys(parameters, CACHE, extra), LOGIN if credentials is None else credentials, required, jdbc,
                      PROVIDERS + java_file)


POSTGRES_JDBC = {'applicationName': STR, 'connectTimeout': INT, 'socketTimeout': INT, 'loginTimeout': INT,
                 'reWriteBatchedInserts': BOOL, 'prepareThreshold': INT, 'tcpKeepAlive': BOOL}
SNOWFLAKE_JDBC = {'loginTimeout': INT, 'networkTimeout': INT, 'queryTimeout': INT, 'CLIENT_SESSION_KEEP_ALIVE': BOOL,
                  'CLIENT_PREFETCH_THREADS': INT, 'CLIENT_DISABLE_INCIDENTS': BOOL}

SOURCES = {
    'Access': _provider('AccessDataProvider.java', {'db': STR, 'connString': STR}, _either(('db',))),
    'Athena': _provider(
        'AthenaDataProvider.java',
        {'region': STR, 'VPCEndpoint': STR, 'db': STR, 'S3OutputLocation': STR, 'S3OutputEncOption': ('SSE_S3', 'SSE_KMS', 'CSE_KMS'),
         'connString': STR},
        _either(('region',)),
        # token and expires: read by the provider, though not in its template (a session token and its expiry).
        credentials={'accessKey': STR, 'secretKey': SECRET, 'token': SECRET, 'expires': STR},
        jdbc={'NetworkTimeoutMillis': INT}),
    'BigQuery': _provider(
        'BigQueryDataProvider.java', {'projectId': STR, 'connString': STR}, _either(('projectId',)),
        credentials={'#chosen-auth-method': ('Service Account/OAuthType=0', 'OAuthType=2'), 'serviceEmail': STR,
                     'secretKey': SECRET, '#OAuthAccessToken': SECRET}),
    'Cassandra': _provider('CassandraDataProvider.java', {'server': STR, 'port': INT, 'keySpace': STR, 'connString': STR, 'ssl': BOOL},
                           SERVER),
    'ClickHouse': _provider('ClickHouseProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Databricks': _provider(
        'DatabricksProvider.java', {'workspaceURL': STR, 'httpPath': STR, 'db': STR, 'connString': STR},
        _either(('workspaceURL', 'httpPath')),
        credentials={'#chosen-auth-method': ('Personal Access Token', 'OAuth Client Credentials', 'Federated (SSO)'),
                     'token': SECRET, 'clientId': STR, 'clientSecret': SECRET, 'tenantId': STR, '#token': SECRET}),
    'DB2': _provider('Db2DataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Denodo': _provider('DenodoDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Firebird': _provider('FirebirdDataProvider.java', SHARED, SERVER_DB),
    'HBase': _provider('HBaseDataProvider.java', merge_keys(SHARED, SSL), SERVER),
    'Hive': _provider('HiveDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Hive2': _provider('Hive2DataProvider.java', SHARED, SERVER_DB),
    # ssl: read by the provider, though not in its template.
    'Impala': _provider('ImpalaDataProvider.java', {'server': STR, 'port': INT, 'schema': STR, 'connString': STR, 'ssl': BOOL}, SERVER),
    'MariaDB': _provider('MariaDbDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'MongoDB': _provider('MongoDbDataProvider.java', SHARED, SERVER_DB),
    # schema: the database when db is empty, read by the provider though not in its template.
    'MS SQL': _provider('MsSqlDataProvider.java', merge_keys(SHARED, SSL, {'schema': STR}), _either(('server', 'db'), ('server', 'schema'))),
    'MySQL': _provider('MySqlDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Neo4j': _provider('Neo4jDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Neptune': _provider('NeptuneDataProvider.java', {'server': STR, 'port': INT, 'serviceRegion': STR, 'connString': STR, 'ssl': BOOL},
                         SERVER, credentials={'accessKey': STR, 'secretAccessKey': SECRET}),
    # Oracle's JDBC property names are constants of the Oracle driver, not in public code: left unchecked.
    'Oracle': _provider('OracleDataProvider.java', merge_keys(SHARED, SSL, JDBC_PROPERTIES), _either(('server', 'port', 'db'))),
    'PI': _provider('PIDataProvider.java', {'accessServer': STR, 'server': STR, 'initialCatalog': STR, 'connString': STR},
                    _either(('accessServer', 'server'))),
    'Postgres': _provider('PostgresDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB, jdbc=POSTGRES_JDBC),
    'Redshift': _provider('RedshiftDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'SAP HANA': DataSource(merge_keys({'server': STR, 'port': INT, 'db': STR, 'connString': STR}, CACHE), LOGIN, SERVER_DB, None,
                           'connectors/grok_connect/src/main/kotlin/grok_connect/providers/SapHanaDataProvider.kt'),
    # schema: read by the provider (default PUBLIC), though not in its template.
    'Snowflake': _provider(
        'SnowflakeDataProvider.java',
        {'accountLocator': STR, 'region': STR, 'cloud': ('aws', 'azure', 'gcp', 'privatelink'), 'db': STR, 'warehouse': STR,
         'role': STR, 'connString': STR, 'schema': STR},
        _either(('accountLocator',)),
        credentials={'#chosen-auth-method': ('Username/Password', 'Username/Private key'), 'login': STR, 'password': SECRET,
                     'privateKey': SECRET, 'passPhrase': SECRET},
        jdbc=SNOWFLAKE_JDBC),
    'Teradata': _provider('TeradataDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Vertica': _provider('VerticaDataProvider.java', merge_keys(SHARED, SSL), SERVER_DB),
    'Virtuoso': _provider('VirtuosoDataProvider.java', merge_keys(SHARED, SSL), SERVER),
    # Datagrok's own Dart drivers: no public template (the reference notes, and the vendor CLI's integration test).
    'PostgresDart': DataSource(merge_keys({'server': STR, 'db': STR, 'ssl': BOOL}, CACHE), LOGIN, (('server',),), None,
                               'tools/bin/__tests__ (the vendor CLI saves a PostgresDart connection)'),
    'PostgresNet': DataSource(merge_keys(SHARED, SSL, CACHE), LOGIN, SERVER_DB, None,
                              'packages/Chembl/connections/unichem.json (a legacy name of Postgres)'),
    # File shares.
    'S3': DataSource({'bucket': STR, 'region': STR, 'dir': STR, 'encryption': STR}, {'accessKey': STR, 'secretKey': SECRET},
                     (('bucket',),), None, SHARES + 's3.md'),
    'CoreWeave': DataSource({'endpoint': STR, 'bucket': STR, 'dir': STR, 'encryption': STR}, {'accessKey': STR, 'secretKey': SECRET},
                            (('endpoint', 'bucket'),), None, SHARES + 'coreweave.md'),
    'Azure Blob': DataSource({'account': STR, 'container': STR, 'use SAS': BOOL}, {'shared token': SECRET, 'SAS': SECRET},
                             (('account', 'container'),), None, SHARES + 'azure.md'),
    'GoogleCloud': DataSource({'bucket': STR, 'project': STR, 'credentials': SECRET, 'dir': STR}, None, (('bucket',),), None,
                              SHARES + 'googlecloud.md'),
    'GitHub': DataSource({'url': STR, 'dir': STR, 'indexFiles': BOOL, 'privateRepo': BOOL}, None, (('url',),), None, SHARES + 'git.md'),
    'Files': DataSource({'dir': STR, 'indexFiles': BOOL, 'isProject': BOOL}, LOGIN, (('dir',),), None, SHARES + 'files.md'),
    'Dropbox': DataSource({'dir': STR}, {'password': SECRET}, (), None, SHARES + 'dropbox.md'),
    'SharePoint': DataSource({'domain': STR, 'root site': BOOL, 'site': STR, 'drive': STR, 'redirect url': STR},
                             {'access token': SECRET, 'refresh token': SECRET}, (('domain',),), None, SHARES + 'sharepoint.md'),
}

# Keys that the catalogue lists beyond a provider's templates (tests/unit/.../test_catalogue_snapshot.py checks the rest).
BEYOND_TEMPLATES = {
    'Athena': ('token', 'expires'), 'Impala': ('ssl',), 'MS SQL': ('schema',), 'Neptune': ('ssl',),
    # The auth method chosen among the categories of the credential properties.
    'BigQuery': ('#chosen-auth-method',), 'Databricks': ('#chosen-auth-method',), 'Snowflake': ('schema', '#chosen-auth-method'),
    # JdbcDataProvider.getConnectionString honours a connString for every provider; SAP HANA's template omits it.
    'SAP HANA': ('connString',),
}

# Why a data source needs what it needs, or has the keys it has (Markdown for docs/data-sources.md).
NOTES = {
    'Access': '`db` is the path of the Access file on the Grok Connect host; without it the provider fails.',
    'Athena': '`S3OutputEncOption`: `SSE_S3`, `SSE_KMS` or `CSE_KMS`. `S3OutputLocation` is needed unless the workgroup sets '
              'one. The JDBC driver v3 takes only `NetworkTimeoutMillis` in `jdbcProperties`. `token` is an AWS session token.',
    'BigQuery': '`#chosen-auth-method` is `Service Account/OAuthType=0` (`serviceEmail`, and in `secretKey` the base64 of the '
                'JSON key file) or `OAuthType=2` (the access token, also in `secretKey`: the provider does not read '
                '`#OAuthAccessToken`). Without a method the provider fails.',
    'Cassandra': 'The keyspace is `keySpace`, not `db`.',
    'Databricks': '`workspaceURL` is the workspace host, `httpPath` the SQL warehouse\'s path, `db` the Unity Catalog '
                  '(the form labels it "Catalog"; `main` when empty). `#chosen-auth-method` is `Personal Access Token` '
                  '(`token`), `OAuth Client Credentials` (`clientId`, `clientSecret`, `tenantId` on Azure) or `Federated (SSO)` '
                  '(`#token`); without a method the provider fails. The connector reads no `server`, `port`, `UID` or `PWD`.',
    'HBase': 'The Phoenix query server at `server`:`port`; `db` is not used.',
    'Impala': 'The database is `schema` (`default` when empty).',
    'MS SQL': 'Without `db`, the parameter `schema` is used as the database; with neither the URL says `databaseName=null`. '
              'Avoid `ssl: true` without a `connString`: the provider then writes a malformed URL and turns on Windows '
              'integrated security.',
    'Neptune': 'The AWS keys are `accessKey` and `secretAccessKey` (not `secretKey`).',
    'Oracle': '`db` is the SERVICE_NAME, and the URL needs `port` too (`(PORT=null)` otherwise). `ssl` switches to tcps. '
              'The `jdbcProperties` names are the Oracle driver\'s own and are not checked.',
    'PI': 'The PI SQL DAS host is `accessServer`, the PI server `server`; `initialCatalog` is for example `piarchive`.',
    'Postgres': 'Without `db` the provider connects to a database literally named `null`: `db` (or `connString`) is required.',
    'PostgresDart': 'Datagrok\'s own driver (system connections). `server` may be `host:port`. '
                    '`login` and `password` may also be given in parameters.',
    'PostgresNet': 'A legacy name of Postgres, still found in package connections.',
    'Snowflake': 'The account is `accountLocator[.region][.cloud]` (`cloud`: `aws`, `azure`, `gcp` or `privatelink`). '
                 '`schema` defaults to `PUBLIC`. Without `db` or `warehouse`, Snowflake uses the user\'s defaults. Key-pair '
                 'login: `privateKey` and `passPhrase` with `#chosen-auth-method` `Username/Private key`.',
    'Virtuoso': '`db` is not used. The provider writes the login and password into the connection URL.',
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
