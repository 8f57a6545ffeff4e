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
import re

from ansible_collections.datagrok.platform.plugins.module_utils._connection.catalogue import is_secret, lookup, suggestion

# Datagrok's own placeholders for a stored secret (grok_shared credentials.dart): 13 underscores,
# and "not-changed" with an EM DASH. Sending either back keeps the stored value.
PASSWORD_PLACEHOLDER = '_' * 13
SAME_PASSWORD = u'not\u2014changed'
PLACEHOLDERS = (PASSWORD_PLACEHOLDER, SAME_PASSWORD)

# What results and diffs show instead of a secret.
MASK = '********'
SECRET_KEPT = '<secret>'
SECRET_WRITTEN = '<secret: will be written>'

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


# -- masking in free text --
# Masking secret values in free text, where each one stands as a whole word.
#
# Ansible's no_log replaces a value wherever it occurs, inside other words too: with a password ``sa``,
# ``Admin:sales_dw`` would read ``Admin:********les_dw``. A secret is masked here only where it is not
# next to a letter, a digit or an underscore, so it still goes from ``password "sa" rejected`` and the names stay.
#
# The cost is linear in the text, however many secrets there are: each secret is looked for only in the
# strings that hold its longest run of letters and digits as a whole word, which every match does.

WORD = re.compile(r'[0-9A-Za-z_]+')
_EDGES = '(?<![0-9A-Za-z_])(?:%s)(?![0-9A-Za-z_])'


class SecretScrubber(object):
    """A set of secrets and the one way to take them out of a value (strings, and dicts and lists of them)."""

    def __init__(self, mask):
        self.mask = mask
        self._by_word = {}    # longest word of a secret: the secrets it may start
        self._wordless = set()  # secrets without a letter or digit: looked for everywhere
        self._patterns = {}

    def __bool__(self):
        return bool(self._by_word or self._wordless)

    def add(self, secret):
        """Register a secret. One character is too little to tell from text: such a value is hidden by key only."""
        if len(secret) < 2:
            return
        words = WORD.findall(secret)
        if words:
            self._by_word.setdefault(max(words, key=len), set()).add(secret)
        else:
            self._wordless.add(secret)

    def scrub(self, value):
        if not self:
            return value
        if isinstance(value, str):
            return self._scrub_text(value)
        if isinstance(value, dict):
            return dict((self.scrub(k), self.scrub(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value

    def _scrub_text(self, text):
        candidates = set(self._wordless)
        for word in set(WORD.findall(text)):
            candidates.update(self._by_word.get(word, ()))
        if not candidates:
            return text
        key = frozenset(candidates)
        pattern = self._patterns.get(key)
        if pattern is None:
            # The longest first, so a secret that holds another is masked whole.
            alternatives = '|'.join(re.escape(s) for s in sorted(candidates, key=len, reverse=True))
            if len(self._patterns) > 256:
                self._patterns.clear()
            pattern = self._patterns.setdefault(key, re.compile(_EDGES % alternatives))
        return pattern.sub(self.mask, text)
