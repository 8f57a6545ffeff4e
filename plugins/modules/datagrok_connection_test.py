#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: datagrok_connection_test
short_description: Test that Datagrok data connections really connect
version_added: 0.1.0
description:
  - Asks the Datagrok server to connect to the data source of a saved connection (by O(name) or O(id), with the
    credentials the server stores), or of an unsaved one (O(data_source), O(parameters), O(credentials)) to check it
    before saving it.
  - Tests many connections at once with O(connections), through a pool of O(max_workers) threads.
  - An unsaved connection is checked first, before any request, as M(datagrok.platform.datagrok_connection) checks a
    new one. The data source must be known, and so must the parameter and credential keys (see
    O(allow_unknown_parameters)); the values must have the right types, and the parameters the data source needs
    must be there.
  - Never reports changed. Runs in check mode too, because a test writes nothing.
author:
  - Datagrok platform maintainers (@datagrok-ansible)
extends_documentation_fragment:
  - datagrok.platform.datagrok
  - datagrok.platform.datagrok.actiongroup
  - datagrok.platform.datagrok.info_module
options:
  name:
    description:
      - Test the saved connection with this name, V(Name) (in the namespace of the O(api_key)'s user) or
        V(Namespace:Name), ignoring case.
    type: str
  id:
    description:
      - Test the saved connection with this id.
    type: str
  data_source:
    description:
      - Test an unsaved connection of this data source, for example V(Postgres).
    type: str
  allow_unknown_data_source:
    description:
      - Accept a value of O(data_source) that this collection does not know.
    type: bool
    default: false
  allow_unknown_parameters:
    description:
      - Accept keys in O(parameters) and O(credentials) that the collection's catalogue does not list for the
        O(data_source), as in M(datagrok.platform.datagrok_connection).
    type: bool
    default: false
  parameters:
    description:
      - Parameters of the unsaved connection, as in M(datagrok.platform.datagrok_connection). They are checked
        against the collection's catalogue, and sent in its key spelling and types.
    type: dict
  credentials:
    description:
      - Credentials of the unsaved connection. Never returned or logged.
      - Only its secret keys (those the catalogue marks secret for the data source, such as C(password)) are hidden
        from the output, the server's message included, wherever their values stand as a whole word. The login
        stays readable, so a refusal such as C(password authentication failed for user "reader") names it.
    type: dict
  connections:
    description:
      - Test many connections. Each item is either a saved connection (C(name) or C(id)) or an unsaved one
        (C(data_source), C(parameters), C(credentials), and optionally C(name) as a label).
    type: list
    elements: dict
    suboptions:
      name:
        description: See O(name). With O(connections[].data_source), only a label.
        type: str
      id:
        description: See O(id).
        type: str
      data_source:
        description: See O(data_source).
        type: str
      allow_unknown_data_source:
        description: See O(allow_unknown_data_source).
        type: bool
        default: false
      allow_unknown_parameters:
        description: See O(allow_unknown_parameters).
        type: bool
        default: false
      parameters:
        description: See O(parameters).
        type: dict
      credentials:
        description: See O(credentials).
        type: dict
  fail_on_error:
    description:
      - Fail the task when a connection does not connect, with the server's message and the connection's name.
      - With V(false), the task succeeds and RV(ok) / RV(results[].ok) tell.
      - A server that cannot be used at all (unreachable, a TLS error, a wrong API key) fails the task whatever
        this option says, because no connection was tested.
      - Connections whose data source cannot be tested (the V(AWS) secrets manager) are reported with
        RV(results[].untestable=true) and RV(results[].ok=false), and never fail the task.
    type: bool
    default: true
  test_retries:
    description:
      - How many times to test again after a failed test, for example while a database is starting.
      - Only a test the server ran and that failed is repeated; a refused request (bad key, no permission) is not.
      - Not to be confused with O(retries), which retries HTTP requests the server could not answer.
    type: int
    default: 0
  test_delay:
    description:
      - Seconds to wait between two tests of O(test_retries).
    type: float
    default: 3
  max_workers:
    description:
      - How many connections O(connections) tests at the same time.
    type: int
    default: 4
seealso:
  - module: datagrok.platform.datagrok_connection
    description: Create, update and delete connections.
  - module: datagrok.platform.datagrok_connection_info
    description: Read connections.
'''

EXAMPLES = r'''
- name: Test a saved connection with the credentials stored on the server
  datagrok.platform.datagrok_connection_test:
    url: https://datagrok.example.com/api
    api_key: "{{ vault_datagrok_api_key }}"
    name: Admin:Northwind

- name: Check an unsaved connection before saving it, waiting up to a minute for the database
  datagrok.platform.datagrok_connection_test:
    data_source: Postgres
    parameters: {server: db.example.com, port: 5432, db: northwind}
    credentials: {login: reader, password: "{{ vault_northwind_password }}"}
    test_retries: 20
    test_delay: 3

- name: Test many, and look at the results instead of failing
  datagrok.platform.datagrok_connection_test:
    connections:
      - name: Northwind
      - name: Admin:Warehouse
    fail_on_error: false
  register: tests

- name: Show what does not connect
  ansible.builtin.debug:
    msg: "{{ tests.results | rejectattr('ok') | map(attribute='name') | list }}"
'''

RETURN = r'''
ok:
  description: Whether the connection connected (with O(connections), whether all of them did).
  returned: always
  type: bool
  sample: false
message:
  description: The server's answer, verbatim (V(ok) on success). Only for a single connection.
  returned: without O(connections)
  type: str
  sample: 'FATAL: password authentication failed for user "reader"'
elapsed:
  description: Seconds the test took, retries included. Only for a single connection.
  returned: without O(connections)
  type: float
  sample: 0.12
results:
  description: One entry per connection tested, in order (a single connection gives one entry).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The connection's full name, its id, or its label.
      type: str
    ok:
      description: Whether it connected.
      type: bool
    message:
      description: The server's answer, verbatim.
      type: str
    elapsed:
      description: Seconds, retries included.
      type: float
    attempts:
      description: How many tests were run.
      type: int
    untestable:
      description: Whether the data source cannot be tested (it is then not V(ok), but does not fail the task).
      type: bool
    skipped:
      description:
        - In check mode, whether a saved connection was not tested because it does not exist yet (a task before
          this one would create it). It is then not V(ok), but does not fail the task.
        - When every connection is skipped, the task shows as skipped.
      type: bool
  sample:
    - {name: 'Admin:Northwind', ok: true, message: ok, elapsed: 0.05, attempts: 1, untestable: false, skipped: false}
'''

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._module import DatagrokModule
from ansible_collections.datagrok.platform.plugins.module_utils._inspect.tester import ConnectionTester
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import spec_errors


def main():
    target = dict(
        name=dict(type='str'), id=dict(type='str'), data_source=dict(type='str'),
        allow_unknown_data_source=dict(type='bool', default=False),
        allow_unknown_parameters=dict(type='bool', default=False),
        parameters=dict(type='dict'), credentials=dict(type='dict', no_log=False),
    )
    spec = dict(target)
    spec.update(
        connections=dict(type='list', elements='dict', options=target),
        fail_on_error=dict(type='bool', default=True),
        test_retries=dict(type='int', default=0),
        test_delay=dict(type='float', default=3),
        max_workers=dict(type='int', default=4),
    )
    module = DatagrokModule(
        argument_spec=spec,
        required_one_of=[('name', 'id', 'data_source', 'connections')],
        mutually_exclusive=[('connections', 'name'), ('connections', 'id'), ('connections', 'data_source'), ('name', 'id'),
                            ('id', 'data_source')],
        supports_check_mode=True,
    )
    p = module.params
    items = p['connections'] if p['connections'] is not None else [dict((k, p[k]) for k in target)]
    problems = spec_errors(items, 'connections' if p['connections'] is not None else None)
    if p['test_retries'] < 0 or p['test_delay'] < 0:
        problems.append('test_retries and test_delay must be 0 or more')
    if problems:
        module.fail('Invalid option ' + '; '.join(problems))
    tester = ConnectionTester(module.client, retries=p['test_retries'], delay=p['test_delay'], check_mode=module.check_mode)
    try:
        results = tester.run(items, max_workers=p['max_workers'])
    except DatagrokError as exc:
        module.fail('Cannot test connections: %s' % exc)
    failed = [r for r in results if not r['ok'] and not r['untestable'] and not r['skipped']]
    output = dict(changed=False, ok=all(r['ok'] for r in results), results=results)
    if all(r['skipped'] for r in results):
        output['skipped'] = True  # shown as skipped, as a task that had nothing to do yet
    if p['connections'] is None:
        output.update(message=results[0]['message'], elapsed=results[0]['elapsed'])
    if failed and p['fail_on_error']:
        module.fail('; '.join("Connection '%s' test failed: %s" % (r['name'], r['message']) for r in failed), **output)
    module.exit_json(**output)


if __name__ == '__main__':
    main()
