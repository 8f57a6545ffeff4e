# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Validation: every check of the input, for every module and the role: before any request, and the few that
need the connection read first (``read_errors``).

Each answer is a list of one-line problems, naming the option (and the item, in a list) and what is allowed; no
value that may be a secret is ever shown. ``_module.py`` turns them into the task's failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import os
import re

from ansible_collections.datagrok.platform.plugins.module_utils._api import url_problem
from ansible_collections.datagrok.platform.plugins.module_utils._catalogue import missing_required, parameter_errors
from ansible_collections.datagrok.platform.plugins.module_utils._names import data_source_error, name_error
from ansible_collections.datagrok.platform.plugins.module_utils._shares import canonical_access


# Datagrok's entity ids are UUIDs (python-api datagrok_api/models/model.py: ensure_id makes one).
ENTITY_ID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def server_option_errors(options):
    """``(option, problem)`` for each of the options every plugin takes to reach the server (``url``, ``api_key``,
    ``validate_certs``, ``ca_path``, ``timeout``, ``retries``) that cannot work, in that order."""
    problems = []
    problem = url_problem(options['url'])
    if problem:
        problems.append(('url', problem))
    if not (options['api_key'] or '').strip():
        problems.append(('api_key', 'must not be empty (set api_key, or the DATAGROK_API_KEY environment variable)'))
    ca_path = options['ca_path']
    if options['validate_certs'] and ca_path and not os.path.exists(ca_path):
        problems.append(('ca_path', 'no such file or directory: %s' % ca_path))
    if options['timeout'] <= 0:
        problems.append(('timeout', 'must be a number of seconds greater than 0, got %s' % options['timeout']))
    if options['retries'] < 0:
        problems.append(('retries', 'must be 0 or more, got %s' % options['retries']))
    return problems


def data_source_errors(item, creating=False):
    """The data source of ``item`` and the keys of its parameters and credentials; ``creating`` also asks for the
    parameters the data source needs (datagrok_connection knows whether it creates only once it has read)."""
    source = item['data_source']
    problem = data_source_error(source, item.get('allow_unknown_data_source'))
    if problem:
        return ['data_source: ' + problem]
    errors = parameter_errors(source, item.get('parameters'), item.get('credentials'), item.get('allow_unknown_parameters'))
    missing = missing_required(source, item.get('parameters')) if creating else None
    return errors + (['parameters: ' + missing] if missing else [])


def item_shape_errors(items, options):
    """What is wrong with the shape of each item of a list option whose items take ``options``, one entry per item at
    fault, naming it by index and name. Values are not shown: an item may hold secrets anywhere."""
    problems = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        label = 'connections[%d]' % index
        if isinstance(item, dict) and isinstance(item.get('name'), str):
            label += ' (%s)' % item['name']
        found = _key_errors(item, options)
        if found:
            problems.append('%s: %s' % (label, ', '.join(found)))
    return problems


def _key_errors(item, options, prefix=''):
    """Keys ``item`` does not know (with the nearest known one), values outside a choice, missing required keys;
    and so on in its lists of sub-options (shares)."""
    if not isinstance(item, dict):
        return ['%s must be a mapping of options' % prefix.rstrip('.') if prefix else 'must be a mapping of options']
    found = []
    for key in sorted(set(item) - set(options), key=str):
        near = difflib.get_close_matches(str(key), list(options), n=1)
        found.append("unknown key '%s%s'%s" % (prefix, key, (" (did you mean '%s'?)" % near[0]) if near else ''))
    for key, spec in sorted(options.items()):
        value = item.get(key)
        if spec.get('required') and value is None:
            found.append('%s%s is required' % (prefix, key))
        elif spec.get('choices') and value is not None and value not in spec['choices']:
            # A choice holds no secret: the value given is shown.
            found.append("%s%s must be one of %s, got '%s'" % (prefix, key, ', '.join(spec['choices']), value))
        elif spec.get('options') and isinstance(value, list):
            for number, sub in enumerate(value):
                found.extend(_key_errors(sub, spec['options'], '%s[%d].' % (key, number)))
    return found


def item_errors(item):
    """Every problem with one item's options that can be known before any request."""
    errors = []
    problem = name_error(item.get('name'))
    if problem:
        errors.append('name: %s' % problem)
    if item.get('data_source'):
        errors.extend(data_source_errors(item))
    errors.extend(group_credentials_errors(item))
    errors.extend(previous_names_errors(item))
    if item.get('id') is not None and not ENTITY_ID.match(item['id']):
        errors.append("id: must be a UUID such as 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002, got '%s'" % item['id'])
    shares = item.get('shares') or []
    errors.extend(_group_list_errors('shares', shares))
    for share in shares:
        if canonical_access(share.get('access')) is None:
            errors.append("shares: access must be one of View, Edit (in any case), got '%s'" % share.get('access'))
    return errors


