"""The vendor's CLI, ``grok s`` (npm datagrok-tools 6.7.5, pinned in tests/vendor_cli), as a second client.

The Python contract test (tests/emulator/test_vendor_contract.py) holds the emulator to the vendor's Python
client. This one holds it to the vendor's newest tool, whose compiled sources (bin/utils/node-dapi.js,
bin/commands/server.js) are the most recent public record of how a Datagrok server answers. The commands
run unchanged, as a user types them, with a private ``$HOME/.grok/config.yaml`` naming the emulator.

* ``test_grok_s_commands``: ``connections save|list|count|get|test|delete`` and ``shares add|list``. Each
  command's effect is read from the emulator itself (its state through the REST API, and its request
  log), not only from what the CLI prints.
* ``test_cli_and_module_interoperate``: the collection adopts a connection the CLI made, shares
  included, with no change and no write, and the CLI reads the module's connection, its credentials
  masked and its group named.

The reliability session of noxfile.py installs the CLI with ``npm ci`` and sets ``DATAGROK_TEST_GROK``.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from datagrok_emulator.process import WRITE_METHODS

PLACEHOLDER = '_' * 13  # how Datagrok shows a stored secret (python-api tests, test_connections_client.py)
CHEMISTS = 'Chemists'


@pytest.fixture
def grok(tmp_path):
    """``grok(server)`` -> ``run(*args)``: the vendor CLI, configured for ``server``, returning a CompletedProcess."""
    executable = os.environ.get('DATAGROK_TEST_GROK')
    if not executable:
        pytest.skip('DATAGROK_TEST_GROK is not set (the vendor CLI); run through `make reliability` (noxfile.py)')

    def configure(server):
        home = tmp_path / 'grok-home'
        (home / '.grok').mkdir(parents=True, exist_ok=True)
        # The CLI's own config format (GROK_S.md, "Configuration"): the API base ends in /api.
        config = {'default': 'emulator', 'servers': {'emulator': {'url': server.url + '/api', 'key': server.admin_key}}}
        (home / '.grok' / 'config.yaml').write_text(yaml.safe_dump(config), encoding='utf-8')
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('GROK_', 'DATAGROK_')))
        env.update(HOME=str(home), NO_COLOR='1')

        def run(*args):
            return subprocess.run([executable, 's'] + list(args), capture_output=True, text=True, env=env,
                                  cwd=str(tmp_path), timeout=120, check=False)
        return run
    return configure


def ok(result):
    assert result.returncode == 0, 'grok s failed (%d): %s %s' % (result.returncode, result.stdout, result.stderr)
    return result.stdout


def ok_json(result):
    return json.loads(ok(result))


def postgres_body(name, pg_server, description):
    return {'#type': 'DataConnection', 'name': name, 'dataSource': 'Postgres', 'description': description,
            'parameters': {'server': pg_server['host'], 'port': pg_server['port'], 'db': pg_server['db']},
            'credentials': {'parameters': {'login': pg_server['user'], 'password': pg_server['password']}},
            'tags': ['cli', 'orders']}


def calls(server, mark):
    """The requests since ``mark`` other than the CLI's logins, as (METHOD, path without /api, query)."""
    return [(r['method'], r['path'][len('/api'):] if r['path'].startswith('/api/') else r['path'], r['query'])
            for r in server.requests_since(mark) if not r['path'].endswith('/users/login/dev')]


def assert_test_result(result, pg_server):
    """With a real PostgreSQL the test passes; without one the CLI reports the server's refusal, with no stack."""
    if pg_server['available']:
        assert ok(result).strip() == 'ok'
    else:
        assert result.returncode == 1 and 'Connection refused' in result.stderr, result.stderr
        assert '    at ' not in result.stderr and pg_server['password'] not in result.stderr


