# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Comparison: when a value given equals the value the server holds.

GrokConnect reads parameters by key case-insensitively and as text, so ``'5432'`` equals ``5432``. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.datagrok.platform.plugins.module_utils._secrets import is_placeholder


def _scalar(value):
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ('true', 'false'):
            return text.lower() == 'true'
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return text or None
    return value


def same_value(desired, current):
    """Equality after normalisation: ``'5432'`` equals ``5432``, ``'true'`` equals ``True``, ``''`` equals null.

    Dicts compare their keys case-insensitively (GrokConnect reads parameters that way).
    """
    if isinstance(desired, dict) and isinstance(current, dict):
        a, b = _fold_keys(desired), _fold_keys(current)
        return set(a) == set(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(desired, list) and isinstance(current, list):
        return len(desired) == len(current) and all(same_value(x, y) for x, y in zip(desired, current))
    a, b = _scalar(desired), _scalar(current)
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _fold_keys(mapping):
    return dict((str(k).casefold(), v) for k, v in mapping.items())


def is_server_default(value):
    # Keys the server fills in on its own (ssl: false, connString: '', cacheSchema: false...).
    return value in (None, '', False, {}, [])


def secret_status(desired, stored):
    """'same', 'differs' or 'unknown' (the server only shows a placeholder) for one secret value."""
    if stored is None:
        return 'differs'
    if is_placeholder(stored):
        return 'unknown'
    return 'same' if same_value(desired, stored) else 'differs'


def secret_write(policy, desired, stored):
    """``(write, unverified)`` for one secret under ``update_credentials``: whether it is sent, and whether it could
    not be compared (the server shows only a placeholder)."""
    if policy == 'always':
        return True, False
    if policy == 'on_create':
        return False, False
    status = secret_status(desired, stored)
    return status == 'differs', status == 'unknown'
