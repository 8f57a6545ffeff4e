# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The bulk form of datagrok_connection: many connections from one paged list, a scoped purge, a worker pool.

Every item takes the single form's steps (ConnectionReconciler in _reconcile.py): validate, plan, apply. What is
added here belongs to many at once: two items naming one connection, the purge of what no item names, and a list
the server may have cut short.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.datagrok.platform.plugins.module_utils._names import grok_name, name_key, split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._plan import Plan
from ansible_collections.datagrok.platform.plugins.module_utils._reconcile import ConnectionReconciler, ItemError
from ansible_collections.datagrok.platform.plugins.module_utils._saved_plan import refused
from ansible_collections.datagrok.platform.plugins.module_utils._validate import item_errors


class BulkReconciler(ConnectionReconciler):

    def run_many(self, items, purge=False, scope=None, force=False):
        """Converge many connections: one paged list, plans for all, then the writes in a worker pool.

        Bad input and unplannable items fail the whole call before any write.
        """
        problems = []
        for index, item in enumerate(items):
            label = "connections[%d] (%s)" % (index, item.get('name'))
            problems.extend('%s: %s' % (label, e) for e in item_errors(item))
        if problems:
            raise ItemError('Invalid option ' + '; '.join(problems))
        twice = ['connections[%d] and connections[%d] both give id %s' % (first, index, items[index]['id'])
                 for first, index in _clashes((item.get('id') or '').casefold() or None for item in items)]
        if twice:
            raise ItemError('Invalid option connections: ' + '; '.join(twice))
        # Duplicates as written first (no request needed), then as resolved against the caller's namespace.
        self._name_keys(items, lambda name: name_key(*split_grok_name(name)))
        keys = self._name_keys(items, lambda name: name_key(*split_grok_name(self.full_name(name))))
        self.resolve_groups(items)

        listed = self._call('list', None, self.client.list_connections)
        by_key = dict((name_key(c.get('namespace'), c.get('name') or ''), c) for c in listed)
        # Ids are checked against the listing when it is complete, else read one by one (_references.py).
        self._ids = dict(((c.get('id') or '').casefold(), c) for c in listed) if listed.complete is True else None
        work = [(item, by_key.get(key)) for item, key in zip(items, keys)]
        if listed.complete is not True:
            # The server listed fewer connections than it counted, or cannot count: a connection missing from the list
            # may exist all the same (creating it would make a "Name_1" twin; deleting it would be missed). Read each
            # such name on its own.
            with ThreadPoolExecutor(self.max_workers) as pool:
                work = list(pool.map(self._confirm_absent, work))
            if purge and listed.complete is False:
                self.module.warn('The server listed %d connections but counts more: purge can only remove the listed ones'
                                 % len(listed))
        work = self._renames(work, by_key, listed.complete is True)
        if purge:
            # A connection an item renames is the item's: never unlisted.
            keep = set(keys) | set(name_key(c.get('namespace'), c.get('name') or '') for i, c in work if i.get('renamed_from'))
            work.extend(({'name': grok_name(c), 'state': 'absent', 'purged': True, 'force': force}, c)
                        for c in self._purge_candidates(listed, keep, scope))

        def plan_item(pair):
            try:
                return self.plan(*pair), None
            except ItemError as exc:
                return None, str(exc)

        with ThreadPoolExecutor(self.max_workers) as pool:
            plans = list(pool.map(plan_item, work))
        problems = [err or plan.error for plan, err in plans if err or plan.error]
        if problems:
            raise ItemError('; '.join(problems))
        plans = [plan for plan, dummy in plans]
        pairs = [(item, plan) for (item, dummy), plan in zip(work, plans)]
        reasons, missing = self.refusals(pairs)

        with_diff = self.module._diff  # pylint: disable=protected-access

        def apply_item(index):
            plan, current = plans[index], work[index][1]
            if reasons[index]:
                return self.failure(plan, refused(plan.name, reasons[index]), with_diff, refused=True)
            try:
                return self.result(self.apply(plan, current, work[index][0])[0], with_diff=with_diff)
            except ItemError as exc:
                return self.failure(plan, str(exc), with_diff)

        with ThreadPoolExecutor(self.max_workers) as pool:
            results = list(pool.map(apply_item, range(len(work))))
        # A planned change that no item makes now is reported too, so that the task fails naming it.
        results += [self.failure(Plan(name, 'present'), refused(name, reason), refused=True) for name, reason in missing]
        for index, result in enumerate(results):
            result['purged'] = index < len(work) and bool(work[index][0].get('purged'))
        if not any(result.get('error') for result in results):
            self.save_plan(pairs)
        return results

    def _renames(self, work, by_key, complete):
        """Each ``(item, connection)`` with the connection its O(previous_names) renames, read from the listing (or,
        when the listing may be incomplete, by name). Two items that would converge one connection are bad input."""
        def read(full):
            found = by_key.get(name_key(*split_grok_name(full)))
            return found if found is not None or complete else self.client.get_connection(full)
        problems, renamed = [], []
        for index, (item, current) in enumerate(work):
            try:
                renamed.append(self.find_renamed(item, current, read))
            except ItemError as exc:
                problems.append('connections[%d] (%s): %s' % (index, item.get('name'), exc))
        problems.extend("connections[%d] and connections[%d] both converge connection '%s'" % (first, index, grok_name(renamed[index][1]))
                        for first, index in _clashes(current.get('id') if current else None for dummy, current in renamed))
        if problems:
            raise ItemError('; '.join(problems))
        return renamed

    def _confirm_absent(self, pair):
        item, current = pair
        if current is not None:
            return pair
        name = self.full_name(item['name'])
        return item, self._call('read', name, self.client.get_connection, name)

    @staticmethod
    def _name_keys(items, key_of):
        """The name key of each item, in order; two items naming the same connection are bad input."""
        keys = [key_of(item['name']) for item in items]
        problems = ["connections[%d] and connections[%d] both name '%s'" % (first, index, items[index]['name'])
                    for first, index in _clashes(keys)]
        if problems:
            raise ItemError('Invalid option connections: ' + '; '.join(problems))
        return keys

    def _purge_candidates(self, listed, keep, scope):
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


def _clashes(keys):
    """``(first index, index)`` for each key that an earlier one already had; None stands for no key."""
    first = {}
    for index, key in enumerate(keys):
        if key is not None and key in first:
            yield first[key], index
        elif key is not None:
            first[key] = index
