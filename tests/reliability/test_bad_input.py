"""Reliability suite, bad input: every refused input gets a clear one-line error and writes nothing.

One table, :data:`MODULE_CASES` and :data:`ROLE_CASES`, of bad inputs to the three modules and to the
``datagrok.platform.connections`` role: wrong types, unknown options, unknown data sources, empty and
unaddressable names, invalid access levels and states, URLs without a scheme or host, negative timeouts and
retries, an empty API key, a missing CA file, purge without a scope, duplicate names in one list, parameter
typos, and malformed role inventories (``datagrok_connections`` not a list, an item without ``name``, a wrong
``state``, ``parameters`` as a string, ...).

The whole table runs in ONE ansible-playbook run against one emulator:

* module cases: a play over a few hosts, each looping over its share of the cases (``args: "{{ item.args }}"``
  with ``ignore_errors``), so the cases run in parallel forks;
* role cases: one inventory host per case, whose host variables are the malformed inventory, and a play that
  applies the role to all of them (as a real inventory would); each host fails on its own.

Every case asserts: the task failed; its message is a single line, names the option and says what is wrong
(the expected substrings); no traceback and no module crash. The emulator's request log then shows that no
write was sent at all, and that the cases validated before any request (``requests='none'``, every case but a
few) sent no request: those cases address the server as ``<url>/api``, the others as ``<url>``, so the request
log's raw paths tell the two groups apart. A seeded connection stays exactly as it was.

ansible-core's role argument validation (``meta/argument_specs.yml``) reports its errors as
``Validation of arguments failed:`` followed by one line per error; for those cases each error line is checked
(one line, naming the option), since the header line is ansible-core's own.
"""
from __future__ import annotations

import json

from datagrok_emulator.process import WRITE_METHODS

from datagrok_testkit import ADMIN_KEY

CONNECTION, INFO, TEST = 'datagrok_connection', 'datagrok_connection_info', 'datagrok_connection_test'
PG = {'server': 'db.example.com', 'db': 'northwind'}
SEEDED = 'Seeded'  # an existing Postgres connection, for the cases that update it

