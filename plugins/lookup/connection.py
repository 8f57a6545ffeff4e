# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: connection
short_description: Read Datagrok data connections inside a template
version_added: 0.1.0
description:
  - Returns Datagrok data connections, each as M(datagrok.platform.datagrok_connection_info) returns it in
    RV(datagrok.platform.datagrok_connection_info#module:connections), with every secret masked.
  - With terms, returns the connection of each name given. Without terms, returns every connection that matches
    the filters O(text), O(data_source), O(tags) and O(namespace) (all of them, when none is given).
  - It reads only; it sends no write to the server. It uses the same client as the modules, with the same options,
    environment variables and error messages.
author:
  - Datagrok platform maintainers (@datagrok-ansible)
extends_documentation_fragment:
  - datagrok.platform.datagrok
  - datagrok.platform.datagrok.plugins
options:
  _terms:
    description:
      - Names of the connections to read, V(Name) (in the namespace of the O(api_key)'s user) or
        V(Namespace:Name), ignoring case.
      - Mutually exclusive with the filters.
    type: list
    elements: str
    required: false
  on_missing:
    description:
      - What a name that matches no connection does, for each name on its own.
      - V(error) fails the lookup, V(warn) warns and leaves the name out of the result, V(skip) leaves it out
        silently.
      - Errors of the server (unreachable, TLS, HTTP 401) fail the lookup whatever this says.
      - Not to be confused with C(errors=strict|warn|ignore), which every lookup takes from ansible-core and which
        decides what any failure of the whole lookup does, a missing name under O(on_missing=error) included. With
        C(errors='ignore') or C(errors='warn'), a failed lookup gives C(None), or C([]) from C(query()).
    type: str
    choices: [error, warn, skip]
    default: error
  text:
    description:
      - List the connections matching the server's smart filter or free text, as
        O(datagrok.platform.datagrok_connection_info#module:text) does.
    type: str
  data_source:
    description:
      - List the connections of this data source only, for example V(Postgres).
    type: str
  tags:
    description:
      - List the connections that have all these tags.
    type: list
    elements: str
  namespace:
    description:
      - List the connections in this namespace only, for example V(Admin:).
    type: str
  include_shares:
    description:
      - Add each connection's own grants, as C(shares), and those inherited from containing projects, as
        C(inherited_shares), as M(datagrok.platform.datagrok_connection_info) does.
    type: bool
    default: false
notes:
  - The lookup runs on the controller, where templates are rendered, whatever host the task runs on.
  - Use C(query()) (or C(wantlist=true)) to always get a list; C(lookup()) with one term gives the connection
    itself.
seealso:
  - module: datagrok.platform.datagrok_connection_info
'''

EXAMPLES = r'''
- name: Use a connection's server in a template (url and api_key from DATAGROK_URL and DATAGROK_API_KEY)
  ansible.builtin.debug:
    msg: "Northwind lives on {{ lookup('datagrok.platform.connection', 'Northwind').parameters.server }}"

- name: Several connections, with the server and key given
  ansible.builtin.set_fact:
    pipelines: "{{ query('datagrok.platform.connection', 'Admin:Orders', 'Admin:Billing',
                         url=datagrok_url, api_key=vault_datagrok_api_key) }}"

- name: Every Postgres connection tagged prod, by name
  ansible.builtin.debug:
    msg: "{{ query('datagrok.platform.connection', data_source='Postgres', tags=['prod']) | map(attribute='name') }}"

- name: Connections that may not exist yet are left out
  ansible.builtin.set_fact:
    present: "{{ query('datagrok.platform.connection', 'Legacy', 'Orders', on_missing='skip') }}"

- name: Any failure of the lookup gives None instead (ansible-core's own errors= keyword)
  ansible.builtin.set_fact:
    legacy: "{{ lookup('datagrok.platform.connection', 'Legacy', errors='ignore') }}"
'''

RETURN = r'''
_raw:
  description:
    - One connection per term that matched (terms that did not match are left out under O(on_missing=warn) and
      O(on_missing=skip)), or every connection matching the filters.
    - Each is the connection as the server holds it, with the values of secret parameters replaced by
      C(********) and stored credential values left out; with O(include_shares=true) also C(shares) and
      C(inherited_shares).
  type: list
  elements: dict
'''

from ansible.errors import AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.plugins.module_utils._client.http import REQUESTS_IMPORT_ERROR
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import SERVER_OPTIONS, server_option_problems
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._inspect.read import find_connection, shown
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import name_error

display = Display()

FILTERS = ('text', 'data_source', 'tags', 'namespace')
ON_MISSING = ('error', 'warn', 'skip')


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        # ansible-core checks a lookup option's choices in some contexts and not in others: one message either way.
        if kwargs.get('on_missing', 'error') not in ON_MISSING:
            raise AnsibleLookupError("Invalid option on_missing: must be one of %s, got '%s'" % (', '.join(ON_MISSING), kwargs['on_missing']))
        if REQUESTS_IMPORT_ERROR is not None:
            raise AnsibleLookupError(missing_required_lib('requests'))
        self.set_options(var_options=variables, direct=kwargs)
        options = dict((name, self.get_option(name)) for name in tuple(SERVER_OPTIONS) + FILTERS + ('on_missing', 'include_shares'))
        problems = ['Invalid option %s: %s' % problem for problem in server_option_problems(options)]
        given = [name for name in FILTERS if options[name]]
        if terms and given:
            problems.append('Invalid option %s: it lists connections, and cannot be combined with names to read' % given[0])
        for term in terms:
            problem = name_error(term) if isinstance(term, str) else 'must be text, got %s' % type(term).__name__
            if problem:
                problems.append("Invalid connection name %r: %s" % (term, problem))
        if problems:
            raise AnsibleLookupError(problems[0])
        client = DatagrokClient(**dict((name, options[name]) for name in SERVER_OPTIONS))
        found = [self._read(client, term, options['on_missing']) for term in terms] if terms else self._search(client, options)
        found = [conn for conn in found if conn is not None]
        try:
            grants = client.grants_of(found) if options['include_shares'] else None
        except DatagrokError as exc:
            raise AnsibleLookupError('Cannot read the shares of connections: %s' % exc)
        return [shown(conn, grants[index] if grants is not None else None) for index, conn in enumerate(found)]

    @staticmethod
    def _read(client, name, on_missing):
        try:
            conn = find_connection(client, name)
        except DatagrokError as exc:
            raise AnsibleLookupError("Cannot read connection '%s': %s" % (name, exc))
        if conn is None:
            message = "Connection '%s' does not exist on %s (or the api_key's user cannot see it)" % (name, client.base_url)
            if on_missing == 'error':
                raise AnsibleLookupError(message)
            if on_missing == 'warn':
                display.warning(message)
        return conn

    @staticmethod
    def _search(client, options):
        try:
            return client.search_connections(options['text'], options['data_source'], options['tags'], options['namespace'])
        except DatagrokError as exc:
            raise AnsibleLookupError('Cannot read connections: %s' % exc)
