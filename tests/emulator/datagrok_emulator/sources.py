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

# Server-based databases are tested with a plain TCP connect; these are the ports used when none is set.
DEFAULT_PORTS = {
    'MySQL': 3306, 'MariaDB': 3306, 'MS SQL': 1433, 'Oracle': 1521, 'ClickHouse': 8123, 'Redshift': 5439,
    'Teradata': 1025, 'DB2': 50000, 'MongoDB': 27017, 'Vertica': 5433, 'Cassandra': 9042, 'Neo4j': 7687,
    'Hive': 10000, 'Hive2': 10000, 'Impala': 21050, 'Databricks': 443, 'Firebird': 3050, 'SAP HANA': 30015,
    'Denodo': 9999, 'Virtuoso': 1111, 'HBase': 2181, 'Neptune': 8182, 'PI': 5461,
}