def previous_names_errors(item):
    """O(previous_names): valid names, none twice, none the name itself, and only for a connection that is present."""
    previous = item.get('previous_names') or []
    if previous and item.get('state') == 'absent':
        return ['previous_names: only with state present (a rename keeps the connection)']
    errors, seen = [], set([(item.get('name') or '').casefold()])
    for name in previous:
        problem = name_error(name)
        if problem:
            errors.append('previous_names: %s' % problem)
        elif name.casefold() in seen:
            errors.append("previous_names: '%s' is the name itself or listed twice" % name)
        seen.add((name or '').casefold())
    return errors


def group_credentials_errors(item):
    """O(group_credentials): one entry per group, none for All users (the connection's own set, O(credentials)),
    each a non-empty set of keys the data source knows; and O(group_credentials_mode=exact), which needs a list of a
    connection's sets that Datagrok does not serve."""
    entries = item.get('group_credentials') or []
    errors = []
    if entries and item.get('group_credentials_mode') == 'exact':
        errors.append("group_credentials_mode: exact would remove the sets of groups not listed, but Datagrok's API "
                      "shows each caller only the set of their own groups and lists no others, so they cannot be found; "
                      "use add (the default)")
    errors.extend(_group_list_errors('group_credentials', entries))
    if any(entry['group'].strip().casefold() == 'all users' for entry in entries):
        errors.append("group_credentials: group 'All users' holds the connection's own set: give it as credentials")
    for entry in entries:
        group = entry['group'].strip()
        if not isinstance(entry.get('credentials'), dict) or not entry['credentials']:
            errors.append("group_credentials: the credentials of group '%s' must be a non-empty mapping" % group)
    return errors + (_group_key_errors(item, item['data_source']) if item.get('data_source') and not errors else [])


def _group_list_errors(option, entries):
    """A list of ``{group, ...}`` (O(shares), O(group_credentials)): each group named, and once (ignoring case)."""
    errors, seen = [], set()
    for entry in entries:
        group = entry['group'].strip()
        if not group:
            errors.append('%s: group must not be empty' % option)
        elif group.casefold() in seen:
            errors.append("%s: group '%s' is listed twice" % (option, group))
        seen.add(group.casefold())
    return errors


def _group_key_errors(item, data_source):
    return ["group_credentials: group '%s': %s" % (entry['group'].strip(), e) for entry in item.get('group_credentials') or []
            for e in parameter_errors(data_source, None, entry['credentials'], item.get('allow_unknown_parameters'))]


def spec_errors(items, option=None):
    """datagrok_connection_test: problems with the connections to test that can be known before any request."""
    errors = []
    for index, item in enumerate(items):
        where = ('%s[%d]: ' % (option, index)) if option else ''
        if item.get('data_source'):
            # An unsaved connection gets the checks of a create in datagrok_connection.
            problem = '; '.join(data_source_errors(item, creating=True))
            if item.get('id'):
                problem = 'give either id (a saved connection) or data_source (an unsaved one), not both'
        elif item.get('parameters') is not None or item.get('credentials') is not None:
            problem = 'parameters and credentials describe an unsaved connection and need data_source'
        elif item.get('id'):
            problem = None if item['id'].strip() else 'id must not be empty'
        elif item.get('name') is not None:
            problem = name_error(item['name'])
            problem = problem and 'name: ' + problem
        else:
            problem = 'give name or id (a saved connection), or data_source (an unsaved one)'
        if problem:
            errors.append(where + problem)
    return errors


def read_errors(item, current, data_source, name):
    """What the catalogue refuses once the connection is read: the keys of an update that names no
    data_source (only now known), and a create without the parameters its data source needs."""
    errors = []
    if not item.get('data_source'):
        errors = parameter_errors(data_source, item.get('parameters'), item.get('credentials'),
                                  item.get('allow_unknown_parameters')) + _group_key_errors(item, data_source)
    elif current is None:
        missing = missing_required(data_source, item.get('parameters'))
        errors = ['parameters: ' + missing] if missing else []
    return ("Invalid option for connection '%s': %s" % (name, '; '.join(errors))) if errors else None


def namespace_error(name, short, namespace, home):
    """Why a create of ``name`` cannot land where it says: only in ``home``, the caller's namespace (None: unknown)."""
    if home is None or namespace is None or namespace.casefold() == home.casefold():
        return None
    # The server puts every new connection in the caller's namespace, whatever the name says.
    return ("Invalid option name: cannot create '%s': Datagrok creates connections in the namespace of the api_key's "
            "user (%s), so name it '%s%s' or '%s'" % (name, home, home, short, short))
