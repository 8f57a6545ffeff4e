# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The base of every module: the server options, one-line failures, and secrets masked in all it returns."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.plugins.module_utils._client.http import REQUESTS_IMPORT_ERROR
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import SERVER_OPTIONS, server_argument_spec, server_option_problems
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import name_error
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import MASK, SecretScrubber, mask_parameters, secret_values
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import item_shape_errors
from ansible_collections.datagrok.platform.plugins.module_utils._errors import one_line


class DatagrokModule(AnsibleModule):
    """AnsibleModule with the shared options, their checks, and one-line failures."""

    def __init__(self, argument_spec=None, **kwargs):
        # Secrets are masked by this module, not by Ansible's no_log, which would garble names (_connection/secrets.py).
        self._secrets = SecretScrubber(MASK)
        spec = server_argument_spec()
        spec.update(argument_spec or {})
        super(DatagrokModule, self).__init__(argument_spec=spec, **kwargs)
        self._protect_inputs()
        if REQUESTS_IMPORT_ERROR is not None:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        for option, problem in server_option_problems(self.params):
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
            servers = dict((name, self.params[name]) for name in SERVER_OPTIONS)
            self._client = DatagrokClient(pool_size=self.params.get('max_workers') or 8, **servers)
        return self._client
