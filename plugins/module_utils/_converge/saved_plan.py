# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Saved plans: a check run writes down what it would do (O(save_plan)), and a later run applies exactly that
(O(apply_plan)).

For each connection the plan file holds its grok name, the action, the fields that change (before and after, secrets
masked as in the diff, each secret to be written with a keyed digest), the server's version of the connection at plan
time, and a keyed digest of the item's input. It never holds a secret (``_secrets.SecretDigest``).

An apply plans every item again, as any run does, and carries out an item only when its input, the server's version of
its connection and the new plan all equal those of the saved plan. The new plan is the saved one by then: it is made
from the same input against the same server state, and it has the secrets that the file leaves out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time

from ansible_collections.datagrok.platform.plugins.module_utils._client.options import base_url
from ansible_collections.datagrok.platform.plugins.module_utils._errors import PlanFileError
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import SECRET_WRITTEN

FORMAT = 'datagrok.platform/plan'
FORMAT_VERSION = 2  # 2: each entry carries entry_digest
KEY_CHECK = 'datagrok.platform plan key'
# What a connection's version covers of the connection as read. Datagrok stamps updatedOn on a save
# (tests/emulator/FIDELITY.md); the fields are compared too, for a server that would not.
VERSION_FIELDS = ('id', 'namespace', 'name', 'friendlyName', 'description', 'dataSource', 'parameters', 'tags', 'updatedOn')
# Keys an item gains while it is planned, which are no input of the user's.
DERIVED_KEYS = ('renamed_from',)


# Keyed digests of a saved plan (SecretDigest): the key is stretched once per plan, so that a plan file gives someone
# who lacks the key no cheap way to test guesses of it, or of a secret, against its digests.
DIGEST_ROUNDS = 200000
DIGEST_PREFIX = 'hmac-sha256:'


def refused(name, reason):
    """How a result words a connection that a saved plan keeps from being carried out."""
    return "Refused connection '%s': %s" % (name, reason)


def changes(before, after, prefix=''):
    """``{path: {'before', 'after'}}`` of every field that differs between two diff views; a mapping inside a view is
    compared key by key (``parameters.port``), anything else as a whole (``tags``, ``shares``)."""
    found = {}
    for key in sorted(set(before) | set(after), key=str):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) or isinstance(new, dict):
            found.update(changes(old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {},
                                 '%s%s.' % (prefix, key)))
        elif old != new:
            found['%s%s' % (prefix, key)] = {'before': old, 'after': new}
    return found


def written_secrets(plan):
    """``{path: value}`` of each secret the plan sends, by the path its change has in ``changes()``."""
    written = {}
    body = plan.body or {}
    for section, values in (('parameters', body.get('parameters')), ('credentials', (body.get('credentials') or {}).get('parameters'))):
        for key, shown in (plan.after.get(section) or {}).items():
            if shown == SECRET_WRITTEN:
                written['%s.%s' % (section, key)] = (values or {}).get(key)
    for group, _group_json, parameters in plan.group_credentials_writes:
        for key, shown in ((plan.after.get('group_credentials') or {}).get(group) or {}).items():
            if shown == SECRET_WRITTEN:
                written['group_credentials.%s.%s' % (group, key)] = parameters.get(key)
    return written


def from_options(params, check_mode, form):
    """The saved plan that O(save_plan) or O(apply_plan) asks for, or None. ``form`` is V(single) (O(name)) or V(bulk)
    (O(connections)). A plan to apply is read and checked here, before any request."""
    key, server = params['plan_key'] or params['api_key'], base_url(params['url'])
    if params['save_plan']:
        if not check_mode:
            raise PlanFileError('save_plan: a plan is saved by a check run (--check, or check_mode: true), and applied '
                                'by a later run with apply_plan')
        return SavedPlan.new(params['save_plan'], key, server, form)
    if params['apply_plan']:
        try:
            return SavedPlan.load(params['apply_plan'], key, server, form, params['apply_plan_mode'])
        except PlanFileError as exc:
            raise PlanFileError('apply_plan: %s' % exc)
    return None