def test_grok_s_commands(start_emulator, grok, pg, tmp_path):
    server = start_emulator()
    cli = grok(server)
    body = postgres_body('CliOrders', pg, 'orders, saved by grok s')
    (tmp_path / 'conn.json').write_text(json.dumps(body), encoding='utf-8')

    mark = server.mark()
    saved = ok_json(cli('connections', 'save', '--json', str(tmp_path / 'conn.json'), '--save-credentials', '--output', 'json'))
    assert calls(server, mark) == [('POST', '/public/v1/connections', 'saveCredentials=true')]
    assert saved['nqName'] == 'Admin:CliOrders' and saved['credentials']['parameters']['password'] == PLACEHOLDER
    stored = server.api('GET', '/public/v1/connections/' + saved['id'])
    assert stored['parameters'] == body['parameters'] and stored['tags'] == ['cli', 'orders']
    assert stored['credentials']['openParameters'] == {'login': pg['user']}
    assert server.api('GET', '/public/v1/credentials/for/' + saved['id'])['parameters']['password'] == pg['password']

    # list and count go through the internal router, which pages (1-based) where the public list does not.
    for index in range(59):
        server.api('POST', '/public/v1/connections', {'name': 'Filler%02d' % index, 'dataSource': 'S3',
                                                      'parameters': {'bucket': 'b%d' % index, 'region': 'eu-west-1'}})
    mark = server.mark()
    assert ok(cli('connections', 'count')).strip() == '60'
    first = ok_json(cli('connections', 'list', '--output', 'json'))
    third = ok_json(cli('connections', 'list', '--limit', '20', '--offset', '40', '--output', 'json'))
    assert calls(server, mark) == [('GET', '/connectors/connections/count', ''),
                                   ('GET', '/connectors/connections', 'limit=50&page=1'),
                                   ('GET', '/connectors/connections', 'limit=20&page=3')]
    everything = server.connections()
    assert [c['id'] for c in first] == [c['id'] for c in everything[:50]]
    assert [c['id'] for c in third] == [c['id'] for c in everything[40:60]]
    assert ok(cli('connections', 'count', '--filter', 'CliOrders')).strip() == '1'

    got = ok_json(cli('connections', 'get', 'Admin:CliOrders', '--output', 'json'))
    assert got['id'] == saved['id'] and got['parameters'] == body['parameters']

    mark = server.mark()
    shared = ok_json(cli('shares', 'add', 'Admin:CliOrders', CHEMISTS, '--access', 'View', '--output', 'json'))
    assert calls(server, mark) == [('POST', '/public/v1/entities/Admin.CliOrders/shares', 'groups=Chemists&access=View')]
    assert shared['shared'] == [CHEMISTS]
    rows = server.api('GET', '/privileges/permissions?entityId=%s&all=true' % saved['id'])
    assert [(r['userGroup']['id'], r['permission']['name']) for r in rows] == [(shared_group_id(server), 'View')]
    # Permission rows name the group only by id: the CLI looks each one up (server.js handleSharesList).
    mark = server.mark()
    listed = ok_json(cli('shares', 'list', 'Admin:CliOrders', '--output', 'json'))
    assert [(s['group'], s['access'], s['inherited']) for s in listed] == [(CHEMISTS, 'View', False)]
    assert ('GET', '/public/v1/groups/' + shared_group_id(server), '') in calls(server, mark)

    assert_test_result(cli('connections', 'test', 'Admin:CliOrders'), pg)

    mark = server.mark()
    assert ok(cli('connections', 'delete', 'Admin:CliOrders')).strip() == 'Deleted connections/Admin:CliOrders'
    assert [c for c in calls(server, mark) if c[0] in WRITE_METHODS] == [('DELETE', '/public/v1/connections/' + saved['id'], '')]
    assert 'CliOrders' not in [c['name'] for c in server.connections()]
    missing = cli('connections', 'get', 'Admin:CliOrders')
    assert missing.returncode == 1 and missing.stderr.strip() == 'Not Found (HTTP 404)'


def shared_group_id(server):
    return next(g['id'] for g in server.api('GET', '/public/v1/groups') if g['name'] == CHEMISTS)


def module_task(name, register, url, key, pg_server, **extra):
    args = dict(url=url, api_key=key, name=name, data_source='Postgres', description=extra.pop('description'),
                parameters={'server': pg_server['host'], 'port': pg_server['port'], 'db': pg_server['db']},
                credentials={'login': pg_server['user'], 'password': pg_server['password']},
                tags=['cli', 'orders'], shares=[{'group': CHEMISTS, 'access': extra.pop('access')}])
    args.update(extra)
    return {'name': register, 'datagrok.platform.datagrok_connection': args, 'register': register}


