# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._connection import catalogue
from ansible_collections.datagrok.platform.plugins.module_utils._connection import data_sources as table
from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import (
    DATA_SOURCES,
    SOURCES,
    canonical,
    coerce,
    is_secret,
    missing_required,
    parameter_errors,
    suggestion,
)
from ansible_collections.datagrok.platform.plugins.module_utils._connection.data_sources import NOTES
from ansible_collections.datagrok.platform.plugins.module_utils._connection.export import export_connection
from ansible_collections.datagrok.platform.plugins.module_utils._converge.plan import plan_connection
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import (
    MASK,
    SECRET_KEPT,
    SECRET_WRITTEN,
    is_secret_key,
    mask_connection,
    secret_values,
)
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import item_errors, spec_errors

SECRET = 'Cat-S3cr3t-9f1e'
ALLOW = 'Set allow_unknown_parameters=true for a connector newer than this collection.'

# A configuration that works for each data source in the catalogue (parameters, credentials).
GOOD = {
    'Postgres': ({'server': 'db', 'port': 5432, 'db': 'nw', 'ssl': True, 'cacheResults': False,
                  'jdbcProperties': {'applicationName': 'x', 'connectTimeout': 10}}, {'login': 'u', 'password': SECRET}),
    'PostgresNet': ({'server': 'db', 'db': 'nw'}, {'login': 'u', 'password': SECRET}),
    'PostgresDart': ({'server': 'db:5432', 'db': 'nw', 'login': 'u', 'password': SECRET}, None),
    'MySQL': ({'server': 'db', 'port': 3306, 'db': 'shop'}, {'login': 'u', 'password': SECRET}),
    'MariaDB': ({'connString': 'jdbc:mariadb://db/x'}, {'login': 'u'}),
    'MS SQL': ({'server': 'sql', 'port': 1433, 'schema': 'w', 'password': SECRET}, None),
    'Oracle': ({'server': 'ora', 'port': 1521, 'db': 'ORCL', 'ssl': True}, {'login': 'u', 'password': SECRET}),
    'Snowflake': ({'accountLocator': 'xy12345', 'region': 'eu-central-1', 'cloud': 'aws', 'db': 'A', 'warehouse': 'W',
                   'role': 'R', 'schema': 'PUBLIC', 'jdbcProperties': {'queryTimeout': 60}},
                  {'login': 'u', 'privateKey': SECRET, 'passPhrase': SECRET, '#chosen-auth-method': 'Username/Private key'}),
    'ClickHouse': ({'server': 'ch', 'port': 8123, 'db': 'default'}, {'login': 'u', 'password': SECRET}),
    'Redshift': ({'server': 'rs', 'port': 5439, 'db': 'dev'}, {'login': 'u', 'password': SECRET}),
    'BigQuery': ({'projectId': 'p'}, {'#chosen-auth-method': 'Service Account/OAuthType=0',
                                      'serviceEmail': 'sa@p.iam', 'secretKey': SECRET}),
    'Athena': ({'region': 'eu-west-1', 'S3OutputLocation': 's3://out/', 'S3OutputEncOption': 'SSE_S3',
                'jdbcProperties': {'NetworkTimeoutMillis': 30000}}, {'accessKey': 'AK', 'secretKey': SECRET, 'token': SECRET}),
    'Databricks': ({'workspaceURL': 'dbc.cloud.databricks.com', 'httpPath': '/sql/1.0/warehouses/x', 'db': 'main'},
                   {'#chosen-auth-method': 'Personal Access Token', 'token': SECRET}),
    'Teradata': ({'server': 'td', 'db': 'dbc'}, {'login': 'u', 'password': SECRET}),
    'DB2': ({'server': 'db2', 'port': 50000, 'db': 'SAMPLE'}, {'login': 'u', 'password': SECRET}),
    'MongoDB': ({'server': 'mongo', 'port': 27017, 'db': 'app'}, {'login': 'u', 'password': SECRET}),
    'Access': ({'db': '/data/orders.accdb'}, {'login': 'u', 'password': SECRET}),
    'Cassandra': ({'server': 'cass', 'port': 9042, 'keySpace': 'ks', 'ssl': False}, {'login': 'u', 'password': SECRET}),
    'Denodo': ({'server': 'denodo', 'port': 9999, 'db': 'admin'}, {'login': 'u', 'password': SECRET}),
    'Firebird': ({'server': 'fb', 'port': 3050, 'db': '/db/employee.fdb'}, {'login': 'u', 'password': SECRET}),
    'HBase': ({'server': 'phoenix', 'port': 8765}, {'login': 'u', 'password': SECRET}),
    'Hive': ({'server': 'hive', 'port': 10000, 'db': 'default'}, {'login': 'u', 'password': SECRET}),
    'Hive2': ({'server': 'hive', 'port': 10000, 'db': 'default'}, {'login': 'u', 'password': SECRET}),
    'Impala': ({'server': 'impala', 'port': 21050, 'schema': 'default'}, {'login': 'u', 'password': SECRET}),
    'Neo4j': ({'server': 'neo', 'port': 7687, 'db': 'neo4j'}, {'login': 'u', 'password': SECRET}),
    'Neptune': ({'server': 'neptune.example', 'port': 8182, 'serviceRegion': 'us-east-1'},
                {'accessKey': 'AK', 'secretAccessKey': SECRET}),
    'PI': ({'accessServer': 'das', 'server': 'pi', 'initialCatalog': 'piarchive'}, {'login': 'u', 'password': SECRET}),
    'SAP HANA': ({'server': 'hana', 'port': 30015, 'db': 'HXE'}, {'login': 'u', 'password': SECRET}),
    'Vertica': ({'server': 'vertica', 'port': 5433, 'db': 'vmart'}, {'login': 'u', 'password': SECRET}),
    'Virtuoso': ({'server': 'virtuoso', 'port': 1111}, {'login': 'u', 'password': SECRET}),
    'S3': ({'bucket': 'b', 'region': 'eu-west-1', 'dir': 'in'}, {'accessKey': 'AK', 'secretKey': SECRET}),
    'Azure Blob': ({'account': 'acc', 'container': 'c', 'use SAS': True}, {'SAS': SECRET}),
    'GoogleCloud': ({'project': 'p', 'credentials': SECRET, 'bucket': 'b'}, {'anything': 'unchecked'}),
    'GitHub': ({'url': 'https://github.com/x/y.git', 'indexFiles': True, 'privateRepo': False}, {'token': SECRET}),
    'Files': ({'dir': '/data', 'indexFiles': True}, {'login': 'u', 'password': SECRET}),
    'Dropbox': ({'dir': '/'}, {'password': SECRET}),
    'SharePoint': ({'domain': 'https://x.sharepoint.com', 'root site': True, 'drive': 'Documents'},
                   {'access token': SECRET, 'refresh token': SECRET}),
    'CoreWeave': ({'endpoint': 'https://object.example', 'bucket': 'b'}, {'accessKey': 'AK', 'secretKey': SECRET}),
}


