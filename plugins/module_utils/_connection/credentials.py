# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Credentials: which sets to write, the connection's own (O(credentials)) and the groups' (O(group_credentials)),
and which could not be compared with what the server stores.

Datagrok keeps one credential set per group and connection, and hands each caller the set of one of their own
groups, All users last (help/govern/access-control/access-control.md, "Credentials management system"). The
connection's own set, the one saved with it, belongs to All users. No public route lists a connection's sets: the
vendor clients read only the caller's (python-api ``CredentialsClient.for_entity``, js-api
``CredentialsDataSource.forEntity``). So a group's stored set can be compared only when the one read for the caller
is that group's. Pure: reads nothing, writes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import canonical, find_key, same_value
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import (
    PASSWORD_PLACEHOLDER,
    SECRET_KEPT,
    SECRET_WRITTEN,
    is_placeholder,
    is_secret_key,
)

# Seeded on every instance (python-api datagrok_api/models/group.py, Group.ALL_USERS).
ALL_USERS = 'a4b45840-9a50-11e6-9cc9-8546b8bf62e6'

# O(update_credentials) of an item that does not say (the module's default too).
UPDATE_CREDENTIALS_DEFAULT = 'when_changed'


def credentials_policy(item):
    """When the item's secrets are written: O(update_credentials)."""
    return item.get('update_credentials') or UPDATE_CREDENTIALS_DEFAULT


# How a diff shows the stored set of a group that the api_key's user cannot read.
SET_NOT_SHOWN = '<not shown to the api_key user>'


def set_group(creds):
    """``(id, name)`` of the group that a credential set as read belongs to; ``(None, None)`` when it names none."""
    group = (creds or {}).get('group') if isinstance(creds, dict) else None
    if not isinstance(group, dict):
        return None, None
    return (group.get('id') or '').casefold() or None, group.get('name') or group.get('friendlyName')


def is_own_set(creds):
    """Whether a set as read is the connection's own (All users), or names no group (a server that does not say)."""
    group_id, name = set_group(creds)
    if group_id is None and name is None:
        return True
    return group_id == ALL_USERS or (name or '').casefold() == 'all users'


def shown_set(stored_creds, current):
    """The credential set the caller reads: the answer of credentials/for when it was read, else the one inside the
    connection as read (masked)."""
    return stored_creds if stored_creds is not None else (current or {}).get('credentials')


def own_credentials_plan(item, current, stored_creds, data_source):
    """``(body credentials or None, unverified keys, diff before, diff after)``.

    A secret shows as a marker; a key that is no secret (a login: Datagrok shows it in openParameters) as its value.
    """
    desired = item.get('credentials')
    if not desired:
        return None, [], None, None

    def view(values, marker):
        return dict((k, values.get(k) if not is_secret_key(k, data_source) else marker) for k in sorted(desired))
    if current is None:
        return dict(desired), [], None, view(desired, SECRET_WRITTEN)
    policy = credentials_policy(item)
    if policy == 'on_create':
        return None, [], None, None
    stored = dict((stored_creds or {}).get('parameters') or {})
    opened = (current.get('credentials') or {}).get('openParameters') or {}
    # The caller reads the set of one of their groups (above): when that is not the connection's own, the own set
    # cannot be compared at all.
    own = is_own_set(shown_set(stored_creds, current))
    changed_keys, unverified, shown_before = [], [], {}
    for key, value in desired.items():
        stored_key = find_key(key, stored)
        opened_key = find_key(key, opened)
        stored_value = stored[stored_key] if stored_key is not None else opened.get(opened_key) if opened_key is not None else None
        shown_before[key] = stored_value if own else None
        write, unknown = secret_write(policy, value, stored_value) if own else (policy == 'always', policy != 'always')
        changed_keys += [key] if write else []
        unverified += [key] if unknown else []
    if not changed_keys:
        return None, unverified, view(shown_before, SECRET_KEPT), view(desired, SECRET_KEPT)
    # Every credential given is sent again, and shows as written. One that could not be compared stays in the
    # unverified keys: it is written, but was not compared, so the run has not verified it. Keys the user did not
    # give are sent as the placeholder, so the server keeps them. Which keys exist shows in the stored credentials,
    # or else in the connection as read (masked); a placeholder with nothing stored behind it is dropped by the server.
    known = set(stored) | set((current.get('credentials') or {}).get('parameters') or {}) | set(opened)
    body = dict((k, PASSWORD_PLACEHOLDER) for k in known if find_key(k, desired) is None)
    body.update(desired)
    return body, unverified, view(shown_before, SECRET_KEPT), view(desired, SECRET_WRITTEN)


