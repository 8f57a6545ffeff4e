# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Reading connections as the collection shows them: one by name or id, many by filter, secrets masked.

The module datagrok_connection_info and the lookup datagrok.platform.connection both answer through here, so that
a connection looks the same in a registered result and in a template.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import mask_connection
from ansible_collections.datagrok.platform.plugins.module_utils._connection.shares import inherited_access, inherited_view, own_access, shares_view


def find_connection(client, name=None, conn_id=None):
    """The connection with this id, or with this name (``Name`` in the caller's namespace, or ``Namespace:Name``),
    as read (not masked); None when there is none. The name must have passed ``names.name_error``."""
    return client.get_connection(conn_id if conn_id is not None else client.full_name(name))


def shown(conn, grants=None):
    """A connection as a result or a template shows it: secrets masked, and with ``grants`` its own shares
    (``shares``) apart from those inherited from containing projects (``inherited_shares``)."""
    masked = mask_connection(conn)
    if grants is not None:
        masked['shares'] = shares_view(own_access(grants))
        masked['inherited_shares'] = inherited_view(inherited_access(grants))
    return masked