# -- the catalogue itself ----------------------------------------------------------------------

def test_every_source_has_a_good_example_and_a_note():
    assert set(GOOD) == set(SOURCES) and len(SOURCES) >= 20
    assert set(NOTES) <= set(SOURCES)


@pytest.mark.parametrize('name', sorted(SOURCES))
def test_catalogue_entries_are_well_formed(name):
    source = SOURCES[name]
    assert name in DATA_SOURCES
    kinds = (table.STR, table.INT, table.BOOL, table.DICT, table.SECRET)
    for keys in (source.parameters, source.credentials or {}, source.jdbc or {}):
        assert all(kind in kinds or (isinstance(kind, tuple) and kind) for kind in keys.values())
        assert len(set(k.casefold() for k in keys)) == len(keys)  # no two keys differ only in case
    for keys in source.required:
        assert keys and all(k in source.parameters for k in keys)
    # A credential key is never also a parameter key: where it belongs would be ambiguous.
    assert not set(k.casefold() for k in source.credentials or {}) & set(k.casefold() for k in source.parameters)


@pytest.mark.parametrize('name', sorted(SOURCES))
def test_a_working_configuration_passes_every_check(name):
    parameters, credentials = GOOD[name]
    assert parameter_errors(name, parameters, credentials) == []
    assert missing_required(name, parameters) is None


