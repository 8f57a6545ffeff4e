# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What an item names besides its own connection, resolved before planning: the groups of its shares and group
credentials, the connection its previous names (a rename) point at, and whether the id it gives is free; and what
refers to its connection: the data queries that a delete would break.

A mixin of ConnectionReconciler (``_reconcile.py``): it uses the reconciler's ``client``, ``full_name``, ``_call``
and ``_ids``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._names import grok_name, split_grok_name


class ItemError(Exception):
    """A failure of one connection, already worded for the user."""


class ItemReferences(object):

    def resolve_groups(self, items):
        """Map every group named in ``items`` (shares, group_credentials) to its Group JSON (exact name, ignoring case)."""
        wanted = dict((e['group'].strip(), option) for item in items if item.get('state') != 'absent'
                      for option in ('group_credentials', 'shares') for e in item.get(option) or [])
        for group in sorted(set(wanted) - set(self._groups), key=str.casefold):
            option = wanted[group]
            try:
                found = self.client.lookup_groups(group)
            except DatagrokError as exc:
                raise ItemError("Cannot look up %s group '%s': %s" % ('share' if option == 'shares' else 'credentials', group, exc))
            exact = [g for g in found if group.casefold() in
                     ((g.get('name') or '').casefold(), (g.get('friendlyName') or '').casefold(), g.get('id'))]
            if len(exact) > 1:
                exact = [g for g in exact if not g.get('personal')] or exact
            if not exact:
                raise ItemError("Invalid option %s: group '%s' does not exist on the server" % (option, group))
            if len(exact) > 1:
                raise ItemError("Invalid option %s: group '%s' is ambiguous (%s)"
                                % (option, group, ', '.join(g.get('name', '?') for g in exact)))
            self._groups[group.casefold()] = exact[0]
        return self._groups

    def find_renamed(self, item, current, read):
        """The item with the connection it renames, as ``(item, connection)``: with O(previous_names), when the name
        does not exist and exactly one previous name does, that connection, and the item marks it ``renamed_from``.
        ``read`` gives the connection of a full name, or None."""
        previous = item.get('previous_names') or []
        if not previous or item.get('state') == 'absent':
            return item, current
        new = self.full_name(item['name'])
        found = []
        for old in previous:
            full = self.full_name(old)
            if split_grok_name(full)[0].casefold() != split_grok_name(new)[0].casefold():
                raise ItemError("Invalid option previous_names: '%s' is in another namespace than '%s' (a rename keeps the "
                                "namespace)" % (full, new))
            found += [conn for conn in [self._call('read', full, read, full)] if conn is not None]
        if current is not None and found:
            raise ItemError("Cannot rename connection '%s' to '%s': both exist (ids %s and %s); remove one, or drop '%s' from "
                            "previous_names" % (grok_name(found[0]), grok_name(current), found[0]['id'], current['id'],
                                                grok_name(found[0])))
        if len(found) > 1:
            raise ItemError("Cannot rename connection '%s': more than one of its previous_names exists (%s)"
                            % (new, ', '.join(grok_name(c) for c in found)))
        return (dict(item, renamed_from=grok_name(found[0])), found[0]) if found else (item, current)

    def _check_id_free(self, conn_id, name):
        """A create under a given O(id) that another connection holds would update that one instead (the save is an
        upsert by id): refuse it, naming both. The bulk form answers from its listing (``_ids``) when complete."""
        holder = self._ids.get(conn_id.casefold()) if self._ids is not None else self._call('read', name, self.client.get_connection, conn_id)
        if holder is not None:
            raise ItemError("Cannot create connection '%s' under id %s: that id is connection '%s'" % (name, conn_id, grok_name(holder)))

    def guard_queries(self, plan, name, current):
        """A delete of a connection that data queries still use is refused (queries refer to it by id), unless forced.
        A server that lists no queries leaves the delete as it was."""
        used = (self._call('list the queries that use', name, self.client.queries_by_connection) or {}).get(current['id'].casefold())
        if not used:
            return plan
        shown = ', '.join(sorted(used)[:3]) + (', and %d more' % (len(used) - 3) if len(used) > 3 else '')
        return plan.amended(error="Cannot delete connection '%s': %d %s it (%s); set force: true to delete it anyway"
                            % (name, len(used), 'query uses' if len(used) == 1 else 'queries use', shown))
