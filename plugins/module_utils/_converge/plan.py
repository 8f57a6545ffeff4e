# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Planning: what one connection needs, decided from the item and what the server holds.

Pure: ``plan_connection`` reads nothing and writes nothing. Each helper returns what it decided, and the plan is
assembled from those answers in one place, so a plan is complete when it is returned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import canonical, find_key, is_server_default, same_value
from ansible_collections.datagrok.platform.plugins.module_utils._connection.credentials import (
    compares_group_sets,
    credentials_policy,
    secret_write,
    group_credentials_plan,
    own_credentials_plan,
    shown_set,
)
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name, split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import (
    SECRET_KEPT,
    SECRET_WRITTEN,
    is_secret_key,
    mask_connection,
    mask_value,
)
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import plan_shares
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import namespace_error, read_errors


class Plan(object):
    """What one connection needs: the save body, share grants and revocations, the diff."""

    def __init__(self, name, state, **decided):
        self.name = name
        self.state = state
        self.action = None          # 'create', 'update', 'delete' or None
        self.body = None
        self.save_credentials = False
        self.shares_to_add = []     # (group name, access)
        self.grants_to_revoke = []  # permission ids
        self.inherited_shares = None  # read-only: grants from containing projects
        self.group_credentials_writes = []  # (group name, Group JSON, parameters)
        self.credentials_verified = None
        self.unverified_keys = []
        self.unverified_groups = []
        self.before = {}
        self.after = {}
        self.error = None
        self.renamed_from = None    # the grok name a rename (previous_names) takes the connection from
        self.notice = None          # a warning for the user (an id kept under id_mismatch: adopt)
        self.refusal = None         # check mode: why the server would refuse the write (_access.py)
        self.prediction = None      # the connection as the server will hold it, secrets in clear: see predicted
        self.server_version = None  # the connection as read for this plan, as a saved plan records it (_saved_plan.py)
        for key, value in decided.items():
            if key not in vars(self):
                raise TypeError('Plan has no field %r' % key)
            setattr(self, key, value)

    def amended(self, **changes):
        """A copy of this plan with ``changes``: this one stays as it was."""
        fields = dict(vars(self), **changes)
        return Plan(fields.pop('name'), fields.pop('state'), **fields)

    @property
    def changed(self):
        return bool(self.action or self.shares_to_add or self.grants_to_revoke or self.group_credentials_writes)

    @property
    def reported_action(self):
        """The action a result reports: the save's, else 'share' when only shares change, else 'credentials' when only
        the sets of groups are written, else None."""
        if self.action:
            return self.action
        if self.shares_to_add or self.grants_to_revoke:
            return 'share'
        return 'credentials' if self.group_credentials_writes else None

    @property
    def predicted(self):
        """The connection after the plan, as a module may return it. Masked when asked for: only the single form's
        result shows it, and masking a copy of each of 10,000 connections costs more than planning them."""
        return mask_connection(self.prediction)


def _parameters_plan(item, current_params, data_source):
    """``(parameters to send, whether they differ from the server's, secret keys written, unverified keys)``."""
    desired = item.get('parameters')
    if desired is None:
        return dict(current_params), False, set(), []
    policy = credentials_policy(item)
    replace = item.get('parameters_mode') == 'replace'
    merged = {} if replace else dict(current_params)
    changed, written, unverified = False, set(), []
    for key, value in desired.items():
        existing = find_key(key, current_params)
        target = existing if existing is not None else key
        secret = is_secret_key(key, data_source)
        if existing is not None and secret:
            write, unknown = secret_write(policy, value, current_params[existing])
            merged[target] = value if write else current_params[existing]
            changed = changed or write
            written |= {target} if write else set()
            unverified += [key] if unknown else []
            continue
        if secret:
            written.add(target)
        merged[target] = value
        changed = changed or existing is None or not same_value(value, current_params[existing])
    if replace:
        for key, value in current_params.items():
            if find_key(key, desired) is not None:
                continue
            if is_secret_key(key, data_source) or is_server_default(value):
                merged[key] = value  # secrets follow update_credentials; defaults belong to the server
            else:
                changed = True
    return merged, changed, written, unverified


def _has_secrets(item, data_source):
    return bool(item.get('credentials')) or any(is_secret_key(k, data_source) for k in (item.get('parameters') or {}))


def field_view(conn, item, written=()):
    """The managed fields of a connection as a diff shows them; ``written`` are the secret parameters being sent."""
    view = {'name': grok_name(conn), 'data_source': conn.get('dataSource')}
    for option, field in (('description', 'description'), ('friendly_name', 'friendlyName')):
        if item.get(option) is not None:
            view[option] = conn.get(field)
    data_source = conn.get('dataSource')
    view['parameters'] = dict(
        (k, (SECRET_WRITTEN if k in written else SECRET_KEPT) if is_secret_key(k, data_source) and v not in (None, '')
         else mask_value(k, v, data_source))
        for k, v in (conn.get('parameters') or {}).items())
    if item.get('tags') is not None or item.get('ensure_tags'):
        view['tags'] = sorted(conn.get('tags') or [])
    return view