@pytest.mark.parametrize('name, expected', [
    # Grok Connect writes a missing db into the JDBC URL as "/null" (PostgresDataProvider and others).
    ('Postgres', ['server', 'db', 'connString']), ('PostgresDart', ['server']), ('MySQL', ['server', 'db', 'connString']),
    ('MS SQL', ['server', 'db', 'server', 'schema', 'connString']),
    # Oracle's URL has (PORT=null) without a port.
    ('Oracle', ['server', 'port', 'db', 'connString']),
    ('DB2', ['server', 'db', 'connString']), ('Snowflake', ['accountLocator', 'connString']),
    ('BigQuery', ['projectId', 'connString']), ('Athena', ['region', 'connString']),
    ('Databricks', ['workspaceURL', 'httpPath', 'connString']), ('Vertica', ['server', 'db', 'connString']),
    ('Virtuoso', ['server', 'connString']), ('PI', ['accessServer', 'server', 'connString']), ('Access', ['db', 'connString']),
    ('S3', ['bucket']), ('Azure Blob', ['account', 'container']),
    ('GoogleCloud', ['bucket']), ('GitHub', ['url']), ('Files', ['dir']), ('Dropbox', []), ('SharePoint', ['domain']),
    ('CoreWeave', ['endpoint', 'bucket']),
])
def test_required_keys(name, expected):
    assert [k for keys in SOURCES[name].required for k in keys] == expected


@pytest.mark.parametrize('name, key, secret', [
    ('Postgres', 'password', True), ('Postgres', 'PASSWORD', True), ('Postgres', 'login', False), ('Postgres', 'port', False),
    ('Snowflake', 'privateKey', True), ('Snowflake', 'passPhrase', True), ('Snowflake', '#chosen-auth-method', False),
    ('BigQuery', '#OAuthAccessToken', True), ('BigQuery', 'serviceEmail', False), ('BigQuery', 'secretKey', True),
    ('Athena', 'token', True), ('Athena', 'accessKey', False), ('Databricks', '#token', True), ('Databricks', 'token', True),
    ('Databricks', 'PWD', None), ('Databricks', 'server', None), ('Neptune', 'secretAccessKey', True),
    ('Databricks', 'clientSecret', True), ('Databricks', 'clientId', False), ('Azure Blob', 'SAS', True),
    ('Azure Blob', 'use SAS', False), ('Azure Blob', 'shared token', True), ('SharePoint', 'refresh token', True),
    ('GoogleCloud', 'credentials', True), ('Dropbox', 'password', True), ('S3', 'bucket', False),
    ('Postgres', 'host', None), ('Bogus', 'password', None), (None, 'password', None),
])
def test_is_secret_in_the_catalogue(name, key, secret):
    assert is_secret(name, key) is secret


@pytest.mark.parametrize('key, data_source, secret', [
    # The catalogue decides for the keys it knows...
    ('credentials', 'GoogleCloud', True),
    ('credentials', 'Postgres', False),
    ('password', 'Postgres', True),
    ('use SAS', 'Azure Blob', False),
    # ... and the name rule for the others (unknown keys, unknown or no data source).
    ('db_password', 'Postgres', True),
    ('apiKey', 'Postgres', True),
    ('credentials', None, False),
    ('password', 'Brand New DB', True),
    ('myToken', None, True),
    ('server', 'Brand New DB', False),
])
def test_is_secret_key_asks_the_catalogue_first(key, data_source, secret):
    assert is_secret_key(key, data_source) is secret


# -- did you mean ------------------------------------------------------------------------------

