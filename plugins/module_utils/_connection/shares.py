# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Shares: who holds View or Edit on a connection, and what it takes to reach the wanted shares. Pure (no I/O).

Grants come from ``ServerReads.list_grants`` (``_reads.py``). A grant *inherited* from a project that links the
connection belongs to that project: it is shown, read-only and apart, and never revoked through the connection.
A wanted share that a group already holds, on its own or through inheritance, needs no grant: ``shares`` asks
that the group can use the connection, which it can. ``shares_mode=exact`` makes the connection's *own* grants
exactly the wanted ones.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# What the shares of one connection need: grants to add as (group name, access), permission ids to revoke, and
# the diff's views of the own shares before and after, and of the inherited ones (the same before and after).
SharesPlan = namedtuple('SharesPlan', 'to_add to_revoke before after inherited')

_RANK = {'View': 1, 'Edit': 2}
_SPELLING = dict((access.casefold(), access) for access in _RANK)


def canonical_access(access):
    """V(View) or V(Edit) as Datagrok spells it, from any case (like group names); None when it is neither."""
    access = 'View' if access is None else access
    return _SPELLING.get(access.strip().casefold()) if isinstance(access, str) else None


def _access(permissions):
    # View is "View and Use"; Edit is full control. Other permission names (Delete, Share) add nothing here.
    return 'Edit' if 'Edit' in permissions else 'View' if 'View' in permissions else None


def own_access(grants):
    """The connection's own grants: {group id: {'name', 'access', 'rows': {permission: row id}}}."""
    access = {}
    for grant in grants:
        if grant.get('inherited_from'):
            continue
        entry = access.setdefault(grant['group_id'], {'name': grant['group'], 'rows': {}})
        entry['rows'][grant['permission']] = grant['id']
    for entry in access.values():
        entry['access'] = _access(entry['rows']) or 'View'
    return access


def inherited_access(grants):
    """Grants from containing projects: {group id: {'name', 'access', 'from': sorted project names}}."""
    access = {}
    for grant in grants:
        if not grant.get('inherited_from'):
            continue
        entry = access.setdefault(grant['group_id'], {'name': grant['group'], 'permissions': set(), 'from': set()})
        entry['permissions'].add(grant['permission'])
        entry['from'].add(grant['inherited_from'])
    return dict((gid, {'name': e['name'], 'access': _access(e['permissions']), 'from': sorted(e['from'])})
                for gid, e in access.items() if _access(e['permissions']))


def shares_view(access):
    """``own_access()`` as the module's ``shares`` option spells it, sorted by group."""
    return sorted(({'group': e['name'], 'access': e['access']} for e in access.values()),
                  key=lambda s: (s['group'] or '').casefold())


def inherited_view(access):
    """``inherited_access()`` for results and diffs: each group with the projects it holds its access through."""
    return sorted(({'group': e['name'], 'access': e['access'], 'from': e['from']} for e in access.values()),
                  key=lambda s: (s['group'] or '').casefold())


def plan_shares(wanted, grants, groups, exact, exists):
    """What the wanted shares need.

    ``wanted`` is the ``shares`` option (each ``{group, access}``), ``grants`` the connection's grants (none when it
    is created), ``groups`` maps each wanted group name, casefolded, to its Group JSON.
    """
    own = own_access(grants) if exists else {}
    inherited = inherited_access(grants) if exists else {}
    want = {}
    for share in wanted:
        group = groups[share['group'].casefold()]
        want[group['id']] = {'name': group['name'], 'access': share['access']}
    to_add, to_revoke = [], []
    after = dict((gid, dict(e)) for gid, e in own.items())
    for gid, wish in want.items():
        held = max(_RANK.get((own.get(gid) or {}).get('access'), 0), _RANK.get((inherited.get(gid) or {}).get('access'), 0))
        if held < _RANK[wish['access']]:
            to_add.append((wish['name'], wish['access']))
            after[gid] = {'name': wish['name'], 'access': wish['access']}
        elif exact and wish['access'] == 'View' and (own.get(gid) or {}).get('access') == 'Edit':
            # Whether access=Edit also adds a View row is not on record (tests/emulator/FIDELITY.md, --edit-grant):
            # without one, revoking Edit alone would leave the group nothing, so View is granted first.
            if 'View' not in own[gid]['rows']:
                to_add.append((wish['name'], 'View'))
            to_revoke.append(own[gid]['rows']['Edit'])
            after[gid] = {'name': own[gid]['name'], 'access': 'View'}
    if exact:
        for gid, held in own.items():
            if gid not in want:
                to_revoke.extend(sorted(v for v in held['rows'].values() if v))
                after.pop(gid)
    return SharesPlan(to_add, to_revoke, shares_view(own) if exists else None, shares_view(after), inherited_view(inherited))
