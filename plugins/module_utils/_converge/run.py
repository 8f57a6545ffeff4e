# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""One run of datagrok_connection: validate, read, plan, apply, for a list of items. The single form is a list of one.

Bad input and unplannable items fail the whole run before any write. The connections are read one by one by name for
a single item, and from one paged list for several (or a purge). Writes go through a worker pool; each item ends in an
:class:`Outcome` that ``report.py`` turns into the module's result.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.datagrok.platform.plugins.module_utils._connection.credentials import compares_group_sets
from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name, name_key, split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import canonical_access
from ansible_collections.datagrok.platform.plugins.module_utils._converge.access import credentials_refusal, write_refusal
from ansible_collections.datagrok.platform.plugins.module_utils._converge.apply import apply_plan
from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import item_errors
from ansible_collections.datagrok.platform.plugins.module_utils._converge.plan import Plan, plan_connection
from ansible_collections.datagrok.platform.plugins.module_utils._converge.references import (
    call,
    caller_namespace,
    check_id_free,
    find_renamed,
    full_name,
    queries_error,
    resolve_groups,
)
from ansible_collections.datagrok.platform.plugins.module_utils._converge.saved_plan import refused
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError, PlanFileError


class Outcome(object):
    """What became of one item: its plan (as carried out), the connection before, the connection the server answered
    (None when nothing was sent), and the error that stopped it, if any (``refused`` when a saved plan did)."""

    def __init__(self, item, plan, current=None, saved=None, error=None, refused=False):
        self.item, self.plan, self.current, self.saved = item, plan, current, saved
        self.error, self.refused = error, refused


class ServerView(object):
    """The connections as this run found them: from one listing, or read by name when there is none or it may be
    incomplete (a connection missing from a short list may exist all the same: creating it would make a "Name_1"
    twin)."""

    def __init__(self, client, listing=None):
        self.client = client
        self.listing = listing
        self.by_key = dict((name_key(c.get('namespace'), c.get('name') or ''), c) for c in listing or [])
        complete = listing is not None and listing.complete is True
        self.by_id = dict(((c.get('id') or '').casefold(), c) for c in listing) if complete else None

    def read(self, full):
        """The connection of a full name, or None."""
        found = self.by_key.get(name_key(*split_grok_name(full)))
        if found is not None or self.by_id is not None:
            return found
        return self.client.get_connection(full)

    def holder_of(self, conn_id):
        """The connection that holds an id, or None."""
        return self.by_id.get(conn_id.casefold()) if self.by_id is not None else self.client.get_connection(conn_id)