@pytest.mark.parametrize('data_source, key, meant', [
    ('Postgres', 'host', 'server'), ('Postgres', 'hostname', 'server'), ('Postgres', 'address', 'server'),
    ('Postgres', 'database', 'db'), ('Postgres', 'dbname', 'db'), ('Postgres', 'database_name', 'db'),
    ('Postgres', 'databse', 'db'), ('Postgres', 'user', 'login'), ('Postgres', 'username', 'login'),
    ('Postgres', 'user_name', 'login'), ('Postgres', 'pass', 'password'), ('Postgres', 'passwd', 'password'),
    ('Postgres', 'pwd', 'password'), ('Postgres', 'sever', 'server'), ('Postgres', 'prot', 'port'),
    ('Postgres', 'conn_string', 'connString'), ('Postgres', 'jdbc_url', 'connString'), ('Postgres', 'sslmode', 'ssl'),
    ('Postgres', 'cache_results', 'cacheResults'), ('Postgres', 'warehouse', None), ('Postgres', 'zzz', None),
    ('Snowflake', 'account', 'accountLocator'), ('Snowflake', 'wharehouse', 'warehouse'), ('Snowflake', 'host', None),
    ('S3', 'bucket_name', 'bucket'), ('S3', 'access_key', 'accessKey'), ('S3', 'secret_access_key', 'secretKey'),
    ('S3', 'path', 'dir'), ('BigQuery', 'project', 'projectId'), ('BigQuery', 'project_id', 'projectId'),
    ('GoogleCloud', 'projectId', 'project'), ('Athena', 'output_location', 'S3OutputLocation'),
    ('Databricks', 'host', 'workspaceURL'), ('Vertica', 'host', 'server'), ('Azure Blob', 'container_name', 'container'), ('CoreWeave', 'host', 'endpoint'),
])
def test_did_you_mean(data_source, key, meant):
    source = SOURCES[data_source]
    assert suggestion(key, catalogue.merge_keys(source.parameters, source.credentials or {})) == meant


# -- types -------------------------------------------------------------------------------------

@pytest.mark.parametrize('kind, value, expected', [
    ('int', '5432', 5432), ('int', ' 5432 ', 5432), ('int', 5432, 5432), ('int', 5432.0, 5432), ('int', '+1', 1),
    ('bool', 'true', True), ('bool', 'False', False), ('bool', 'yes', True), ('bool', 'off', False), ('bool', 1, True),
    ('bool', 0, False), ('bool', True, True), ('str', 123, '123'), ('str', 'x', 'x'), ('str', True, True),
    ('secret', 1234, '1234'), ('dict', {'a': 1}, {'a': 1}), ('int', '', ''), ('bool', None, None), ('dict', '', ''),
])
def test_coerce(kind, value, expected):
    converted, problem = coerce(kind, value)
    assert problem is None and converted == expected and type(converted) is type(expected)


@pytest.mark.parametrize('kind, value, problem', [
    ('int', 'abc', "must be an integer, got 'abc'"), ('int', True, 'must be an integer, got True'),
    ('int', 5432.5, 'must be an integer, got 5432.5'), ('bool', 'maybe', "must be a boolean (true or false), got 'maybe'"),
    ('bool', 2, 'must be a boolean (true or false), got 2'), ('dict', 'a=b', 'must be a dictionary, got a str'),
    ('str', ['a'], 'must be a string, got a list'), ('secret', {'a': 1}, 'must be a string, got a dict'),
])
def test_coerce_refuses(kind, value, problem):
    assert coerce(kind, value) == (value, problem)


def test_canonical_spelling_and_types():
    assert canonical('Postgres', {'Server': 'db', 'PORT': '5432', 'SSL': 'true', 'DB': 7, 'extra': '1'}) == \
        {'server': 'db', 'port': 5432, 'ssl': True, 'db': '7', 'extra': '1'}
    assert canonical('Athena', {'s3outputlocation': 's3://x'}) == {'S3OutputLocation': 's3://x'}
    assert canonical('Postgres', {'port': 'abc'}) == {'port': 'abc'}  # refused by parameter_errors, not here
    assert canonical('Brand New DB', {'PORT': '5432'}) == {'PORT': '5432'}
    assert canonical('Postgres', None) is None


