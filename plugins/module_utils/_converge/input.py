# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The input of the modules: datagrok_connection's options (one definition for the single form and each item of the
bulk form) and every check of them, before any request, and the few that need the connection read first
(``read_errors``).

Each answer is a list of one-line problems, naming the option (and the item, in a list) and what is allowed; no
value that may be a secret is ever shown. ``module.py`` turns them into the task's failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import data_source_error, missing_required, parameter_errors
from ansible_collections.datagrok.platform.plugins.module_utils._connection.credentials import UPDATE_CREDENTIALS_DEFAULT
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import name_error
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import canonical_access
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError


# With `connections`, these top-level options are defaults for the items; the others belong on the items.
ITEM_DEFAULTS = ('state', 'allow_unknown_data_source', 'allow_unknown_parameters', 'parameters_mode', 'update_credentials',
                 'shares_mode', 'group_credentials_mode', 'id_mismatch', 'force')


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
        update_credentials=dict(type='str', default=UPDATE_CREDENTIALS_DEFAULT, choices=['when_changed', 'always', 'on_create']),
        tags=dict(type='list', elements='str'),
        shares=dict(type='list', elements='dict', options=dict(
            group=dict(type='str', required=True),
            access=dict(type='str', default='View'),  # View or Edit in any case: checked by item_errors
        )),
        shares_mode=dict(type='str', default='add', choices=['add', 'exact']),
        group_credentials=dict(type='list', elements='dict', options=dict(
            group=dict(type='str', required=True),
            # As credentials: its secret keys are masked by this module (_connection/secrets.py), not by no_log.
            credentials=dict(type='dict', required=True, no_log=False),
            update_credentials=dict(type='str', choices=['when_changed', 'always', 'on_create']),
        )),
        group_credentials_mode=dict(type='str', default='add', choices=['add', 'exact']),
    )


def connection_argument_spec():
    """The options of datagrok_connection, but the server options."""
    item = connection_item_spec()
    bulk_item = connection_item_spec()
    bulk_item['name']['required'] = True
    for option in ITEM_DEFAULTS:
        bulk_item[option].pop('default')
    spec = dict(item)
    spec.update(
        connections=dict(type='list', elements='dict', options=bulk_item),
        purge=dict(type='bool', default=False),
        scope=dict(type='dict', options=dict(namespace=dict(type='str'), tag=dict(type='str'))),
        max_workers=dict(type='int', default=8),
        save_plan=dict(type='path'),
        apply_plan=dict(type='path'),
        apply_plan_mode=dict(type='str', default='per_item', choices=['per_item', 'all_or_nothing']),
        plan_key=dict(type='str', no_log=True, fallback=(env_fallback, ['DATAGROK_PLAN_KEY'])),
    )
    return spec


def connection_items(params):
    """The items of datagrok_connection's input: the single form's one, or the bulk form's with the top-level defaults
    filled in. Raises ItemError naming the option at fault."""
    scope = params['scope'] or {}
    if params['name'] is not None:
        if params['purge']:
            raise ItemError('Invalid option purge: works only with connections')
        return [dict((k, params[k]) for k in connection_item_spec())]
    stray = [o for o in connection_item_spec() if o not in ITEM_DEFAULTS and params[o] is not None]
    if stray:
        raise ItemError('Invalid option %s: must be set on each item of connections, not next to it' % stray[0])
    if params['purge'] and not (scope.get('namespace') or scope.get('tag')):
        raise ItemError('Invalid option purge: needs a scope: set scope.namespace, scope.tag, or both')
    items = []
    for item in params['connections']:
        item = dict((k, v) for k, v in item.items() if v is not None)
        for option in ITEM_DEFAULTS:
            item.setdefault(option, params[option])
        if scope.get('tag') and item['state'] == 'present':
            item['ensure_tags'] = [scope['tag']]
        items.append(item)
    return items


# Datagrok's entity ids are UUIDs (python-api datagrok_api/models/model.py: ensure_id makes one).
ENTITY_ID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


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
    fault, naming it by index and name. Values are not shown: an item may hold secrets anywhere. When any item is
    misshapen, the option checks of the well-shaped ones (item_errors) come too, so that one round reports every
    fault."""
    labels, shapes = [], []
    for index, item in enumerate(items if isinstance(items, list) else []):
        label = 'connections[%d]' % index
        if isinstance(item, dict) and isinstance(item.get('name'), str):
            label += ' (%s)' % item['name']
        labels.append(label)
        shapes.append(_key_errors(item, options))
    if not any(shapes):
        return []
    problems = []
    for label, found, item in zip(labels, shapes, items):
        text = ', '.join(found) if found else '; '.join(item_errors(item))
        if text:
            problems.append('%s: %s' % (label, text))
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