class Run(object):
    """The state one run passes from step to step: the server, the mode, the groups found, a saved plan."""

    def __init__(self, module, max_workers=8, saved_plan=None, bulk=True):
        self.module = module  # warn() and protect_parameters(): what the run tells and hides
        self.bulk = bulk  # O(connections): messages name each item as connections[i] (its name)
        self.client = module.client
        self.check_mode = module.check_mode
        self.saved_plan = saved_plan  # O(save_plan) or O(apply_plan): a saved_plan.SavedPlan
        self.max_workers = max(1, max_workers)
        self.groups = {}

    def full_name(self, name):
        return full_name(self.client, name)

    def _map(self, func, values):
        with ThreadPoolExecutor(self.max_workers) as pool:
            return list(pool.map(func, values))

    # -- the steps ------------------------------------------------------------------------------

    def converge(self, items, purge=False, scope=None, force=False):
        """Converge ``items`` (and, with ``purge``, delete what no item names within ``scope``): an Outcome each, the
        purged ones after the items, then each planned change of an applied plan that no item meets."""
        keys = self.validate(items)
        resolve_groups(self.client, items, self.groups, self.bulk)
        view, work = self.read(items, keys, purge)
        if purge:
            # A connection an item renames is the item's: never purged.
            keep = set(keys) | set(name_key(c.get('namespace'), c.get('name') or '') for i, c in work if i.get('renamed_from'))
            work.extend(({'name': grok_name(c), 'state': 'absent', 'purged': True, 'force': force}, c)
                        for c in _purge_candidates(view.listing, keep, scope or {}))
        plans = self._plan_all(work, view)
        pairs = [(item, plan) for (item, dummy), plan in zip(work, plans)]
        reasons, missing = self.refusals(pairs)
        outcomes = self._map(lambda index: self._apply_item(work[index], plans[index], reasons[index]), range(len(work)))
        outcomes += [Outcome({'name': name}, Plan(name, 'present'), error=refused(name, reason), refused=True)
                     for name, reason in missing]
        if not any(o.error for o in outcomes):
            self.save_plan(pairs)
        return outcomes

    def validate(self, items):
        """Every fault of the input in one failure, before any request but the caller's namespace; the name key of each
        item, in order."""
        def label(index):
            return 'connections[%d] (%s): ' % (index, items[index].get('name')) if self.bulk else ''
        problems = ['%s%s' % (label(index), error) for index, item in enumerate(items) for error in item_errors(item)]
        clashes = ['connections[%d] and connections[%d] both give id %s' % (first, index, items[index]['id'])
                   for first, index in _clashes((item.get('id') or '').casefold() or None for item in items)]
        # Two items naming one connection as written (no request needed), then as resolved against the namespace.
        clashes += _name_clashes(items, [name_key(*split_grok_name(item['name'])) for item in items])
        problems += ['connections: ' + '; '.join(clashes)] if clashes else []
        if problems:
            raise ItemError('Invalid option ' + '; '.join(problems))
        keys = [name_key(*split_grok_name(self.full_name(item['name']))) for item in items]
        problems = _name_clashes(items, keys)
        if problems:
            raise ItemError('Invalid option connections: ' + '; '.join(problems))
        return keys

    def read(self, items, keys, purge=False):
        """The server view and ``(item, connection)`` of each item: the connection it converges, renamed or not."""
        if len(items) == 1 and not purge:
            view = ServerView(self.client)
            work = [(items[0], self._read_by_name(items[0]))]
        else:
            listed = call('list', None, self.client.list_connections)
            view = ServerView(self.client, listed)
            work = [(item, view.by_key.get(key)) for item, key in zip(items, keys)]
            if listed.complete is not True:
                work = self._map(lambda pair: pair if pair[1] is not None else (pair[0], self._read_by_name(pair[0])), work)
                if purge and listed.complete is False:
                    self.module.warn('The server listed %d connections but counts more: purge can only remove the listed ones'
                                     % len(listed))
        return view, self._renames(work, view)

    def _read_by_name(self, item):
        """The connection of an item's name, read on its own, or None."""
        name = self.full_name(item['name'])
        return call('read', name, self.client.get_connection, name)

    def _renames(self, work, view):
        """Each ``(item, connection)`` with the connection its O(previous_names) renames. Two items that would converge
        one connection are bad input."""
        problems, renamed = [], []
        for index, (item, current) in enumerate(work):
            try:
                renamed.append(find_renamed(item, current, view.read, self.full_name))
            except ItemError as exc:
                problems.append(('connections[%d] (%s): %s' % (index, item.get('name'), exc)) if self.bulk else str(exc))
        problems.extend("connections[%d] and connections[%d] both converge connection '%s'" % (first, index, grok_name(renamed[index][1]))
                        for first, index in _clashes(current.get('id') if current else None for dummy, current in renamed))
        if problems:
            raise ItemError('; '.join(problems))
        return renamed

    def _plan_all(self, work, view):
        def plan_item(pair):
            try:
                return self.plan(pair[0], pair[1], view), None
            except ItemError as exc:
                return None, str(exc)
        planned = self._map(plan_item, work)
        problems = [error or plan.error for plan, error in planned if error or plan.error]
        if problems:
            raise ItemError('; '.join(problems))
        return [plan for plan, dummy in planned]

    def plan(self, item, current, view=None):
        """Read what the plan needs beyond the connection itself, then plan (pure: plan.py)."""
        view = view or ServerView(self.client)
        if item.get('shares'):
            item = dict(item, shares=[dict(s, group=s['group'].strip(), access=canonical_access(s['access'])) for s in item['shares']])
        name = grok_name(current) if current and not item.get('renamed_from') else self.full_name(item['name'])
        # The data source is known for sure only now; it decides which parameters and credentials are secret.
        data_source = item.get('data_source') or (current or {}).get('dataSource')
        for values in [item.get('parameters'), item.get('credentials')] + [e['credentials'] for e in item.get('group_credentials') or []]:
            self.module.protect_parameters(values, data_source)
        stored_creds = grants = None
        present = item.get('state') != 'absent'
        if current is not None and present:
            # The stored set is read only to compare with it (update_credentials: when_changed).
            if item.get('credentials') and item.get('update_credentials') == 'when_changed' or compares_group_sets(item):
                stored_creds = call('read the credentials of', name, self.client.stored_credentials, current['id'])
                # Servers that read credentials back in clear hand us the old secrets: never let them out.
                self.module.protect_parameters((stored_creds or {}).get('parameters'), data_source)
            if item.get('shares') is not None:
                grants = call('read the shares of', name, self.client.list_grants, current['id'])
        # A create needs the caller's namespace (where it will land); the name gave it already when it had none.
        home = caller_namespace(self.client) if current is None and present and item.get('data_source') else None
        if current is None and item.get('id') and present:
            check_id_free(item['id'], name, lambda conn_id: call('read', name, view.holder_of, conn_id))
        plan = plan_connection(item, current, split_grok_name(name)[0], stored_creds, grants, self.groups, name=name, home=home)
        if self.saved_plan is not None:
            plan = plan.amended(server_version=self.saved_plan.version(current, stored_creds, grants))
        if plan.notice:
            self.module.warn(plan.notice)
        if plan.action == 'delete' and not item.get('force'):
            error = queries_error(self.client, name, current)
            plan = plan.amended(error=error) if error else plan
        if self.check_mode and plan.changed and not plan.error:
            # Writing only the groups' sets is an update of the connection, as the server sees it.
            operation = {'credentials': 'update'}.get(plan.reported_action, plan.reported_action)
            refusal = write_refusal(self.client, operation, name, current, grants) if current is not None else None
            plan = plan.amended(refusal=refusal or credentials_refusal(self.client, name, plan.group_credentials_writes))
        return plan

    def _apply_item(self, pair, plan, reason):
        item, current = pair
        if reason:
            return Outcome(item, plan, current, error=refused(plan.name, reason), refused=True)
        try:
            done, saved = apply_plan(self, plan, current, item)
        except ItemError as exc:
            return Outcome(item, plan, current, error=str(exc))
        return Outcome(item, done, current, saved)

    # -- saved plans --------------------------------------------------------------------------

    def refusals(self, pairs):
        """Under O(apply_plan): why each ``(item, plan)`` must not be carried out (None where it may), and ``(name,
        reason)`` of each planned change that none of them meets. Without it, nothing is refused."""
        if self.saved_plan is None or not self.saved_plan.applying:
            return [None] * len(pairs), []
        return self.saved_plan.refusals([self.saved_plan.entry(item, plan) for item, plan in pairs])

    def save_plan(self, pairs):
        """Under O(save_plan): write down the plans of ``(item, plan)`` pairs."""
        if self.saved_plan is None or self.saved_plan.applying:
            return
        try:
            self.saved_plan.write([self.saved_plan.entry(item, plan) for item, plan in pairs])
        except PlanFileError as exc:
            raise ItemError('Cannot save the plan: %s' % exc)


def _purge_candidates(listed, keep, scope):
    namespace = (scope.get('namespace') or '').rstrip(':').casefold()
    tag = scope.get('tag')
    for conn in listed:
        if name_key(conn.get('namespace'), conn.get('name') or '') in keep:
            continue
        if namespace and (conn.get('namespace') or '').rstrip(':').casefold() != namespace:
            continue
        if tag and tag not in (conn.get('tags') or []):
            continue
        yield conn


def _name_clashes(items, keys):
    return ["connections[%d] and connections[%d] both name '%s'" % (first, index, items[index]['name'])
            for first, index in _clashes(keys)]


def _clashes(keys):
    """``(first index, index)`` for each key that an earlier one already had; None stands for no key."""
    first = {}
    for index, key in enumerate(keys):
        if key is not None and key in first:
            yield first[key], index
        elif key is not None:
            first[key] = index