# (case id, module, args, expected substrings of msg, requests): requests is 'none' when the module must refuse
# before any request, 'reads' when it may read (GET) first because the problem is only known from the server.
MODULE_CASES = [
    # --- datagrok_connection: types and unknown options -----------------------------------------------------
    ('conn-parameters-list', CONNECTION, {'name': 'x', 'parameters': [1, 2]}, ['parameters', 'dict'], 'none'),
    ('conn-unknown-option', CONNECTION, {'name': 'x', 'hostname': 'db'}, ['Unsupported parameters', 'hostname'], 'none'),
    ('conn-item-unknown-option', CONNECTION, {'connections': [{'name': 'x', 'server': 'db'}]},
     ["connections[0] (x): unknown key 'server'"], 'none'),
    # --- datagrok_connection: names -------------------------------------------------------------------------
    ('conn-name-empty', CONNECTION, {'name': ''}, ['name', 'must not be empty'], 'none'),
    ('conn-name-dot', CONNECTION, {'name': 'Sales.Q1', 'data_source': 'S3'}, ['name', 'cannot be addressed', "'.'"], 'none'),
    ('conn-item-without-name', CONNECTION, {'connections': [{'data_source': 'S3'}]},
     ['Invalid option connections: connections[0]: name is required'], 'none'),
    ('conn-duplicate-names', CONNECTION, {'connections': [{'name': 'Dup', 'data_source': 'S3'}, {'name': 'dup', 'state': 'absent'}]},
     ['connections', 'connections[0] and connections[1] both name'], 'none'),
    ('conn-duplicate-names-resolved', CONNECTION, {'connections': [{'name': 'Twin', 'state': 'absent'}, {'name': 'Admin:twin', 'state': 'absent'}]},
     ['connections', 'connections[0] and connections[1] both name'], 'reads'),
    ('conn-create-foreign-namespace', CONNECTION, {'name': 'Alice:New', 'data_source': 'S3', 'parameters': {'bucket': 'b', 'region': 'r'}},
     ['name', "namespace of the api_key's user (Admin:)"], 'reads'),
    # --- datagrok_connection: choices -----------------------------------------------------------------------
    ('conn-state-invalid', CONNECTION, {'name': 'x', 'state': 'gone'}, ['state', 'present, absent', 'gone'], 'none'),
    ('conn-access-invalid', CONNECTION, {'name': 'x', 'shares': [{'group': 'Analysts', 'access': 'Admin'}]},
     ['access', 'View, Edit', 'Admin', 'shares'], 'none'),
    ('conn-share-group-twice', CONNECTION, {'name': 'x', 'shares': [{'group': 'Analysts'}, {'group': 'analysts', 'access': 'Edit'}]},
     ['shares', "'analysts' is listed twice"], 'none'),
    ('conn-share-group-unknown', CONNECTION, {'name': SEEDED, 'shares': [{'group': 'Nobody Here'}]},
     ['shares', "'Nobody Here' does not exist"], 'reads'),
    # --- datagrok_connection: data sources and parameters ---------------------------------------------------
    ('conn-data-source-case', CONNECTION, {'name': 'x', 'data_source': 'postgres'},
     ['data_source', "'postgres' is not a known data source", "Did you mean 'Postgres'?", 'allow_unknown_data_source'], 'none'),
    ('conn-parameter-typo', CONNECTION, {'name': 'x', 'data_source': 'Postgres', 'parameters': {'host': 'db'}},
     ['parameters', 'host', 'server'], 'none'),
    ('conn-parameter-type', CONNECTION, {'name': 'x', 'data_source': 'Postgres', 'parameters': dict(PG, port='abc')},
     ['port', 'abc'], 'none'),
    ('conn-parameter-typo-on-update', CONNECTION, {'name': SEEDED, 'parameters': {'hots': 'db2'}},
     ['parameters', 'hots'], 'reads'),
    ('conn-create-missing-required', CONNECTION, {'name': 'Fresh', 'data_source': 'Postgres', 'parameters': {'db': 'x'}},
     ['parameters', 'server', 'connString'], 'reads'),
    # --- datagrok_connection: bulk-only options -------------------------------------------------------------
    ('conn-purge-without-scope', CONNECTION, {'connections': [{'name': 'x', 'state': 'absent'}], 'purge': True},
     ['purge', 'scope'], 'none'),
    ('conn-item-option-beside-connections', CONNECTION, {'connections': [{'name': 'x'}], 'description': 'd'},
     ['description', 'each item of connections'], 'none'),
    # --- shared options (every module) ----------------------------------------------------------------------
    ('conn-url-no-scheme', CONNECTION, {'name': 'x', 'url': '127.0.0.1:8082'}, ['url', 'http:// or https://', '127.0.0.1:8082'], 'none'),
    ('conn-url-no-host', CONNECTION, {'name': 'x', 'url': 'https://'}, ['url', 'host'], 'none'),
    ('conn-timeout-negative', CONNECTION, {'name': 'x', 'timeout': -5}, ['timeout', 'greater than 0', '-5'], 'none'),
    ('conn-retries-negative', CONNECTION, {'name': 'x', 'retries': -1}, ['retries', '0 or more'], 'none'),
    ('conn-api-key-empty', CONNECTION, {'name': 'x', 'api_key': ' '}, ['api_key', 'must not be empty', 'DATAGROK_API_KEY'], 'none'),
    ('conn-ca-path-missing', CONNECTION, {'name': 'x', 'ca_path': '/nonexistent/datagrok-ca.pem'},
     ['ca_path', '/nonexistent/datagrok-ca.pem', 'no such file'], 'none'),
    # --- datagrok_connection_info ---------------------------------------------------------------------------
    ('info-name-and-id', INFO, {'name': 'x', 'id': 'y'}, ['mutually exclusive', 'name|id'], 'none'),
    ('info-id-empty', INFO, {'id': ' '}, ['id', 'must not be empty'], 'none'),
    ('info-name-dot', INFO, {'name': 'Sales.Q1'}, ['name', 'cannot be addressed'], 'none'),
    ('info-include-shares-str', INFO, {'include_shares': 'maybe'}, ['include_shares', 'boolean'], 'none'),
    ('info-unknown-option', INFO, {'filter': 'x'}, ['Unsupported parameters', 'filter'], 'none'),
    # --- datagrok_connection_test ---------------------------------------------------------------------------
    ('test-nothing', TEST, {}, ['one of the following is required', 'name', 'data_source', 'connections'], 'none'),
    ('test-id-and-data-source', TEST, {'id': 'y', 'data_source': 'S3'}, ['mutually exclusive', 'id|data_source'], 'none'),
    ('test-data-source-case', TEST, {'data_source': 'MySql'}, ['data_source', "Did you mean 'MySQL'?"], 'none'),
    ('test-parameters-without-data-source', TEST, {'name': 'x', 'parameters': {'server': 'db'}},
     ['parameters and credentials', 'need data_source'], 'none'),
    ('test-missing-required', TEST, {'data_source': 'S3', 'parameters': {'region': 'eu'}}, ['parameters', 'bucket'], 'none'),
    ('test-retries-negative', TEST, {'name': 'x', 'test_retries': -1}, ['test_retries', '0 or more'], 'none'),
    ('test-item-empty', TEST, {'connections': [{}]}, ['connections[0]', 'give name or id'], 'none'),
]

