# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Masking secret values in free text, where each one stands as a whole word.

Ansible's no_log replaces a value wherever it occurs, inside other words too: with a password ``sa``,
``Admin:sales_dw`` would read ``Admin:********les_dw``. A secret is masked here only where it is not
next to a letter, a digit or an underscore, so it still goes from ``password "sa" rejected`` and the names stay.

The cost is linear in the text, however many secrets there are: each secret is looked for only in the
strings that hold its longest run of letters and digits as a whole word, which every match does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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

    __nonzero__ = __bool__

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
