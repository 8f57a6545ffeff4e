#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: datagrok_connection_info
short_description: Read Datagrok data connections, and export them for adoption
version_added: 0.1.0
description:
  - Reads one connection by O(name) or O(id), or lists connections with filters, paging through all results.
  - Secrets never appear in the output, in any form.
  - With O(export=true), also returns each connection in exactly the input shape of
    M(datagrok.platform.datagrok_connection) (and of the C(datagrok.platform.connections) role), without secrets,
    so existing connections can be brought under management.
author:
  - Datagrok platform maintainers (@datagrok-ansible)
extends_documentation_fragment:
  - datagrok.platform.datagrok
  - datagrok.platform.datagrok.actiongroup
  - datagrok.platform.datagrok.info_module
options:
  name:
    description:
      - Read the connection with this name, V(Name) (in the namespace of the O(api_key)'s user) or
        V(Namespace:Name), ignoring case.
      - A missing connection gives RV(exists=false), not a failure.
      - Mutually exclusive with O(id) and the list filters.
    type: str
  id:
    description:
      - Read the connection with this id. Mutually exclusive with O(name) and the list filters.
    type: str
  text:
    description:
      - List connections matching the server's smart filter or free text, for example V(northwind) or
        V(dataSource = "Postgres").
      - Free text matches names, titles and descriptions on the server; it is not an exact name match.
    type: str
  data_source:
    description:
      - List connections of this data source only, for example V(Postgres) or V(MS SQL).
    type: str
  tags:
    description:
      - List connections that have all these tags.
    type: list
    elements: str
  namespace:
    description:
      - List connections in this namespace only, for example V(Admin:) (the trailing colon is optional).
    type: str
  include_shares:
    description:
      - Add each connection's own grants, as C(shares), a list of C(group) and C(access), and apart from them the
        grants it inherits from the projects that contain it, as C(inherited_shares), each with C(group), C(access) and
        C(from), the projects the group holds that access through. Inherited grants belong to their project;
        M(datagrok.platform.datagrok_connection) never revokes them, and O(export) leaves them out.
      - Reads Datagrok's internal C(/privileges/permissions) route, as the vendor CLI does; one request per connection,
        and one per group or project known only by its id (cached).
    type: bool
    default: false
  export:
    description:
      - Also return RV(exported), the connections in the input shape of M(datagrok.platform.datagrok_connection).
      - Secrets are left out; add O(datagrok.platform.datagrok_connection#module:credentials) yourself, with
        O(datagrok.platform.datagrok_connection#module:update_credentials=on_create) to adopt without rewriting them.
      - With O(include_shares=true), the exported items carry their C(shares) too.
      - Each item carries the connection's C(id), so applied to another instance it creates the connection under the
        same id (O(datagrok.platform.datagrok_connection#module:id)), as queries promoted with C(grok s migrate) expect.
    type: bool
    default: false
  max_workers:
    description:
      - How many share reads O(include_shares) sends at the same time.
    type: int
    default: 8
seealso:
  - module: datagrok.platform.datagrok_connection
    description: Create, update and delete connections; takes RV(exported) as O(datagrok.platform.datagrok_connection#module:connections).
  - module: datagrok.platform.datagrok_connection_test
    description: Test that connections really connect.
'''

EXAMPLES = r'''
- name: Does the connection exist?
  datagrok.platform.datagrok_connection_info:
    url: https://datagrok.example.com/api
    api_key: "{{ vault_datagrok_api_key }}"
    name: Admin:Northwind
  register: northwind

- name: All Postgres connections tagged "sales", with their shares
  datagrok.platform.datagrok_connection_info:
    data_source: Postgres
    tags: [sales]
    include_shares: true
  register: sales

- name: Adopt every connection of a namespace, then manage it from now on (reports no change)
  block:
    - name: Export
      datagrok.platform.datagrok_connection_info:
        namespace: "Admin:"
        export: true
        include_shares: true
      register: existing

    - name: Converge exactly what was exported
      datagrok.platform.datagrok_connection:
        connections: "{{ existing.exported }}"
'''

RETURN = r'''
exists:
  description: Whether the connection asked for by O(name) or O(id) exists (and is visible to the caller).
  returned: with O(name) or O(id)
  type: bool
  sample: true
connections:
  description:
    - The connections found, as the server returns them, with every secret replaced by V(********) and stored
      credential values dropped.
  returned: always
  type: list
  elements: dict
  sample:
    - '#type': DataConnection
      id: 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002
      name: Northwind
      namespace: 'Admin:'
      dataSource: Postgres
      parameters: {server: db.example.com, port: 5432, db: northwind, password: '********'}
      credentials: {parameters: {login: '********', password: '********'}, openParameters: {login: reader}}
      tags: [demo]
      shares: [{group: Analysts, access: View}]
      inherited_shares: [{group: Chemists, access: View, from: [Sales]}]
connections_by_name:
  description: The same connections, keyed by their full name (V(Namespace:Name)).
  returned: always
  type: dict
  sample: {'Admin:Northwind': {id: 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002, name: Northwind, dataSource: Postgres}}
exported:
  description: The connections in the input shape of M(datagrok.platform.datagrok_connection), without secrets.
  returned: when O(export=true)
  type: list
  elements: dict
  sample:
    - name: 'Admin:Northwind'
      id: 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002
      data_source: Postgres
      description: Sales demo database
      friendly_name: Northwind
      parameters: {server: db.example.com, port: 5432, db: northwind}
      tags: [demo]
      shares: [{group: Analysts, access: View}]
'''

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._connection.export import export_connection
from ansible_collections.datagrok.platform.plugins.module_utils._inspect.read import find_connection, shown
from ansible_collections.datagrok.platform.plugins.module_utils._module import DatagrokModule
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name


def main():
    filters = ('text', 'data_source', 'tags', 'namespace')
    module = DatagrokModule(
        argument_spec=dict(
            name=dict(type='str'), id=dict(type='str'),
            text=dict(type='str'), data_source=dict(type='str'), tags=dict(type='list', elements='str'),
            namespace=dict(type='str'),
            include_shares=dict(type='bool', default=False), export=dict(type='bool', default=False),
            max_workers=dict(type='int', default=8),
        ),
        mutually_exclusive=[('name', 'id')] + [(one, f) for one in ('name', 'id') for f in filters],
        supports_check_mode=True,
    )
    p = module.params
    single = p['name'] is not None or p['id'] is not None
    if p['id'] is not None and not p['id'].strip():
        module.fail(module.option_error('id', 'must not be empty'))
    if p['name'] is not None:
        module.check_name(p['name'])
    what = "connection '%s'" % (p['name'] or p['id']) if single else 'connections'
    try:
        if single:
            found = [c for c in [find_connection(module.client, p['name'], p['id'])] if c]
        else:
            found = module.client.search_connections(p['text'], p['data_source'], p['tags'], p['namespace'])
        grants = module.client.grants_of(found, p['max_workers']) if p['include_shares'] else None
    except DatagrokError as exc:
        module.fail('Cannot read %s: %s' % (what, exc))
    connections = [shown(conn, grants[i] if grants is not None else None) for i, conn in enumerate(found)]
    result = dict(changed=False, connections=connections,
                  connections_by_name=dict((grok_name(c), c) for c in connections))
    if single:
        result['exists'] = bool(found)
    if p['export']:
        result['exported'] = [export_connection(c, grants[i] if grants is not None else None) for i, c in enumerate(found)]
    module.exit_json(**result)


if __name__ == '__main__':
    main()