def _body(item, base, data_source, params, credentials):
    body = {
        '#type': 'DataConnection',
        'name': base['name'],
        'dataSource': data_source,
        'friendlyName': item['friendly_name'] if item.get('friendly_name') is not None else base.get('friendlyName'),
        'description': item['description'] if item.get('description') is not None else base.get('description'),
        'parameters': params,
        'tags': sorted(set(item['tags'] if item.get('tags') is not None else base.get('tags') or [])
                       | set(item.get('ensure_tags') or [])),
    }
    if base.get('id'):
        body['id'] = base['id']
    if credentials is not None:
        body['credentials'] = {'parameters': credentials}
    return body


def plan_connection(item, current, namespace, stored_creds=None, grants=None, groups=None, name=None, home=None):
    """Decide what ``item`` (the module's per-connection options) needs against ``current``.

    ``current`` is the server's connection (masked, as read) or None. ``namespace`` is the one the
    connection lives in (or will, for a create). ``stored_creds`` is the answer of credentials/for,
    ``grants`` the permission rows, ``groups`` maps each requested share group to its Group JSON.
    ``name`` is the grok name the plan reports (the item's name by default); ``home``, when given, is the
    namespace of the api_key's user, the only one a create can land in.
    """
    name, state = name or item['name'], item.get('state') or 'present'
    if state == 'absent':
        if current is None:
            return Plan(name, state)
        return Plan(name, state, action='delete', before=field_view(current, item), body={'id': current['id']})
    if current is None and not item.get('data_source'):
        # A connection the api_key's user may not see reads as missing (Datagrok answers 404 for both), so the
        # message says both before what a create would need.
        return Plan(name, state, error="Connection '%s' does not exist, or the api_key's user cannot see it; to create it, "
                                       "give data_source" % name)
    short = split_grok_name(name)[1]
    data_source = item.get('data_source') or current.get('dataSource')
    error = read_errors(item, current, data_source, grok_name(current) if current else (namespace or '') + short)
    if error:
        return Plan(name, state, error=error)
    item = dict(item, parameters=canonical(data_source, item.get('parameters')),
                credentials=canonical(data_source, item.get('credentials')))
    base = current or dict({'name': short, 'namespace': namespace, 'parameters': {}, 'tags': []},
                           **({'id': item['id'].lower()} if item.get('id') else {}))
    notice, wanted_id = None, item.get('id')
    if current is not None and wanted_id and wanted_id.casefold() != current['id'].casefold():
        found = "exists under id %s, not under the id given (%s)" % (current['id'], wanted_id)
        if item.get('id_mismatch') != 'adopt':
            return Plan(name, state, error="Cannot converge connection '%s': it %s; set id_mismatch: adopt to keep the existing "
                                           "one" % (name, found))
        notice = "Connection '%s' %s: kept, as id_mismatch is adopt" % (name, found)
    renamed_from = item.get('renamed_from') if current is not None else None
    if renamed_from:
        # Renamed in place: same id, credentials and shares. A friendly name that was the old name follows it.
        follows = (current.get('friendlyName') or current['name']) == current['name']
        base = dict(current, name=short, friendlyName=short if follows else current.get('friendlyName'))
    params, params_changed, written, unverified = _parameters_plan(item, base.get('parameters') or {}, data_source)
    credentials, creds_unverified, creds_before, creds_after = own_credentials_plan(item, current, stored_creds, data_source)
    unverified += creds_unverified
    group_writes, unverified_groups, groups_before, groups_after = group_credentials_plan(
        item, current, shown_set(stored_creds, current), groups or {}, data_source)
    body = _body(item, base, data_source, params, credentials)
    verified = None
    policy = credentials_policy(item)
    if current is not None and (policy == 'when_changed' and _has_secrets(item, data_source) or compares_group_sets(item)):
        # Verified: every secret given was compared with the stored value (written or not).
        verified = not unverified and not unverified_groups

    predicted = dict(base)
    predicted.update(body)
    if current is None and not predicted.get('friendlyName'):
        predicted['friendlyName'] = predicted['name']  # the server's default
    fields_changed = current is None or bool(renamed_from) or params_changed or any(
        not same_value(body[f], current.get(f)) for f in ('dataSource', 'friendlyName', 'description')
    ) or set(body['tags']) != set(current.get('tags') or [])
    action = ('create' if current is None else 'update') if fields_changed or credentials is not None else None
    error = namespace_error(name, short, namespace, home) if action == 'create' else None

    before = field_view(current, item) if current is not None else {}
    after = field_view(predicted, item, written)
    if creds_after is not None:
        if current is not None:
            before['credentials'] = creds_before
        after['credentials'] = creds_after
    if groups_after:
        if current is not None:
            before['group_credentials'] = groups_before
        after['group_credentials'] = groups_after
    shares = None
    if item.get('shares') is not None:
        shares = plan_shares(item['shares'], grants or [], groups or {}, item.get('shares_mode') == 'exact', current is not None)
        if current is not None:
            before['shares'] = shares.before
        after['shares'] = shares.after
        if shares.inherited:
            before['inherited_shares'] = after['inherited_shares'] = shares.inherited
    return Plan(name, state, error=error, action=action, body=body if action else None, save_credentials=credentials is not None,
                group_credentials_writes=group_writes, renamed_from=renamed_from, notice=notice,
                credentials_verified=verified, unverified_keys=unverified,
                unverified_groups=unverified_groups, prediction=predicted, before=before,
                after=after, shares_to_add=shares.to_add if shares else [], grants_to_revoke=shares.to_revoke if shares else [],
                inherited_shares=shares.inherited if shares else None)
