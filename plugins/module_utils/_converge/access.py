# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Whether the api_key's user may change a connection, so that check mode foresees the server's HTTP 403.

Datagrok lets a connection be changed by its author, by members of Administrators, and by groups holding more
than View ("Full control") on it or on a project that links it (help/govern/access-control/access-control.md;
permission names in js-api grok_shared.api.g.ts ``Permission``). Permissions reach users through nested groups.
The prediction refuses only where all of that is known and none of it holds; anything it cannot read (the
caller, their groups, the grants, global permissions such as *Admin System Connections* for ``System:``) leaves
the write to the server, as without the prediction.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError

# Seeded on every instance (python-api datagrok_api/models/group.py; tools registry.ts).
ADMINISTRATORS = '1ab8b38d-9c4e-4b1e-81c3-ae2bde3e12c5'

# Global permissions decide who edits platform connections; they cannot be read through the API.
PLATFORM_NAMESPACES = ('system:',)


def write_refusal(client, operation, name, current, grants=None):
    """Why the server will refuse the caller's ``operation`` on ``current``, or None when it will not (or when that
    cannot be known). ``grants`` are those already read for the plan (``list_grants``), if any."""
    if (current.get('namespace') or '').casefold() in PLATFORM_NAMESPACES:
        return None
    caller = client.caller_groups()
    author = (current.get('author') or {}).get('id')
    if caller is None or not author:
        return None
    user, groups = caller
    if ADMINISTRATORS in groups or author.casefold() == user['id'].casefold():
        return None
    if grants is None:
        try:
            grants = client.list_grants(current['id'])
        except DatagrokError:
            return None
    held = set(g['permission'] for g in grants if g['group_id'].casefold() in groups)
    if held - {'View'}:
        return None
    return ("Cannot %s connection '%s': the api_key's user (%s) is not its author, not an administrator, and holds "
            "%s on it, so the server would refuse the write with HTTP 403 (foreseen in check mode from its grants)"
            % (operation, name, user.get('login') or user['id'], 'only View' if held else 'no permission'))


def credentials_refusal(client, name, group_writes):
    """Why the server will refuse to set the credentials of one of the groups in ``group_writes`` (a plan's
    ``(group name, Group JSON, parameters)``), or None. Besides editing the connection, a user who is not an
    administrator must administer the group (help/govern/access-control/access-control.md, "Manage credentials")."""
    caller = client.caller_groups()
    if caller is None or not group_writes:
        return None
    user, groups = caller
    if ADMINISTRATORS in groups:
        return None
    administered = client.administered_groups()
    if administered is None:
        return None
    for group, group_json, _parameters in group_writes:
        if (group_json.get('id') or '').casefold() not in administered:
            return ("Cannot write the credentials of group '%s' of connection '%s': the api_key's user (%s) is not an "
                    "administrator, nor of group %s, so the server would refuse the write with HTTP 403 (foreseen in "
                    "check mode from the user's groups)" % (group, name, user.get('login') or user['id'], group))
    return None