def test_cli_and_module_interoperate(start_emulator, grok, ansible, pg, tmp_path):
    server = start_emulator()
    cli = grok(server)
    body = postgres_body('CliMade', pg, 'made by grok s')
    (tmp_path / 'conn.json').write_text(json.dumps(body), encoding='utf-8')
    made = ok_json(cli('connections', 'save', '--json', str(tmp_path / 'conn.json'), '--save-credentials', '--output', 'json'))
    ok(cli('shares', 'add', 'Admin:CliMade', CHEMISTS, '--access', 'View'))
    before = server.api('GET', '/public/v1/connections/' + made['id'])

    # The module adopts what the CLI made: the same definition, in check + diff, then real, changes nothing.
    adopt = dict(description='made by grok s', access='View', shares_mode='exact')
    mark = server.mark()
    run = ansible([{'hosts': 'all', 'gather_facts': False, 'tasks': [
        dict(module_task('CliMade', 'adopt_check', server.url, server.admin_key, pg, **adopt), check_mode=True, diff=True),
        module_task('CliMade', 'adopt_real', server.url, server.admin_key, pg, **adopt),
        module_task('ModuleMade', 'module_made', server.url, server.admin_key, pg, description='made by the module',
                    access='Edit'),
    ]}], json=True)
    assert run.rc == 0, run.text[-3000:]
    (check,), (real,), (created,) = (run.task_results(n) for n in ('adopt_check', 'adopt_real', 'module_made'))
    assert not check['changed'] and not real['changed'] and check['diff']['before'] == check['diff']['after']
    assert real['connection']['id'] == made['id'] and real['credentials_verified'] is True
    assert created['changed'] and created['connection']['namespace'] + created['connection']['name'] == 'Admin:ModuleMade'
    writes = [c for c in calls(server, mark) if c[0] in WRITE_METHODS]
    assert [w[:2] for w in writes] == [('POST', '/public/v1/connections'),
                                       ('POST', '/public/v1/entities/%s/shares' % created['connection']['id'])]
    after = server.api('GET', '/public/v1/connections/' + made['id'])
    assert after['updatedOn'] == before['updatedOn'] and after['parameters'] == before['parameters']

    # The CLI reads the module's connection: parameters and tags as written, the secret masked, the group named.
    got = ok_json(cli('connections', 'get', 'Admin:ModuleMade', '--output', 'json'))
    assert got['parameters'] == body['parameters'] and got['tags'] == ['cli', 'orders']
    assert got['credentials']['parameters']['password'] == PLACEHOLDER
    assert got['credentials']['openParameters'] == {'login': pg['user']}
    assert pg['password'] not in json.dumps(got)
    listed = ok_json(cli('shares', 'list', 'Admin:ModuleMade', '--output', 'json'))
    # One row per permission: an Edit share also holds View where the server stores both (FIDELITY.md, --edit-grant).
    assert sorted((s['group'], s['access'], s['inherited']) for s in listed) == [(CHEMISTS, 'Edit', False), (CHEMISTS, 'View', False)]
    assert sorted(c['name'] for c in ok_json(cli('connections', 'list', '--output', 'json'))) == ['CliMade', 'ModuleMade']
    assert_test_result(cli('connections', 'test', 'Admin:ModuleMade'), pg)

    # A connection the CLI deleted is absent to the module: nothing to do, nothing written.
    ok(cli('connections', 'delete', 'Admin:ModuleMade'))
    mark = server.mark()
    run = ansible([{'hosts': 'all', 'gather_facts': False, 'tasks': [
        {'name': 'gone', 'register': 'gone', 'datagrok.platform.datagrok_connection': {
            'url': server.url, 'api_key': server.admin_key, 'name': 'ModuleMade', 'state': 'absent'}}]}], json=True)
    assert run.rc == 0, run.text[-3000:]
    assert not run.task_results('gone')[0]['changed']
    assert not [c for c in calls(server, mark) if c[0] in WRITE_METHODS]


@pytest.mark.parametrize('same_id', [True, False])
def test_the_same_id_on_two_instances_meets_the_cli_without_a_twin(start_emulator, grok, ansible, pg, tmp_path, same_id):
    """``grok s migrate`` / ``push`` carry a connection with its id from one instance to the next.

    The emulator serves no queries or dashboards, so this is scoped to the connection itself: the CLI saves dev's
    connection, id included, on prod, where the role's bulk form provisioned it from dev's export. With the id
    exported (``same_id``) the CLI's save lands on that connection; provisioned without it, the same save finds the
    name taken under another id and the server stores a twin, ``Promoted_1``.
    """
    dev, prod = start_emulator(), start_emulator()
    conn_id = '6f0c3b1a-2d4e-4f5a-8b6c-7d8e9f0a1b2c'
    task = module_task('Promoted', 'dev', dev.url, dev.admin_key, pg, description='promoted', access='View', id=conn_id)
    export = {'name': 'export', 'register': 'export', 'datagrok.platform.datagrok_connection_info': {
        'url': dev.url, 'api_key': dev.admin_key, 'name': 'Promoted', 'export': True, 'include_shares': True}}
    run = ansible([{'hosts': 'all', 'gather_facts': False, 'tasks': [task, export]}], json=True)
    assert run.rc == 0, run.text[-3000:]
    exported = run.task_results('export')[0]['exported']
    assert [item['id'] for item in exported] == [conn_id]
    items = exported if same_id else [dict((k, v) for k, v in item.items() if k != 'id') for item in exported]
    provision = {'name': 'prod', 'register': 'prod', 'datagrok.platform.datagrok_connection': {
        'url': prod.url, 'api_key': prod.admin_key, 'connections': items}}
    run = ansible([{'hosts': 'all', 'gather_facts': False, 'tasks': [provision]}], json=True)
    assert run.rc == 0, run.text[-3000:]
    assert [c['id'] == conn_id for c in prod.connections()] == [same_id]

    # What the CLI carries over: dev's connection as dev holds it, id included.
    (tmp_path / 'promoted.json').write_text(json.dumps(dev.api('GET', '/public/v1/connections/' + conn_id)), encoding='utf-8')
    saved = ok_json(grok(prod)('connections', 'save', '--json', str(tmp_path / 'promoted.json'), '--output', 'json'))
    assert saved['id'] == conn_id
    assert sorted(c['name'] for c in prod.connections()) == (['Promoted'] if same_id else ['Promoted', 'Promoted_1'])
