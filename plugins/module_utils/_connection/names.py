# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Names: a connection's grok name (``Namespace:Name``). Pure (no I/O)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def split_grok_name(name):
    """``'Ns:Name'`` -> ``('Ns:', 'Name')``; ``'Name'`` -> ``(None, 'Name')``. Nested spaces split on the last colon."""
    if ':' in name:
        namespace, short = name.rsplit(':', 1)
        return namespace + ':', short
    return None, name


def name_error(name):
    """Why ``name`` cannot be used for a connection, or None."""
    if name is None or not name.strip():
        return 'must not be empty'
    namespace, short = split_grok_name(name)
    if not short.strip() or (namespace is not None and not namespace.strip(':').strip()):
        return "must be 'Name' or 'Namespace:Name', got %r" % name
    # Datagrok URLs write ':' as '.', and the server turns every '.' back into ':'.
    bad = [c for c in '.\\/' if c in name] + (['control characters'] if any(ord(c) < 32 for c in name) else [])
    if bad:
        return "%r cannot be addressed through the API (it contains %s)" % (name, ', '.join(repr(b) for b in bad))
    return None


def grok_name(conn):
    return (conn.get('namespace') or '') + (conn.get('name') or '')


def name_key(namespace, short):
    return ((namespace or '').casefold(), short.casefold())
