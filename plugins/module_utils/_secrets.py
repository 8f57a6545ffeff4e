# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Secrets: every rule that decides whether a value is a secret, and every way one is hidden.

The catalogue (``_catalogue.py``) says which keys of a data source it knows are secrets; the name rules here decide
for the rest. What a run shows instead of a secret (``MASK``, the diff's markers) is defined here too, and so are
the values handed to Ansible's output scrubbing (``secret_values``). Pure (no I/O)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import hashlib
import hmac
import json
import re

from ansible_collections.datagrok.platform.plugins.module_utils._catalogue import is_secret, lookup, suggestion

# Datagrok's own placeholders for a stored secret (grok_shared credentials.dart): 13 underscores,
# and "not-changed" with an EM DASH. Sending either back keeps the stored value.
PASSWORD_PLACEHOLDER = '_' * 13
SAME_PASSWORD = u'not\u2014changed'
PLACEHOLDERS = (PASSWORD_PLACEHOLDER, SAME_PASSWORD)

# What results and diffs show instead of a secret.
MASK = '********'
SECRET_KEPT = '<secret>'
SECRET_WRITTEN = '<secret: will be written>'

# Keyed digests of a saved plan (SecretDigest): the key is stretched once per plan, so that a plan file gives someone
# who lacks the key no cheap way to test guesses of it, or of a secret, against its digests.
DIGEST_ROUNDS = 200000
DIGEST_PREFIX = 'hmac-sha256:'

# The rule for keys the catalogue (_catalogue.py) does not know: password-class names in Datagrok
# (GrokConnect "password"/"rsa" editors and file shares), and any key that looks like a secret.
SECRET_KEY_SPELLINGS = (
    'password', 'secretKey', 'PWD', 'passPhrase', 'privateKey', '#OAuthAccessToken', 'token',
    'SAS', 'shared token', 'access token', 'refresh token', 'apiKey', 'clientSecret',
)
SECRET_KEYS = frozenset(k.casefold() for k in SECRET_KEY_SPELLINGS)
SECRET_KEY_FRAGMENTS = ('password', 'secret', 'passphrase', 'privatekey', 'token')
# Secrets embedded in a connection string (connString): "password=...;" and "scheme://user:pass@host".
EMBEDDED_SECRETS = (
    re.compile(r'(?i)(\b(?:password|pwd|passphrase|secret\w*|\w*token)\s*=\s*)([^;&\s]+)'),
    re.compile(r'(\w+://[^:/@\s]*:)([^@/\s]+)(?=@)'),
)


def is_secret_key(key, data_source=None):
    """The one place that decides whether a parameter or credential key holds a secret.

    The catalogue decides for the keys it knows of ``data_source``; a name rule for the rest.
    """
    known = is_secret(data_source, key)
    if known is not None:
        return known
    folded = str(key).casefold()
    return folded in SECRET_KEYS or any(f in folded.replace(' ', '') for f in SECRET_KEY_FRAGMENTS)


def is_placeholder(value):
    return value in PLACEHOLDERS


def embedded_secrets(value):
    """Secrets written inside a string value, such as a connection string."""
    if not isinstance(value, str):
        return []
    return [m.group(2) for pattern in EMBEDDED_SECRETS for m in pattern.finditer(value) if not is_placeholder(m.group(2))]


def misspelt_secret_key(key, data_source=None):
    """Whether ``key``, which the catalogue does not list for ``data_source``, most likely means one of its secrets.

    A misspelt secret (``passwd``, ``pasword``) fails the task, and the failure carries the module's
    arguments; its value must be hidden all the same. Keys the catalogue knows are never affected.
    """
    if is_secret(data_source, key) is not None:
        return False
    source = lookup(data_source)
    candidates = (list(source.parameters) + list(source.credentials or {})) if source else SECRET_KEY_SPELLINGS
    meant = suggestion(key, candidates)
    return meant is not None and is_secret_key(meant, data_source)


def secret_values(params, data_source=None):
    """The secret values in a parameter dict, for Ansible's no_log scrubbing (also those of misspelt secret keys)."""
    values = []
    for key, value in (params or {}).items():
        if is_secret_key(key, data_source) or misspelt_secret_key(key, data_source):
            if value not in (None, '') and not is_placeholder(value):
                values.append(str(value))
        else:
            values.extend(embedded_secrets(value))
    return values


def mask_value(key, value, data_source=None):
    if is_secret_key(key, data_source):
        return MASK if value not in (None, '') else value
    if isinstance(value, str):
        for pattern in EMBEDDED_SECRETS:
            value = pattern.sub(lambda m: m.group(1) + MASK, value)
    return value


def mask_parameters(params, data_source=None):
    return dict((k, mask_value(k, v, data_source)) for k, v in (params or {}).items())


def mask_connection(conn):
    """A connection as a module may return it: secrets replaced, stored credential values dropped."""
    if not conn:
        return conn
    masked = copy.deepcopy(conn)
    data_source = masked.get('dataSource')
    masked['parameters'] = mask_parameters(masked.get('parameters'), data_source)
    creds = masked.get('credentials')
    if isinstance(creds, dict):
        creds['parameters'] = dict((k, MASK) for k in (creds.get('parameters') or {}))
        creds['openParameters'] = dict((k, v) for k, v in (creds.get('openParameters') or {}).items()
                                       if not is_secret_key(k, data_source))
    return masked


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
