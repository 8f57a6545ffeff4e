# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What an item names besides its own connection, resolved before planning: the groups of its shares and group
credentials, the connection its previous names (a rename) point at, and whether the id it gives is free; and what
refers to its connection: the data queries that a delete would break. Each function is given what it reads from.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name, split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError, ItemError


def call(operation, name, func, *args):
    """``func(*args)``, a server error worded as the failure of ``operation`` on connection ``name``."""
    try:
        return func(*args)
    except DatagrokError as exc:
        what = ("connection '%s'" % name) if name else 'connections'
        raise ItemError("Cannot %s %s: %s" % (operation, what, exc))


def full_name(client, name):
    """``Namespace:Name`` of an item's name; a bare name is in the caller's namespace."""
    return _needing_namespace(client.full_name, name)


def caller_namespace(client):
    """The caller's namespace, where a new connection lands."""
    return _needing_namespace(client.caller_namespace)


def _needing_namespace(read, *args):
    try:
        return read(*args)
    except DatagrokError as exc:
        raise ItemError('Cannot read the current user (needed for names without a namespace): %s' % exc)


def resolve_groups(client, items, groups, bulk=True):
    """Add to ``groups`` (casefolded name -> Group JSON) every group named in ``items`` (shares, group_credentials):
    matched exactly by name, friendly name or id, ignoring case. One failure names every group at fault."""
    wanted = dict((e['group'].strip(), (option, index)) for index, item in enumerate(items) if item.get('state') != 'absent'
                  for option in ('group_credentials', 'shares') for e in item.get(option) or [])
    problems = []
    for group in sorted(set(wanted) - set(groups), key=str.casefold):
        option, index = wanted[group]
        where = ('connections[%d] (%s): %s' % (index, items[index].get('name'), option)) if bulk else option
        try:
            found = client.lookup_groups(group)
        except DatagrokError as exc:
            raise ItemError("Cannot look up %s group '%s': %s" % ('share' if option == 'shares' else 'credentials', group, exc))
        exact = [g for g in found if group.casefold() in
                 ((g.get('name') or '').casefold(), (g.get('friendlyName') or '').casefold(), g.get('id'))]
        if len(exact) > 1:
            exact = [g for g in exact if not g.get('personal')] or exact
        if not exact:
            problems.append("%s: group '%s' does not exist on the server" % (where, group))
        elif len(exact) > 1:
            problems.append("%s: group '%s' is ambiguous (%s)" % (where, group, ', '.join(g.get('name', '?') for g in exact)))
        else:
            groups[group.casefold()] = exact[0]
    if problems:
        raise ItemError('Invalid option ' + '; '.join(problems))
    return groups


def find_renamed(item, current, read, full):
    """The item with the connection it renames, as ``(item, connection)``: with O(previous_names), when the name does
    not exist and exactly one previous name does, that connection, and the item marks it ``renamed_from``. ``read``
    gives the connection of a full name or None; ``full`` the full name of an item's name."""
    previous = item.get('previous_names') or []
    if not previous or item.get('state') == 'absent':
        return item, current
    new = full(item['name'])
    found = []
    for old in previous:
        old_full = full(old)
        if split_grok_name(old_full)[0].casefold() != split_grok_name(new)[0].casefold():
            raise ItemError("Invalid option previous_names: '%s' is in another namespace than '%s' (a rename keeps the "
                            "namespace)" % (old_full, new))
        found += [conn for conn in [call('read', old_full, read, old_full)] if conn is not None]
    if current is not None and found:
        raise ItemError("Cannot rename connection '%s' to '%s': both exist (ids %s and %s); remove one, or drop '%s' from "
                        "previous_names" % (grok_name(found[0]), grok_name(current), found[0]['id'], current['id'],
                                            grok_name(found[0])))
    if len(found) > 1:
        raise ItemError("Cannot rename connection '%s': more than one of its previous_names exists (%s)"
                        % (new, ', '.join(grok_name(c) for c in found)))
    return (dict(item, renamed_from=grok_name(found[0])), found[0]) if found else (item, current)


def check_id_free(conn_id, name, holder_of):
    """A create under a given O(id) that another connection holds would update that one instead (the save is an
    upsert by id): refuse it, naming both. ``holder_of`` gives the connection that holds an id, or None."""
    holder = holder_of(conn_id)
    if holder is not None:
        raise ItemError("Cannot create connection '%s' under id %s: that id is connection '%s'" % (name, conn_id, grok_name(holder)))


def queries_error(client, name, current):
    """Why deleting ``current`` would break data queries (they refer to it by id), or None. A server that lists no
    queries gives None."""
    used = (call('list the queries that use', name, client.queries_by_connection) or {}).get(current['id'].casefold())
    if not used:
        return None
    shown = ', '.join(sorted(used)[:3]) + (', and %d more' % (len(used) - 3) if len(used) > 3 else '')
    return "Cannot delete connection '%s': %d %s it (%s); set force: true to delete it anyway" % (
        name, len(used), 'query uses' if len(used) == 1 else 'queries use', shown)