# (case id, host variables (the malformed inventory), expected substrings): the role refuses before any request.
ROLE_CASES = [
    ('role-connections-string', {'datagrok_connections': 'Northwind'}, ['datagrok_connections', 'must be a list of connections', 'got text']),
    ('role-connections-dict', {'datagrok_connections': {'name': 'Northwind'}}, ['datagrok_connections', 'must be a list', 'got a mapping']),
    ('role-item-without-name', {'datagrok_connections': [{'data_source': 'S3'}]}, ['datagrok_connections[0]: name is required']),
    ('role-item-state', {'datagrok_connections': [{'name': 'x', 'state': 'gone'}]}, ['state', 'present, absent', 'gone']),
    ('role-item-parameters-string', {'datagrok_connections': [{'name': 'x', 'parameters': 'server db'}]}, ['parameters', 'dict']),
    ('role-item-unknown-key', {'datagrok_connections': [{'name': 'x', 'host': 'db'}]}, ["datagrok_connections[0] (x): unknown key 'host'"]),
    ('role-item-access', {'datagrok_connections': [{'name': 'x', 'shares': [{'group': 'Analysts', 'access': 'Owner'}]}]},
     ['access', 'View, Edit', 'Owner']),
    ('role-update-credentials', {'datagrok_connections_update_credentials': 'never'}, ['datagrok_connections_update_credentials', 'always']),
    ('role-validate-certs', {'datagrok_validate_certs': 'maybe'}, ['datagrok_validate_certs', 'boolean']),
    ('role-data-source', {'datagrok_connections': [{'name': 'x', 'data_source': 'postgres'}]},
     ['datagrok_connections[0] (x)', 'data_source', "Did you mean 'Postgres'?"]),
    ('role-duplicate-names', {'datagrok_connections': [{'name': 'Dup', 'state': 'absent'}, {'name': 'DUP', 'state': 'absent'}]},
     ['datagrok_connections[0] and datagrok_connections[1] both name']),
    ('role-purge-without-scope', {'datagrok_connections_purge': True, 'datagrok_connections': [{'name': 'x', 'state': 'absent'}]},
     ['purge', 'datagrok_connections_scope.namespace, datagrok_connections_scope.tag']),
    ('role-url-no-scheme', {'datagrok_url': 'datagrok.example.com'}, ['url', 'http:// or https://']),
]

MODULES = (CONNECTION, INFO, TEST)
MODULE_HOSTS = ('m0', 'm1', 'm2')  # the module cases run in parallel, a third on each
FORKS = 8


def module_case_play(cases, hosts=MODULE_HOSTS):
    """A play that runs each case once, round-robin over ``hosts``, and its extra vars.

    ``cases`` are dicts: ``id``, ``module`` (short name), ``args`` (all module options) and optionally ``env``
    (environment of that call). Every call has ``ignore_errors``; :func:`case_results` collects the results.
    """
    per_host = dict((module, dict((host, []) for host in hosts)) for module in MODULES)
    for index, case in enumerate(cases):
        per_host[case['module']][hosts[index % len(hosts)]].append(case)
    tasks = [{
        'name': module,
        'datagrok.platform.' + module: None,
        'args': '{{ item.args }}',
        'environment': '{{ item.env | default({}) }}',
        'loop': '{{ module_cases[%r][inventory_hostname] }}' % module,
        'loop_control': {'label': '{{ item.id }}'},
        'ignore_errors': True,
    } for module in MODULES]
    play = {'name': 'module cases', 'hosts': 'module_cases', 'gather_facts': False, 'tasks': tasks}
    return play, {'module_cases': per_host}


def module_case_inventory(hosts=MODULE_HOSTS, **groups):
    """Local hosts for :func:`module_case_play`, plus other groups ({group: {host: vars}})."""
    children = {'module_cases': {'hosts': dict((host, {}) for host in hosts)}}
    children.update((group, {'hosts': members}) for group, members in groups.items())
    return {'all': {'vars': {'ansible_connection': 'local'}, 'children': children}}


def case_results(run):
    """{case id: result of that call} over every module task and host."""
    found = {}
    for module in MODULES:
        for host_result in run.task_results(module):
            for item in host_result.get('results', []):
                found[item['item']['id']] = item
    return found