class SavedPlan(object):
    """The plan of one run: made to be saved (``new``), or read back to be applied (``load``)."""

    def __init__(self, key, server, form, salt, saved=None, mode='per_item'):
        self.server, self.form, self.salt, self.mode = server, form, salt, mode
        self.digest = SecretDigest(key, salt)
        self.saved = saved  # the entries read from a plan file, by casefolded name; None when saving
        self.path = None
        self.written = None  # the plan as saved

    @property
    def applying(self):
        return self.saved is not None

    @classmethod
    def new(cls, path, key, server, form):
        plan = cls(key, server, form, secrets.token_hex(16))
        plan.path = path
        return plan

    @classmethod
    def load(cls, path, key, server, form, mode='per_item'):
        try:
            with open(path) as handle:
                document = json.load(handle)
        except (IOError, OSError) as exc:
            raise PlanFileError('cannot read %s: %s' % (path, exc.strerror or exc))
        except ValueError as exc:
            raise PlanFileError('%s is not a plan (not JSON: %s)' % (path, exc))
        if not isinstance(document, dict) or document.get('format') != FORMAT or not isinstance(document.get('connections'), list):
            raise PlanFileError('%s is not a plan saved by save_plan' % path)
        if not all(isinstance(e, dict) and isinstance(e.get('name'), str) and isinstance(e.get('action'), str)
                   for e in document['connections']):
            raise PlanFileError('%s is not a plan saved by save_plan: an entry lacks its name or action' % path)
        if document.get('format_version') != FORMAT_VERSION:
            raise PlanFileError('%s has plan format %s; this collection reads format %s: plan again'
                                % (path, document.get('format_version'), FORMAT_VERSION))
        if document.get('server') != server:
            raise PlanFileError('the plan was made for %s, not for %s' % (document.get('server'), server))
        if document.get('form') != form:
            option = 'name' if document['form'] == 'single' else 'connections'
            raise PlanFileError('the plan was made with %s, so apply it with %s too' % (option, option))
        plan = cls(key, server, form, str(document.get('salt')), mode=mode)
        if plan.digest.of(KEY_CHECK) != document.get('key_check'):
            raise PlanFileError('the plan was made with another plan_key (by default the api_key): apply it with the key '
                                'it was made with, or plan again')
        plan.saved = dict((entry['name'].casefold(), entry) for entry in document['connections'])
        plan.path = path
        return plan

    # -- what a plan records -------------------------------------------------------------------

    def version(self, current, stored_creds=None, grants=None):
        """The server's version of a connection, from what was read to plan it: its fields as read (updatedOn
        among them), and, when they were read, the credential set and the grants. None when it does not exist."""
        if current is None:
            return None
        shown = dict((field, current.get(field)) for field in VERSION_FIELDS)
        creds = current.get('credentials') if isinstance(current.get('credentials'), dict) else {}
        shown['credentials'] = {'id': creds.get('id'), 'openParameters': creds.get('openParameters'),
                                'keys': sorted(creds.get('parameters') or {})}
        rows = sorted((g.get('group_id'), g.get('permission'), g.get('id'), g.get('inherited_from')) for g in grants or [])
        basis = {'connection': shown, 'credentials': stored_creds, 'grants': rows if grants is not None else None}
        return {'id': current.get('id'), 'updatedOn': current.get('updatedOn'), 'digest': self.digest.of(basis)}

    def entry(self, item, plan):
        """What the plan file says of one connection, planned from ``item``."""
        found = changes(plan.before, plan.after)
        for path, value in written_secrets(plan).items():
            # Bound to the connection and the field: a secret used twice does not show as such.
            found.setdefault(path, {'before': None, 'after': SECRET_WRITTEN})['digest'] = self.digest.of([plan.name, path, value])
        entry = {'name': plan.name, 'action': plan.reported_action or 'none', 'changes': found, 'server_version': plan.server_version,
                 'input_digest': self.digest.of(dict((k, v) for k, v in item.items() if v is not None and k not in DERIVED_KEYS))}
        entry.update((k, v) for k, v in (('renamed_from', plan.renamed_from), ('purged', item.get('purged'))) if v)
        entry['entry_digest'] = self._entry_digest(entry)
        return entry

    def _entry_digest(self, entry):
        """A keyed digest of everything else an entry says: an entry edited after the save no longer matches it."""
        return self.digest.of(dict((k, v) for k, v in entry.items() if k != 'entry_digest'))

    def document(self, entries):
        actions = [e['action'] for e in entries]
        return {'format': FORMAT, 'format_version': FORMAT_VERSION, 'server': self.server, 'form': self.form,
                'created': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'salt': self.salt,
                'key_check': self.digest.of(KEY_CHECK),
                'summary': dict((a, actions.count(a)) for a in sorted(set(actions))),
                'connections': sorted(entries, key=lambda e: e['name'].casefold())}

    def write(self, entries):
        """Write the plan atomically: a reader never sees half a plan, and a failed write leaves the old one."""
        document, path = self.document(entries), self.path
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(prefix='.plan-', dir=os.path.dirname(os.path.abspath(path)))
            with os.fdopen(handle, 'w') as out:
                json.dump(document, out, indent=1, sort_keys=True)
                out.write('\n')
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except (IOError, OSError) as exc:
            if temporary is not None and os.path.exists(temporary):
                os.remove(temporary)
            raise PlanFileError('cannot write %s: %s' % (path, exc.strerror or exc))
        self.written = document

    # -- what an apply may carry out -----------------------------------------------------------

    def refusals(self, entries):
        """Why each of ``entries`` (made now, as by ``entry``) must not be carried out, or None; and the name and
        reason of each planned change that no entry made now meets. Pure."""
        reasons = [self._refusal(entry) for entry in entries]
        met = set(e['name'].casefold() for e in entries)
        missing = [(saved['name'], 'changed since the plan: purge no longer finds it to delete' if saved.get('purged')
                    else 'input changed since the plan: it is no longer in the input')
                   for key, saved in sorted(self.saved.items()) if key not in met and saved['action'] != 'none']
        refused = sum(1 for r in reasons if r) + len(missing)
        if refused and self.mode == 'all_or_nothing':
            held = 'not applied: apply_plan_mode is all_or_nothing and %d connection%s refused' % (
                refused, ' was' if refused == 1 else 's were')
            reasons = [reason or (held if entry['action'] != 'none' else None) for reason, entry in zip(reasons, entries)]
        return reasons, missing

    def _refusal(self, now):
        saved = self.saved.get(now['name'].casefold())
        if saved is None:
            if now.get('purged'):
                return 'changed on the server since the plan: purge would now delete it, and the plan does not'
            return 'input changed since the plan: it is not in the plan'
        if saved.get('entry_digest') != self._entry_digest(saved):
            return 'the plan file does not match what save_plan wrote: its entry was edited after it was saved; plan again'
        if saved.get('input_digest') != now['input_digest']:
            return 'input changed since the plan'
        if saved['action'] == 'none':
            # Nothing was approved for it: it may still need nothing, however the server moved.
            if now['action'] == 'none':
                return None
            return 'not planned: the plan says no change, and it now needs %s' % _what(now)
        if saved.get('server_version') != now['server_version']:
            return 'changed on the server since the plan (%s)' % _moved(saved.get('server_version'), now['server_version'])
        differ = [k for k in ('action', 'renamed_from') if saved.get(k) != now.get(k)] + sorted(
            path for path in set(saved.get('changes') or {}) | set(now['changes'])
            if (saved.get('changes') or {}).get(path) != now['changes'].get(path))
        if differ:
            return 'not planned: the plan says %s, and it now needs %s (they differ in %s)' % (_what(saved), _what(now), ', '.join(differ))
        return None


