# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The shared argspec (mirrored by the ``datagrok.platform.datagrok`` doc fragment) and the module base."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.datagrok.platform.plugins.module_utils._api import DatagrokClient, one_line
from ansible_collections.datagrok.platform.plugins.module_utils._names import name_error
from ansible_collections.datagrok.platform.plugins.module_utils._secrets import MASK, mask_parameters, secret_values
from ansible_collections.datagrok.platform.plugins.module_utils._scrub import SecretScrubber
from ansible_collections.datagrok.platform.plugins.module_utils._validate import item_shape_errors, server_option_errors


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
        previous_names=dict(type='list', elements='str'),
        id=dict(type='str'),
        id_mismatch=dict(type='str', default='fail', choices=['fail', 'adopt']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force=dict(type='bool', default=False),
        data_source=dict(type='str'),
        allow_unknown_data_source=dict(type='bool', default=False),
        allow_unknown_parameters=dict(type='bool', default=False),
        description=dict(type='str'),
        friendly_name=dict(type='str'),
        parameters=dict(type='dict'),
        parameters_mode=dict(type='str', default='merge', choices=['merge', 'replace']),
        # Not no_log as a whole: a login is no secret (Datagrok shows it in openParameters). Its secret keys are.
        credentials=dict(type='dict', no_log=False),
        update_credentials=dict(type='str', default='when_changed', choices=['when_changed', 'always', 'on_create']),
        tags=dict(type='list', elements='str'),
        shares=dict(type='list', elements='dict', options=dict(
            group=dict(type='str', required=True),
            access=dict(type='str', default='View'),  # View or Edit in any case: checked by item_errors
        )),
        shares_mode=dict(type='str', default='add', choices=['add', 'exact']),
        group_credentials=dict(type='list', elements='dict', options=dict(
            group=dict(type='str', required=True),
            # As credentials: its secret keys are masked by this module (_secrets.py), not by no_log.
            credentials=dict(type='dict', required=True, no_log=False),
            update_credentials=dict(type='str', choices=['when_changed', 'always', 'on_create']),
        )),
        group_credentials_mode=dict(type='str', default='add', choices=['add', 'exact']),
    )


class DatagrokModule(AnsibleModule):
    """AnsibleModule with the shared options, their checks, and one-line failures."""

    def __init__(self, argument_spec=None, **kwargs):
        # Secrets are masked by this module, not by Ansible's no_log, which would garble names (_scrub.py).
        self._secrets = SecretScrubber(MASK)
        spec = datagrok_argument_spec()
        spec.update(argument_spec or {})
        super(DatagrokModule, self).__init__(argument_spec=spec, **kwargs)
        self._protect_inputs()
        for option, problem in server_option_errors(self.params):
            if option == 'api_key':
                # A blank key is no secret: keep Ansible from masking every space of the message with it.
                self.no_log_values.discard(self.params['api_key'])
            self.fail(self.option_error(option, problem))
        self._client = None

    def _load_params(self):
        super(DatagrokModule, self)._load_params()
        # A list handed over as text (an extra var given with -e key=value, a survey answer) reads as the
        # list it holds; Ansible would split it at commas and fail on each part without naming the option.
        for option in ('connections', 'shares', 'tags'):
            value = self.params.get(option)
            if isinstance(value, str) and value.strip().startswith('['):
                try:
                    parsed = json.loads(value)
                except ValueError as exc:  # the text itself may hold secrets: only where it breaks is shown
                    self.fail_json(msg=self.option_error(option, 'is text but not a JSON list (%s)' % exc))
                if isinstance(parsed, list):
                    self.params[option] = parsed
        # The items' shape, in one line that names each item at fault, before AnsibleModule's own checks, which name
        # neither the item nor the nearest key (and stop at the first).
        options = (self.argument_spec.get('connections') or {}).get('options')
        items = self.params.get('connections')
        if options and items is not None and not isinstance(items, list):
            self.fail_json(msg=self.option_error('connections', 'must be a list of connections (mappings), got %s'
                                                 % ('a mapping' if isinstance(items, dict) else 'text' if isinstance(items, str)
                                                    else type(items).__name__)))
        problems = item_shape_errors(items, options) if options else []
        if problems:
            self.fail_json(msg=self.option_error('connections', '; '.join(problems)))

    @staticmethod
    def option_error(option, problem):
        return 'Invalid option %s: %s' % (option, problem)

    def fail(self, msg, **kwargs):
        self.fail_json(msg=one_line(msg), **kwargs)

    def fail_json(self, msg, **kwargs):
        # AnsibleModule's own argument checks fail before __init__ returns; the failure carries the
        # arguments, and so the secret parameters, which only this module knows to be secret.
        self._protect_inputs()
        output = self._scrubbed(dict(kwargs, msg=msg))
        super(DatagrokModule, self).fail_json(msg=output.pop('msg'), **output)

    def exit_json(self, **kwargs):
        super(DatagrokModule, self).exit_json(**self._scrubbed(kwargs))

    def warn(self, warning):
        super(DatagrokModule, self).warn(self._secrets.scrub(warning))

    def _log_invocation(self):
        # AnsibleModule logs its arguments (syslog or the journal) before __init__ returns: masked by key too.
        self._protect_inputs()
        params, self.params = self.params, self._secrets.scrub(self._masked_params())
        try:
            super(DatagrokModule, self)._log_invocation()
        finally:
            self.params = params

    @staticmethod
    def _secret_holders(params):
        """(mapping, option, data source) for each dict of parameters or credentials: of the single form, of each item
        of O(connections), and of each of their O(group_credentials) entries (a group's set takes its connection's
        data source)."""
        items = [params] + [i for i in (params.get('connections') or []) if isinstance(i, dict)]
        holders = [(item, option, item.get('data_source')) for item in items for option in ('parameters', 'credentials')]
        holders += [(entry, 'credentials', item.get('data_source')) for item in items
                    for entry in item.get('group_credentials') or [] if isinstance(entry, dict)]
        return [(holder, option, source) for holder, option, source in holders if isinstance(holder.get(option), dict)]

    def _protect_inputs(self):
        """Register the secrets of the input."""
        for holder, option, data_source in self._secret_holders(getattr(self, 'params', None) or {}):
            self.protect_parameters(holder[option], data_source)

    def _masked_params(self):
        """The module's arguments as it may show them: every secret parameter and credential masked by key."""
        masked = dict(getattr(self, 'params', None) or {})
        if masked.get('api_key'):  # before the argument checks, Ansible knows no value to hide yet
            masked['api_key'] = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
        if isinstance(masked.get('connections'), str):
            masked['connections'] = '(text of %d characters)' % len(masked['connections'])
        if isinstance(masked.get('connections'), list):
            masked['connections'] = [dict(i) if isinstance(i, dict) else i for i in masked['connections']]
        # Copies all the way down to the dicts masked below: the module's own params stay as they are.
        for item in [masked] + [i for i in masked.get('connections') or [] if isinstance(i, dict)]:
            if isinstance(item.get('group_credentials'), list):
                item['group_credentials'] = [dict(e) if isinstance(e, dict) else e for e in item['group_credentials']]
        for holder, option, data_source in self._secret_holders(masked):
            holder[option] = mask_parameters(holder[option], data_source)
        return masked

    def _scrubbed(self, output):
        output.setdefault('invocation', {'module_args': self._masked_params()})
        return self._secrets.scrub(output)

    def protect(self, values):
        """Mask these secret values in everything the module returns, warns or logs, -vvvv output included."""
        for value in values:
            if value is not None:
                self._secrets.add(str(value))

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
