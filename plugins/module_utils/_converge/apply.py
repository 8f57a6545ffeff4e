# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Carrying out one plan: the connection's save or delete, its groups' credential sets, its shares. Nothing is sent
in check mode or for a plan without changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._converge.references import call
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError, one_line


def apply_plan(run, plan, current, item=None):
    """Carry out ``plan`` for ``run`` (a run.Run). Returns ``(the plan carried out, the connection as the server
    answered)``; the connection is None when nothing was sent.

    With ``item`` (the options the plan was made from), a create that loses its name to a concurrent one is converged
    against the connection that won instead (:func:`_undo_rename`): the plan carried out is then the new plan.
    """
    client = run.client
    if run.check_mode and plan.refusal:
        raise ItemError(plan.refusal)
    if run.check_mode or not plan.changed:
        return plan, None
    if plan.action == 'delete':
        call('delete', plan.name, client.delete_connection, plan.body['id'])
        return plan, {}
    saved = current
    if plan.action:
        operation = 'create' if plan.action == 'create' else 'update'
        saved = call(operation, plan.name, client.save_connection, plan.body, plan.save_credentials, plan.action == 'create')
        if plan.renamed_from and grok_name(saved).casefold() == plan.renamed_from.casefold():
            raise ItemError("Cannot rename connection '%s' to '%s': the server saved it under its old name"
                            % (plan.renamed_from, plan.name))
        if grok_name(saved).casefold() != plan.name.casefold():
            return _undo_rename(run, plan, saved, item)
    for group, group_json, parameters in plan.group_credentials_writes:
        # One set per group and connection: saving it again replaces it, so a retry makes no twin.
        call("write the credentials of group '%s' of" % group, plan.name, client.save_group_credentials,
             saved['id'], group_json, parameters)
    if plan.shares_to_add or plan.grants_to_revoke:
        _apply_shares(client, plan, saved['id'])
    return plan, saved


def _undo_rename(run, plan, saved, item=None):
    """Datagrok silently stores a new entity whose name is taken as "Name_1".

    That only happens when someone created the name after our read (another converge running at the same time).
    Remove our twin, then, given the ``item``, converge it against the connection that won the name, as an update
    (once: a second conflict is reported). Otherwise, or when that connection cannot be read, fail naming it.
    """
    problem = "Cannot %s connection '%s': the server stored it as '%s' (the name is taken: created concurrently?)" % (
        plan.action, plan.name, grok_name(saved))
    if plan.action != 'create':
        raise ItemError(problem)
    call('remove the renamed duplicate of', plan.name, run.client.delete_connection, saved['id'])
    problem += '; the duplicate was removed'
    if item is None:
        raise ItemError(problem)
    winner = call('read', plan.name, run.client.get_connection, plan.name)
    if winner is None:
        raise ItemError(problem + ', and no connection of that name can be read back')
    retry = run.plan(item, winner)
    if retry.error:
        raise ItemError('%s; converging it against the connection that holds the name: %s' % (problem, retry.error))
    connection = apply_plan(run, retry, winner)[1]
    run.module.warn("Connection '%s' was created by someone else after this run listed the connections: the copy "
                    "this run created (stored as '%s') was removed, and the item was converged against the existing "
                    "connection (%s)" % (plan.name, grok_name(saved), 'changed' if retry.changed else 'no change'))
    return retry, connection if connection is not None else winner


def _apply_shares(client, plan, entity_id):
    for access in ('View', 'Edit'):
        groups = [g for g, a in plan.shares_to_add if a == access]
        if not groups:
            continue
        answer = call('share', plan.name, client.share, entity_id, groups, access) or {}
        if answer.get('status') == 'failed' or answer.get('failed'):
            raise ItemError("Cannot share connection '%s' with %s: the server answered %s"
                            % (plan.name, ', '.join(groups), one_line(answer)))
    for permission_id in plan.grants_to_revoke:
        call('revoke a share of', plan.name, client.revoke_permission, permission_id)