def _moved(then, now):
    if now is None:
        return 'it no longer exists'
    if then is None:
        return 'it now exists'
    if then.get('id') != now.get('id'):
        return 'another connection holds the name: id %s then, %s now' % (then.get('id'), now.get('id'))
    if then.get('updatedOn') != now.get('updatedOn'):
        return 'updatedOn %s then, %s now' % (then.get('updatedOn'), now.get('updatedOn'))
    return 'its fields, credentials or shares differ'


def _what(entry):
    if entry['action'] == 'none':
        return 'no change'
    return '%s of %s' % (entry['action'], ', '.join(entry['changes']) or 'nothing shown')


class SecretDigest(object):
    """Keyed digests (HMAC-SHA256) of values that may hold secrets: what a saved plan shows of a secret it will write,
    of an item's input and of a connection as the server showed it. They tell equal values apart from different ones,
    and nothing else to someone who has the plan file but not ``key``. ``salt`` is the plan's own (random), so the
    digests of two plans cannot be matched with each other."""

    def __init__(self, key, salt):
        self._key = hashlib.pbkdf2_hmac('sha256', key.encode('utf-8'), salt.encode('ascii'), DIGEST_ROUNDS)

    def of(self, value):
        text = json.dumps(value, sort_keys=True, separators=(',', ':'), default=str)
        return DIGEST_PREFIX + hmac.new(self._key, text.encode('utf-8'), hashlib.sha256).hexdigest()[:32]
