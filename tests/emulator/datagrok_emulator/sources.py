"""Data source names the emulated server accepts, and what its connection test needs from each."""
from __future__ import annotations

# Datagrok's Dart-side DataSourceType enum (grok_shared), including file shares and secret managers.
DART_SOURCES = (
    'Access', 'Athena', 'BigQuery', 'Cassandra', 'Databricks', 'DB2', 'Excel', 'Firebird', 'HBase', 'Hive', 'Hive2',
    'MariaDB', 'MLFlow', 'MongoDB', 'MS SQL', 'MySQL', 'Neo4j', 'ODATA', 'ODBC', 'Oracle', 'PostgresDart', 'Postgres',
    'Redshift', 'SQLite', 'Socrata', 'Sparql', 'Teradata', 'Twitter', 'Vertica', 'Web',
    'Azure Blob', 'Dropbox', 'GitHub', 'FTP', 'GoogleCloud', 'S3', 'Amazon EFS', 'SharePoint', 'HTTP', 'Files', 'SFTP',
    'CoreWeave', 'AWS', 'GCP',
)

# Provider types registered by GrokConnect (ProviderManager.java); each is a valid dataSource too.
# PostgresNet is the legacy name still found in package connection files.
GROK_CONNECT_SOURCES = (
    'PI', 'Virtuoso', 'Impala', 'Denodo', 'Snowflake', 'ClickHouse', 'Neptune', 'SAP HANA', 'PostgresNet',
)

KNOWN_SOURCES = frozenset(DART_SOURCES + GROK_CONNECT_SOURCES)

POSTGRES_SOURCES = frozenset(('Postgres', 'PostgresDart', 'PostgresNet'))

# Secret managers: the Python client refuses to test them, and so does the emulator.
SECRET_MANAGERS = frozenset(('AWS', 'GCP'))

# File shares are tested by checking that the parameters they cannot work without are set.
FILE_SHARE_REQUIRED = {
    'S3': ('bucket', 'region'),
    'Files': ('dir',),
    'Azure Blob': ('account', 'container'),
    'GitHub': ('url',),
    'GoogleCloud': ('bucket',),
    'Dropbox': (),
    'SharePoint': ('domain', 'site'),
    'CoreWeave': ('endpoint', 'bucket'),
    'Amazon EFS': ('dir',),
}


# Where each GrokConnect provider connects, read off its connection string (providers/*.java getConnectionStringImpl):
# a function of the parameter getter giving (host, port). A missing value becomes the text "null", as Java's string
# concatenation writes it, and an unset port is the driver's default.
def _server(default_port):
    return lambda get: (get('server', 'null'), get('port', default_port))


ENDPOINTS = {
    'Postgres': _server(5432), 'PostgresNet': _server(5432), 'MySQL': _server(3306), 'MariaDB': _server(3306),
    'MS SQL': _server(1433), 'Oracle': lambda get: (get('server', 'null'), get('port', 'null')), 'ClickHouse': _server(8123),
    'Redshift': _server(5439), 'Teradata': _server(1025), 'DB2': _server(50000), 'MongoDB': _server(27017),
    'Vertica': _server(5433), 'Cassandra': _server(9042), 'Neo4j': _server(7687), 'Hive': _server(10000),
    'Hive2': _server(10000), 'Impala': _server(21050), 'Firebird': _server(3050), 'SAP HANA': _server(30015),
    'Denodo': _server(9999), 'Virtuoso': _server(1111), 'HBase': _server(8765), 'Neptune': _server(8182),
    'PI': lambda get: (get('accessServer', 'null'), 5461),
    'Databricks': lambda get: (get('workspaceURL', 'null'), 443),
    'Snowflake': lambda get: ('.'.join(str(p) for p in (get('accountLocator', 'null'), get('region'), get('cloud')) if p)
                              + '.snowflakecomputing.com', 443),
    'Athena': lambda get: ('athena.%s.amazonaws.com' % get('region', 'null'), 443),
    'BigQuery': lambda get: ('www.googleapis.com', 443),
}
