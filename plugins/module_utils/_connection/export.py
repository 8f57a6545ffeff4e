# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Export: a server's connection in the input shape of datagrok_connection, for adoption. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.names import grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import is_placeholder, is_secret_key, mask_value
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import own_access, shares_view


def export_connection(conn, grants=None):
    """A server connection in exactly the input shape of datagrok_connection, without secrets."""
    data_source = conn.get('dataSource')
    item = {
        'name': grok_name(conn),
        # Applied to another instance, the connection is created under the same id, which queries refer to.
        'id': conn.get('id'),
        'data_source': data_source,
        # Secrets, and strings with a secret inside (a connection string with a password), are left out:
        # exported masked, they would overwrite the real value when fed back.
        'parameters': dict((k, v) for k, v in (conn.get('parameters') or {}).items()
                           if not is_secret_key(k, data_source) and not is_placeholder(v) and mask_value(k, v, data_source) == v),
        'tags': sorted(conn.get('tags') or []),
    }
    for option, field in (('description', 'description'), ('friendly_name', 'friendlyName')):
        if conn.get(field) is not None:
            item[option] = conn[field]
    if grants is not None:
        # Only the connection's own grants: inherited ones belong to their project, and applying them would copy them.
        item['shares'] = shares_view(own_access(grants))
    return item
