# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The shared argspec (mirrored by the ``datagrok.platform.datagrok`` doc fragment) and the module base."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.datagrok.platform.plugins.module_utils._api import (
    REQUESTS_IMPORT_ERROR,
    DatagrokClient,
    one_line,
    url_problem,
)
from ansible_collections.datagrok.platform.plugins.module_utils._model import name_error, secret_values


def datagrok_argument_spec():
    """The options every module of the collection takes."""
    return dict(
        url=dict(type='str', required=True, fallback=(env_fallback, ['DATAGROK_URL'])),
        api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['DATAGROK_API_KEY'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['DATAGROK_VALIDATE_CERTS'])),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
        retries=dict(type='int', default=3),
    )


def connection_item_spec():
    """The options of one connection, shared by the single form and each item of the bulk form."""
    return dict(
        name=dict(type='str'),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        data_source=dict(type='str'),
        allow_unknown_data_source=dict(type='bool', default=False),
        allow_unknown_parameters=dict(type='bool', default=False),
        description=dict(type='str'),
        friendly_name=dict(type='str'),
        parameters=dict(type='dict'),
        parameters_mode=dict(type='str', default='merge', choices=['merge', 'replace']),
        credentials=dict(type='dict', no_log=True),
        update_credentials=dict(type='str', default='when_changed', choices=['when_changed', 'always', 'on_create']),
        tags=dict(type='list', elements='str'),
        shares=dict(type='list', elements='dict', options=dict(
            group=dict(type='str', required=True),
            access=dict(type='str', default='View', choices=['View', 'Edit']),
        )),
        shares_mode=dict(type='str', default='add', choices=['add', 'exact']),
    )


class DatagrokModule(AnsibleModule):
    """AnsibleModule with the shared options, their checks, and one-line failures."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = datagrok_argument_spec()
        spec.update(argument_spec or {})
        super(DatagrokModule, self).__init__(argument_spec=spec, **kwargs)
        self._protect_inputs()
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        problem = url_problem(self.params['url'])
        if problem:
            self.fail(self.option_error('url', problem))
        if not self.params['api_key'].strip():
            # A blank key is no secret: keep Ansible from masking every space of the message with it.
            self.no_log_values.discard(self.params['api_key'])
            self.fail(self.option_error('api_key', 'must not be empty (set api_key, or the DATAGROK_API_KEY environment variable)'))
        ca_path = self.params['ca_path']
        if self.params['validate_certs'] and ca_path and not os.path.exists(ca_path):
            self.fail(self.option_error('ca_path', 'no such file or directory: %s' % ca_path))
        if self.params['timeout'] <= 0:
            self.fail(self.option_error('timeout', 'must be a number of seconds greater than 0, got %s' % self.params['timeout']))
        if self.params['retries'] < 0:
            self.fail(self.option_error('retries', 'must be 0 or more, got %s' % self.params['retries']))
        self._client = None

    @staticmethod
    def option_error(option, problem):
        return 'Invalid option %s: %s' % (option, problem)

    def fail(self, msg, **kwargs):
        self.fail_json(msg=one_line(msg), **kwargs)

    def fail_json(self, msg, **kwargs):
        # AnsibleModule's own argument checks fail before __init__ returns; the failure carries the
        # arguments, and so the secret parameters, which only this module knows to be secret.
        self._protect_inputs()
        super(DatagrokModule, self).fail_json(msg=msg, **kwargs)

    def _protect_inputs(self):
        """Scrub the secret parameters of the input: of the single form and of every item of O(connections)."""
        params = getattr(self, 'params', None) or {}
        items = [i for i in (params.get('connections') or []) if isinstance(i, dict)]
        for item in [params] + items:
            if isinstance(item.get('parameters'), dict):
                self.protect_parameters(item['parameters'], item.get('data_source'))

    def protect(self, values):
        """Scrub secret values from everything the module returns, -vvvv output included."""
        for value in values:
            if value and len(str(value)) > 1:
                self.no_log_values.add(str(value))

    def protect_parameters(self, params, data_source=None):
        self.protect(secret_values(params, data_source))

    def check_name(self, name, option='name'):
        problem = name_error(name)
        if problem:
            self.fail(self.option_error(option, problem))

    @property
    def client(self):
        if self._client is None:
            p = self.params
            self._client = DatagrokClient(p['url'], p['api_key'], validate_certs=p['validate_certs'],
                                          ca_path=p['ca_path'], timeout=p['timeout'], retries=p['retries'],
                                          pool_size=p.get('max_workers') or 8)
        return self._client