def compares_group_sets(item):
    """Whether an entry of the item's O(group_credentials) is compared with the stored set (V(when_changed))."""
    policy = credentials_policy(item)
    return any((entry.get('update_credentials') or policy) == 'when_changed' for entry in item.get('group_credentials') or [])


def group_credentials_plan(item, current, shown, groups, data_source):
    """``(writes, unverified groups, diff before, diff after)`` for the item's O(group_credentials).

    ``shown`` is the credential set read for the caller (credentials/for, or the connection's own ``credentials``),
    ``groups`` maps each group named (casefolded) to its Group JSON. ``writes`` are ``(group name, Group JSON,
    parameters)``: an entry is the group's whole set, so keys left out are dropped when it is written.
    """
    entries = item.get('group_credentials') or []
    default_policy = credentials_policy(item)
    shown_id, _name = set_group(shown)
    stored = dict((shown or {}).get('parameters') or {})
    writes, unverified, before, after = [], [], {}, {}
    for entry in sorted(entries, key=lambda e: e['group'].strip().casefold()):
        name = entry['group'].strip()
        group = groups[name.casefold()]
        desired = canonical(data_source, entry['credentials'])
        policy = entry.get('update_credentials') or default_policy
        readable = shown_id is not None and shown_id == (group.get('id') or '').casefold()
        if current is None:
            write = True
        elif policy == 'on_create':
            continue
        elif not readable:
            write = policy == 'always'
            unverified += [] if write else [name]
        else:
            write, unknown = _set_differs(policy, desired, stored)
            unverified += [name] if unknown else []
        if current is not None:
            before[name] = dict((k, SECRET_KEPT) for k in sorted(stored)) if readable else SET_NOT_SHOWN
        after[name] = dict((k, SECRET_WRITTEN if write else SECRET_KEPT) for k in sorted(desired))
        if not write and not readable:
            before[name] = after[name]  # nothing is known to change
        if write:
            writes.append((name, group, desired))
    return writes, unverified, before, after


def _set_differs(policy, desired, stored):
    """``(write, unverified)`` for a whole set read in full: it is written when a key differs, is missing, or is
    stored but not wanted."""
    extra = [k for k in stored if find_key(k, desired) is None]
    write, unknown = bool(extra) and policy != 'on_create', False
    for key, value in desired.items():
        stored_key = find_key(key, stored)
        key_write, key_unknown = secret_write(policy, value, stored[stored_key] if stored_key is not None else None)
        write, unknown = write or key_write, unknown or key_unknown
    return write, unknown and not write


def secret_status(desired, stored):
    """'same', 'differs' or 'unknown' (the server only shows a placeholder) for one secret value."""
    if stored is None:
        return 'differs'
    if is_placeholder(stored):
        return 'unknown'
    return 'same' if same_value(desired, stored) else 'differs'


def secret_write(policy, desired, stored):
    """``(write, unverified)`` for one secret under ``update_credentials``: whether it is sent, and whether it could
    not be compared (the server shows only a placeholder)."""
    if policy == 'always':
        return True, False
    if policy == 'on_create':
        return False, False
    status = secret_status(desired, stored)
    return status == 'differs', status == 'unknown'
