# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What datagrok_connection returns, made from the run's outcomes (run.Outcome): the single form's result, or the
bulk form's ``results``, ``summary`` and ``names``, and the failure message when an item failed. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import mask_connection
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError

OUTCOMES = ('created', 'updated', 'deleted', 'unchanged', 'failed')


def item_result(outcome, connection=None, with_diff=True):
    """One connection's result. The bulk form leaves out the connection, and the diff unless it changed in diff mode:
    Ansible scrubs every string of a result against every no_log value, which grows as N squared."""
    plan = outcome.plan
    result = {
        'name': plan.name,
        'state': plan.state,
        'changed': plan.changed and not outcome.error,
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
    if outcome.error:
        result['error'] = outcome.error
        if outcome.refused:
            result['refused'] = True
    return result


def connection_shown(outcome):
    """The connection as the single form's result shows it: as the server answered, or as planned."""
    plan = outcome.plan
    if plan.state == 'absent':
        return {}
    if outcome.saved is None:
        return plan.predicted if plan.action else mask_connection(outcome.current)
    return mask_connection(outcome.saved)


def single_result(outcomes):
    """The single form's result; its item's error (or a saved plan's refusal) as an ItemError."""
    for outcome in outcomes:
        if outcome.error:
            raise ItemError(outcome.error)
    return item_result(outcomes[0], connection_shown(outcomes[0]))


def outcome_of(result):
    if result.get('refused'):
        return 'refused'
    if result.get('error'):
        return 'failed'
    if not result['changed']:
        return 'unchanged'
    return {'create': 'created', 'delete': 'deleted'}.get(result['action'], 'updated')


def bulk_results(outcomes, with_diff=False, applying_plan=False):
    """``(output, failure)``: the bulk form's ``changed``, ``results``, ``summary``, ``names`` and ``diff``, and the
    one-line message of its failed items (None when none failed). Those refused by a saved plan are counted only when
    one is applied."""
    results = []
    for outcome in outcomes:
        result = item_result(outcome, with_diff=with_diff)
        result['purged'] = bool(outcome.item.get('purged'))
        results.append(result)
    extra = ('refused',) if applying_plan else ()
    summary = dict((outcome, 0) for outcome in OUTCOMES + extra)
    names = dict((outcome, []) for outcome in ('created', 'updated', 'deleted', 'failed', 'unverified') + extra)
    for result in results:
        outcome = outcome_of(result)
        summary[outcome] += 1
        names.get(outcome, []).append(result['name'])
        if result.get('credentials_unverified') or result.get('credentials_unverified_groups'):
            names['unverified'].append(result['name'])
    output = dict(changed=any(r['changed'] for r in results), results=results, summary=summary, names=names,
                  # Each diff once, at the top, where the callback shows it; not again per item.
                  diff=[r.pop('diff') for r in results if 'diff' in r])
    failed = [r for r in results if r.get('error')]
    failure = None
    if failed:
        failure = '%d of %d connections %s: %s' % (len(failed), len(results), 'refused or failed' if summary.get('refused')
                                                   else 'failed', '; '.join(r['error'] for r in failed))
    return output, failure