def build_run(url):
    """The playbook, inventory and extra vars of the single run that holds the whole table."""
    cases = []
    for case_id, module, args, _expected, requests in MODULE_CASES:
        full = {'url': url + '/api' if requests == 'none' else url, 'api_key': ADMIN_KEY}
        full.update(args)
        cases.append({'id': case_id, 'module': module, 'args': full})
    play, extra_vars = module_case_play(cases)
    role_hosts = {}
    for case_id, hostvars, _expected in ROLE_CASES:
        role_hosts[case_id] = dict(datagrok_url=url + '/api', datagrok_api_key=ADMIN_KEY)
        role_hosts[case_id].update(hostvars)
    playbook = [
        play,
        # Last: every host of this play fails, which ends the run.
        {'name': 'role cases', 'hosts': 'role_cases', 'gather_facts': False, 'roles': ['datagrok.platform.connections']},
    ]
    return playbook, module_case_inventory(role_cases=role_hosts), extra_vars


def role_failures(run):
    """{host: (task name, result)} of the first failed task of each role-case host."""
    found = {}
    for play in run.document.get('plays', []):
        for task in play.get('tasks', []):
            for host, result in task['hosts'].items():
                if result.get('failed') and host not in found:
                    found[host] = (task['task']['name'], result)
    return found


def problems_with(msg, expected):
    """What is wrong with a failure message: not one line, a traceback, a missing expected substring."""
    problems = []
    if not isinstance(msg, str) or not msg.strip():
        return ['no message: %r' % (msg,)]
    if '\n' in msg or '\r' in msg:
        problems.append('not one line')
    if 'Traceback' in msg or 'MODULE FAILURE' in msg:
        problems.append('a crash')
    problems.extend('lacks %r' % part for part in expected if part not in msg)
    return problems


def test_bad_input_table(start_emulator, ansible):
    assert len(MODULE_CASES) + len(ROLE_CASES) >= 30
    assert len(set(c[0] for c in MODULE_CASES + ROLE_CASES)) == len(MODULE_CASES) + len(ROLE_CASES), 'case ids must be unique'
    server = start_emulator()
    server.api('POST', '/public/v1/connections?saveCredentials=false',
               {'name': SEEDED, 'dataSource': 'Postgres', 'parameters': dict(PG, port=5432)})
    before = server.connections()
    mark = server.mark()

    playbook, inventory, extra_vars = build_run(server.url)
    run = ansible(playbook, inventory=inventory, extra_vars=extra_vars, json=True, env={'ANSIBLE_FORKS': str(FORKS)})
    assert run.document is not None, run.text[-3000:]
    assert 'Traceback' not in run.stderr, run.stderr[-3000:]

    failures = []
    results = case_results(run)
    for case_id, module, _args, expected, _requests in MODULE_CASES:
        result = results.get(case_id)
        if result is None:
            failures.append('%s: no result' % case_id)
            continue
        problems = [] if result.get('failed') else ['did not fail']
        problems += problems_with(result.get('msg'), expected)
        if 'Traceback' in json.dumps(result) or 'module_stderr' in result:
            problems.append('a traceback in the result')
        if problems:
            failures.append('%s (%s): %s; msg=%r' % (case_id, module, ', '.join(problems), result.get('msg')))

    refused = role_failures(run)
    for case_id, _hostvars, expected in ROLE_CASES:
        if case_id not in refused:
            failures.append('%s: the role did not fail' % case_id)
            continue
        task, result = refused[case_id]
        if 'Traceback' in json.dumps(result):
            failures.append('%s: a traceback in the result of %r' % (case_id, task))
        if 'Validating arguments against arg spec' in task:
            # ansible-core: "Validation of arguments failed:" and one line per error (argument_errors).
            errors = result.get('argument_errors') or []
            if not errors or not result.get('msg', '').startswith('Validation of arguments failed:'):
                failures.append('%s: unexpected argument validation result %r' % (case_id, result.get('msg')))
            elif any('\n' in error for error in errors) or not any(not problems_with(error, expected) for error in errors):
                failures.append('%s: no one-line error with %r among %r' % (case_id, expected, errors))
        else:
            problems = problems_with(result.get('msg'), expected)
            if not task.endswith(' : Stop when the module ran no connection') or problems:
                failures.append('%s: failed in %r: %s; msg=%r' % (case_id, task, ', '.join(problems), result.get('msg')))
    assert not failures, '\n'.join(failures)

    requests = server.requests_since(mark)
    assert [r for r in requests if r['method'] in WRITE_METHODS] == [], 'a bad input sent a write'
    assert [r for r in requests if r['path'].startswith('/api/')] == [], \
        'a case that must be refused before any request sent one'
    # The cases allowed to read did read: the split by path really separates the two groups.
    assert any(r['method'] == 'GET' for r in requests)
    assert server.connections() == before