# -- the checks --------------------------------------------------------------------------------

@pytest.mark.parametrize('data_source, parameters, credentials, expected', [
    ('Postgres', {'host': 'db'}, None,
     ["parameters: 'host' is not a parameter of Postgres. Did you mean 'server'? " + ALLOW]),
    ('Postgres', {'server': 'db', 'database': 'nw'}, None,
     ["parameters: 'database' is not a parameter of Postgres. Did you mean 'db'? " + ALLOW]),
    ('Postgres', {'qwerty': 1}, None, ["parameters: 'qwerty' is not a parameter of Postgres. " + ALLOW]),
    ('Postgres', None, {'user': 'u'}, ["credentials: 'user' is not a credential of Postgres. Did you mean 'login'? " + ALLOW]),
    ('S3', None, {'login': 'u'}, ["credentials: 'login' is not a credential of S3. Did you mean 'accessKey'? " + ALLOW]),
    ('S3', None, {'region': 'r', 'zzz': 1},
     ["credentials: 'region' is a connection parameter of S3, not a credential: move it to parameters",
      "credentials: 'zzz' is not a credential of S3. " + ALLOW]),
    ('Postgres', None, {'server': 'db'},
     ["credentials: 'server' is a connection parameter of Postgres, not a credential: move it to parameters"]),
    ('Postgres', {'port': 'abc', 'ssl': 'maybe'}, None,
     ["parameters: port must be an integer, got 'abc'", "parameters: ssl must be a boolean (true or false), got 'maybe'"]),
    ('Postgres', {'jdbcProperties': 'x=1'}, None, ['parameters: jdbcProperties must be a dictionary, got a str']),
    ('Postgres', {'SERVER': 'db', 'Port': '5432'}, {'LOGIN': 'u'}, []),
    ('Brand New DB', {'anything': 1}, {'anything': 2}, []),
    ('AWS', {'region': 'eu-west-1'}, None, []),
])
def test_parameter_errors(data_source, parameters, credentials, expected):
    assert parameter_errors(data_source, parameters, credentials) == expected


def test_allow_unknown_parameters_accepts_unknown_keys_but_still_checks_the_known_ones():
    assert parameter_errors('Postgres', {'host': 'db', 'newKey': 1}, {'newCred': 'x'}, allow_unknown=True) == []
    assert parameter_errors('Postgres', {'host': 'db', 'port': 'x'}, None, True) == ["parameters: port must be an integer, got 'x'"]
    assert parameter_errors('Postgres', None, {'db': 'nw'}, True) == \
        ["credentials: 'db' is a connection parameter of Postgres, not a credential: move it to parameters"]


def test_a_secret_value_never_shows_in_a_message():
    errors = parameter_errors('Postgres', {'password': {'nested': SECRET}}, {'password': [SECRET], 'pass': SECRET})
    assert len(errors) == 3 and SECRET not in json.dumps(errors)


