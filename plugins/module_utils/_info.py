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

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.datagrok.platform.plugins.module_utils._names import split_grok_name
from ansible_collections.datagrok.platform.plugins.module_utils._secrets import mask_connection
from ansible_collections.datagrok.platform.plugins.module_utils._shares import inherited_access, inherited_view, own_access, shares_view


def find_connection(client, name=None, conn_id=None):
    """The connection with this id, or with this name (``Name`` in the caller's namespace, or ``Namespace:Name``),
    as read (not masked); None when there is none. The name must have passed ``_names.name_error``."""
    if conn_id is not None:
        return client.get_connection(conn_id)
    namespace, short = split_grok_name(name)
    return client.get_connection((namespace or client.caller_namespace()) + short)


def search_connections(client, text=None, data_source=None, tags=None, namespace=None):
    """Every connection matching all the filters given, as read (not masked)."""
    found = client.list_connections(text=text, data_source=data_source, tags=tags)
    if namespace:
        wanted = namespace.rstrip(':').casefold()
        found = [c for c in found if (c.get('namespace') or '').rstrip(':').casefold() == wanted]
    return found


def read_grants(client, connections, max_workers=8):
    """The grants of each connection, in order (one request each, ``max_workers`` at a time)."""
    with ThreadPoolExecutor(max(1, max_workers)) as pool:
        return list(pool.map(lambda c: client.list_grants(c['id']), connections))


def shown(conn, grants=None):
    """A connection as a result or a template shows it: secrets masked, and with ``grants`` its own shares
    (``shares``) apart from those inherited from containing projects (``inherited_shares``)."""
    masked = mask_connection(conn)
    if grants is not None:
        masked['shares'] = shares_view(own_access(grants))
        masked['inherited_shares'] = inherited_view(inherited_access(grants))
    return masked
