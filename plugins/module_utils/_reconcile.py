# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Bring one connection to the wanted state: validate (_validate.py), read, plan (_plan.py), then write only what
differs. The bulk form (_bulk.py) goes through the same steps for each of its items.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._access import credentials_refusal, write_refusal
from ansible_collections.datagrok.platform.plugins.module_utils._credentials import compares_group_sets
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError, one_line
from ansible_collections.datagrok.platform.plugins.module_utils._names import grok_name, split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._plan import plan_connection
from ansible_collections.datagrok.platform.plugins.module_utils._references import ItemError, ItemReferences
from ansible_collections.datagrok.platform.plugins.module_utils._saved_plan import PlanFileError, refused
from ansible_collections.datagrok.platform.plugins.module_utils._secrets import mask_connection
from ansible_collections.datagrok.platform.plugins.module_utils._shares import canonical_access
from ansible_collections.datagrok.platform.plugins.module_utils._validate import item_errors


class ConnectionReconciler(ItemReferences):

    def __init__(self, module, max_workers=8, saved_plan=None):
        self.module = module
        self.saved_plan = saved_plan  # O(save_plan) or O(apply_plan): a _saved_plan.SavedPlan
        self.client = module.client
        self.check_mode = module.check_mode
        self.max_workers = max(1, max_workers)
        self._groups = {}
        self._ids = None  # the bulk form's listing by id, when complete

    # -- reads -----------------------------------------------------------------------------

    def namespace(self):
        try:
            return self.client.caller_namespace()
        except DatagrokError as exc:
            raise ItemError('Cannot read the current user (needed for names without a namespace): %s' % exc)

    def full_name(self, name):
        namespace, short = split_grok_name(name)
        return (namespace or self.namespace()) + short

    @staticmethod
    def _call(operation, name, func, *args):
        try:
            return func(*args)
        except DatagrokError as exc:
            what = ("connection '%s'" % name) if name else 'connections'
            raise ItemError("Cannot %s %s: %s" % (operation, what, exc))

    def plan(self, item, current):
        """Read what the plan needs beyond the connection itself, then plan."""
        if item.get('shares'):
            item = dict(item, shares=[dict(s, group=s['group'].strip(), access=canonical_access(s['access'])) for s in item['shares']])
        name = grok_name(current) if current and not item.get('renamed_from') else self.full_name(item['name'])
        # The data source is known for sure only now; it decides which parameters and credentials are secret.
        data_source = item.get('data_source') or (current or {}).get('dataSource')
        self.module.protect_parameters(item.get('parameters'), data_source)
        self.module.protect_parameters(item.get('credentials'), data_source)
        for entry in item.get('group_credentials') or []:
            self.module.protect_parameters(entry['credentials'], data_source)
        stored_creds = grants = None
        if current is not None and item.get('state') != 'absent':
            # The stored set is read only to compare with it (update_credentials: when_changed).
            if item.get('credentials') and item.get('update_credentials') == 'when_changed' or compares_group_sets(item):
                stored_creds = self._call('read the credentials of', name, self.client.stored_credentials, current['id'])
                # Servers that read credentials back in clear hand us the old secrets: never let them out.
                self.module.protect_parameters((stored_creds or {}).get('parameters'), data_source)
            if item.get('shares') is not None:
                grants = self._call('read the shares of', name, self.client.list_grants, current['id'])
        # A create needs the caller's namespace (where it will land); the name gave it already when it had none.
        home = self.namespace() if current is None and item.get('state') != 'absent' and item.get('data_source') else None
        if current is None and item.get('id') and item.get('state') != 'absent':
            self._check_id_free(item['id'], name)
        plan = plan_connection(item, current, split_grok_name(name)[0], stored_creds, grants, self._groups, name=name, home=home)
        if self.saved_plan is not None:
            plan = plan.amended(server_version=self.saved_plan.version(current, stored_creds, grants))
        if plan.notice:
            self.module.warn(plan.notice)
        if plan.action == 'delete' and not item.get('force'):
            plan = self.guard_queries(plan, name, current)
        if self.check_mode and plan.changed and not plan.error:
            # Writing only the groups' sets is an update of the connection, as the server sees it.
            operation = {'credentials': 'update'}.get(plan.reported_action, plan.reported_action)
            refusal = write_refusal(self.client, operation, name, current, grants) if current is not None else None
            plan = plan.amended(refusal=refusal or credentials_refusal(self.client, name, plan.group_credentials_writes))
        return plan

    # -- saved plans -----------------------------------------------------------------------

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

    # -- writes ----------------------------------------------------------------------------

    def apply(self, plan, current, item=None):
        """Carry out a plan (not in check mode). Returns ``(the plan carried out, the connection as the server
        answered)``; the connection is None when nothing was sent.

        With ``item`` (the options the plan was made from), a create that loses its name to a concurrent one
        is converged against the connection that won instead (see :meth:`_undo_rename`): the plan carried out is
        then the new plan made against that connection.
        """
        if self.check_mode and plan.refusal:
            raise ItemError(plan.refusal)
        if self.check_mode or not plan.changed:
            return plan, None
        if plan.action == 'delete':
            self._call('delete', plan.name, self.client.delete_connection, plan.body['id'])
            return plan, {}
        saved = current
        if plan.action:
            operation = 'create' if plan.action == 'create' else 'update'
            saved = self._call(operation, plan.name, self.client.save_connection, plan.body, plan.save_credentials,
                               plan.action == 'create')
            if plan.renamed_from and grok_name(saved).casefold() == plan.renamed_from.casefold():
                raise ItemError("Cannot rename connection '%s' to '%s': the server saved it under its old name"
                                % (plan.renamed_from, plan.name))
            if grok_name(saved).casefold() != plan.name.casefold():
                return self._undo_rename(plan, saved, item)
        for group, group_json, parameters in plan.group_credentials_writes:
            # One set per group and connection: saving it again replaces it, so a retry makes no twin.
            self._call("write the credentials of group '%s' of" % group, plan.name, self.client.save_group_credentials,
                       saved['id'], group_json, parameters)
        if plan.shares_to_add or plan.grants_to_revoke:
            self._apply_shares(plan, saved['id'])
        return plan, saved

    @staticmethod
    def outcome(plan, current, saved):
        """The connection as the single form's result shows it: as the server answered, or as planned."""
        if plan.state == 'absent':
            return {}
        if saved is None:
            return plan.predicted if plan.action else mask_connection(current)
        return mask_connection(saved)

    def _undo_rename(self, plan, saved, item=None):
        """Datagrok silently stores a new entity whose name is taken as "Name_1".

        That only happens when someone created the name after our lookup (another converge running at the
        same time). Remove our twin, then, given the ``item``, converge it against the connection that won the
        name, as an update (once: a second conflict is reported). Otherwise, or when that connection cannot be
        read, fail naming the connection.
        """
        problem = "Cannot %s connection '%s': the server stored it as '%s' (the name is taken: created concurrently?)" % (
            plan.action, plan.name, grok_name(saved))
        if plan.action != 'create':
            raise ItemError(problem)
        self._call('remove the renamed duplicate of', plan.name, self.client.delete_connection, saved['id'])
        problem += '; the duplicate was removed'
        if item is None:
            raise ItemError(problem)
        winner = self._call('read', plan.name, self.client.get_connection, plan.name)
        if winner is None:
            raise ItemError(problem + ', and no connection of that name can be read back')
        retry = self.plan(item, winner)
        if retry.error:
            raise ItemError('%s; converging it against the connection that holds the name: %s' % (problem, retry.error))
        connection = self.apply(retry, winner)[1]
        self.module.warn("Connection '%s' was created by someone else after this run listed the connections: the copy "
                         "this run created (stored as '%s') was removed, and the item was converged against the existing "
                         "connection (%s)" % (plan.name, grok_name(saved), 'changed' if retry.changed else 'no change'))
        return retry, connection if connection is not None else retry.prediction if retry.action else winner

    def _apply_shares(self, plan, entity_id):
        for access in ('View', 'Edit'):
            groups = [g for g, a in plan.shares_to_add if a == access]
            if not groups:
                continue
            answer = self._call('share', plan.name, self.client.share, entity_id, groups, access) or {}
            if answer.get('status') == 'failed' or answer.get('failed'):
                raise ItemError("Cannot share connection '%s' with %s: the server answered %s"
                                % (plan.name, ', '.join(groups), one_line(answer)))
        for permission_id in plan.grants_to_revoke:
            self._call('revoke a share of', plan.name, self.client.revoke_permission, permission_id)

    # -- one connection --------------------------------------------------------------------

    @staticmethod
    def result(plan, connection=None, with_diff=True):
        """One connection's outcome. The bulk form leaves out the connection, and the diff unless it changed in diff
        mode: Ansible scrubs every string of a result against every no_log value, which grows as N squared."""
        result = {
            'name': plan.name,
            'state': plan.state,
            'changed': plan.changed,
            'action': plan.reported_action,
            'credentials_verified': plan.credentials_verified,
            'credentials_unverified': sorted(plan.unverified_keys),
            'credentials_unverified_groups': sorted(plan.unverified_groups, key=str.casefold),
        }
        if plan.inherited_shares:
            result['inherited_shares'] = plan.inherited_shares
        if plan.renamed_from:
            result['renamed_from'] = plan.renamed_from
        if connection is not None or (plan.changed and with_diff):
            result['diff'] = {'before': plan.before, 'after': plan.after, 'before_header': plan.name, 'after_header': plan.name}
        if connection is not None:
            result['connection'] = connection
        return result

    @classmethod
    def failure(cls, plan, error, with_diff=True, refused=False):
        """The result of a connection that was not carried out: it failed, or a saved plan refused it."""
        result = cls.result(plan, with_diff=with_diff)
        result.update(dict(changed=False, error=error), **({'refused': True} if refused else {}))
        return result

    def run_one(self, item):
        errors = item_errors(item)
        if errors:
            raise ItemError('Invalid option ' + '; '.join(errors))
        self.resolve_groups([item])
        name = self.full_name(item['name'])
        current = self._call('read', name, self.client.get_connection, name)
        item, current = self.find_renamed(item, current, self.client.get_connection)
        plan = self.plan(item, current)
        if plan.error:
            raise ItemError(plan.error)
        reasons, missing = self.refusals([(item, plan)])
        if reasons[0] or missing:
            raise ItemError(refused(plan.name, reasons[0]) if reasons[0] else refused(*missing[0]))
        done, saved = self.apply(plan, current, item)
        self.save_plan([(item, plan)])
        return self.result(done, self.outcome(done, current, saved))