@pytest.mark.parametrize('data_source, parameters, expected', [
    ('Postgres', {}, 'Postgres needs server and db, or connString (missing: server, db)'),
    ('Postgres', {'server': ''}, 'Postgres needs server and db, or connString (missing: server, db)'),
    ('Postgres', {'db': 'nw', 'connString': None}, 'Postgres needs server and db, or connString (missing: server)'),
    # server and port without db: Grok Connect would connect to a database named "null".
    ('Postgres', {'Server': 'db', 'port': 5432}, 'Postgres needs server and db, or connString (missing: db)'),
    ('Postgres', {'Server': 'db', 'DB': 'nw'}, None),
    ('Postgres', {'connString': 'jdbc:postgresql://db/nw'}, None),
    ('Vertica', {'server': 'v', 'port': 5433}, 'Vertica needs server and db, or connString (missing: db)'),
    ('Oracle', {'server': 'ora'}, 'Oracle needs server and port and db, or connString (missing: port, db)'),
    ('Oracle', {'server': 'ora', 'db': 'ORCL'}, 'Oracle needs server and port and db, or connString (missing: port)'),
    ('Oracle', {'server': 'ora', 'port': 1521, 'db': 'ORCL'}, None),
    ('MS SQL', {'server': 'sql', 'schema': 'w'}, None),
    ('Snowflake', {'db': 'A', 'warehouse': 'W'}, 'Snowflake needs accountLocator, or connString (missing: accountLocator)'),
    ('Athena', {'region': 'r'}, None),
    ('Databricks', {'httpPath': '/p'}, 'Databricks needs workspaceURL and httpPath, or connString (missing: workspaceURL)'),
    ('S3', {'region': 'r'}, 'S3 needs bucket (missing: bucket)'),
    ('S3', {'bucket': 'b'}, None),
    ('Azure Blob', {'account': 'a'}, 'Azure Blob needs account and container (missing: container)'),
    ('Dropbox', {}, None),
    ('AWS', {}, None),
    ('Brand New DB', {}, None),
])
def test_missing_required(data_source, parameters, expected):
    assert missing_required(data_source, parameters) == expected


# -- in the modules: before any request --------------------------------------------------------

def test_item_errors_check_parameters_and_credentials_of_a_known_data_source():
    errors = item_errors({'name': 'x', 'data_source': 'Postgres', 'parameters': {'host': 'db'}, 'credentials': {'user': 'u'}})
    assert len(errors) == 2 and "Did you mean 'server'?" in errors[0] and "Did you mean 'login'?" in errors[1]
    assert item_errors({'name': 'x', 'data_source': 'Postgres', 'parameters': {'host': 'db'},
                        'allow_unknown_parameters': True}) == []
    # Without data_source (an update), the keys are checked once the connection is read (see the plans below).
    assert item_errors({'name': 'x', 'parameters': {'host': 'db'}}) == []


def test_spec_errors_check_an_unsaved_connection_like_a_create():
    items = [
        {'data_source': 'Postgres', 'parameters': {'host': 'db'}},
        {'data_source': 'Oracle', 'parameters': {'server': 'ora'}},
        {'data_source': 'S3', 'parameters': {'bucket': 'b'}, 'credentials': {'user': 'u'}, 'allow_unknown_parameters': True},
        {'data_source': 'Postgres', 'parameters': {'server': 'db', 'db': 'nw'}, 'credentials': {'login': 'u'}},
        {'data_source': 'postgres', 'parameters': {'host': 'db'}},
    ]
    errors = spec_errors(items, 'connections')
    assert errors[0] == ("connections[0]: parameters: 'host' is not a parameter of Postgres. Did you mean 'server'? "
                         + ALLOW + '; parameters: Postgres needs server and db, or connString (missing: server, db)')
    assert errors[1] == 'connections[1]: parameters: Oracle needs server and port and db, or connString (missing: port, db)'
    # Only the data source is reported when it is unknown: its keys cannot be checked.
    assert errors[2].startswith("connections[4]: data_source: 'postgres' is not a known data source")
    assert len(errors) == 3


# -- in the plan: canonical spelling and types, case-only differences, required keys -----------

def server_conn(data_source='Postgres', parameters=None):
    return {'#type': 'DataConnection', 'id': 'c1', 'name': 'Conn', 'namespace': 'Admin:', 'friendlyName': 'Conn',
            'dataSource': data_source, 'parameters': parameters if parameters is not None else
            {'server': 'db', 'port': 5432, 'db': 'nw', 'ssl': False},
            'credentials': {'parameters': {'login': MASK}, 'openParameters': {'login': 'u'}}, 'tags': []}


def plan(options, current=None):
    item = {'name': 'Conn', 'state': 'present', 'parameters_mode': 'merge', 'update_credentials': 'when_changed'}
    item.update(options)
    return plan_connection(item, current, 'Admin:')


def test_create_sends_the_catalogues_spelling_and_types():
    p = plan({'data_source': 'Postgres', 'parameters': {'Server': 'db', 'PORT': '5432', 'DB': 'nw', 'Ssl': 'true', 'newKey': 'x'},
              'credentials': {'Login': 'u', 'PASSWORD': SECRET}, 'allow_unknown_parameters': True})
    assert p.error is None and p.action == 'create'
    assert p.body['parameters'] == {'server': 'db', 'port': 5432, 'db': 'nw', 'ssl': True, 'newKey': 'x'}
    assert p.body['credentials'] == {'parameters': {'login': 'u', 'password': SECRET}}
    assert p.after['credentials'] == {'login': 'u', 'password': SECRET_WRITTEN}


@pytest.mark.parametrize('parameters', [
    {'SERVER': 'db', 'Port': '5432', 'DB': 'nw', 'ssl': 'false'},
    {'server': 'db', 'port': 5432.0, 'ssl': 'off'},
])
def test_case_and_type_differences_are_no_change(parameters):
    assert not plan({'parameters': parameters}, server_conn()).changed
    assert not plan({'data_source': 'Postgres', 'parameters': parameters}, server_conn()).changed


def test_an_update_keeps_the_servers_spelling_of_a_key():
    p = plan({'parameters': {'server': 'other'}}, server_conn(parameters={'Server': 'db'}))
    assert p.action == 'update' and p.body['parameters'] == {'Server': 'other'}


def test_an_update_without_data_source_is_checked_against_the_connection_as_read():
    p = plan({'parameters': {'host': 'db'}}, server_conn())
    assert p.error == ("Invalid option for connection 'Admin:Conn': parameters: 'host' is not a parameter of Postgres. "
                       "Did you mean 'server'? " + ALLOW)
    assert not p.changed and p.body is None
    p = plan({'parameters': {'host': 'db'}, 'allow_unknown_parameters': True}, server_conn())
    assert p.error is None and p.body['parameters']['host'] == 'db'
    p = plan({'credentials': {'secretKey': SECRET}}, server_conn())
    assert "'secretKey' is not a credential of Postgres" in p.error and SECRET not in p.error
    assert plan({'parameters': {'anything': 1}}, server_conn(data_source='Brand New DB')).error is None


def test_a_create_without_the_required_parameters_is_an_error():
    p = plan({'data_source': 'Oracle', 'parameters': {'server': 'ora'}})
    assert p.error == ("Invalid option for connection 'Admin:Conn': parameters: Oracle needs server and port and db, or "
                       "connString (missing: port, db)")
    assert p.body is None and not p.changed
    assert 'S3 needs bucket (missing: bucket)' in plan({'data_source': 'S3'}).error
    # An update never needs them: the connection already has what it has.
    assert plan({'data_source': 'Oracle', 'parameters': {'port': 1522}}, server_conn('Oracle')).error is None
    assert plan({'data_source': 'Brand New DB'}).error is None


def test_secrets_follow_the_catalogue_of_the_data_source():
    # GoogleCloud's credentials parameter is a secret; a parameter of that name elsewhere is not.
    conn = server_conn('GoogleCloud', {'bucket': 'b', 'credentials': SECRET})
    masked = mask_connection(conn)
    assert masked['parameters'] == {'bucket': 'b', 'credentials': MASK}
    assert export_connection(conn)['parameters'] == {'bucket': 'b'}
    assert secret_values({'credentials': SECRET}, 'GoogleCloud') == [SECRET]
    assert secret_values({'credentials': SECRET}) == []
    p = plan({'parameters': {'credentials': SECRET}}, conn)
    assert not p.changed and p.before['parameters'] == {'bucket': 'b', 'credentials': SECRET_KEPT}
    assert SECRET not in json.dumps([p.before, p.after, p.predicted])
    p = plan({'parameters': {'credentials': 'rotated'}}, conn)
    assert p.action == 'update' and p.after['parameters']['credentials'] == SECRET_WRITTEN
