# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets are masked where they stand as a whole word, and nowhere else (no_log garbled names)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._connection.secrets import SecretScrubber

MASK = '********'


def scrubber(*secrets):
    found = SecretScrubber(MASK)
    for secret in secrets:
        found.add(secret)
    return found


@pytest.mark.parametrize('secrets, text, expected', [
    (['sa'], 'changed: Admin:sales_dw, Admin:Pisa_orders', 'changed: Admin:sales_dw, Admin:Pisa_orders'),
    (['sa'], 'password authentication failed for password "sa"', 'password authentication failed for password "' + MASK + '"'),
    (['inventory'], 'The inventory database', 'The ' + MASK + ' database'),
    (['inventory'], 'inventory_db and inventory2', 'inventory_db and inventory2'),
    (['p@ss w0rd!'], 'jdbc:x://u:p@ss w0rd!@db/x', 'jdbc:x://u:' + MASK + '@db/x'),
    (['!!'], 'a!!b and !!', 'a!!b and ' + MASK),
    (['sales'], 'Admin:sales_dw and sales', 'Admin:sales_dw and ' + MASK),
    (['ab', 'abcd'], 'abcd ab abc', MASK + ' ' + MASK + ' abc'),
    (['x'], 'x marks the spot', 'x marks the spot'),
])
def test_whole_words_only(secrets, text, expected):
    assert scrubber(*secrets).scrub(text) == expected


def test_nested_values_and_keys():
    value = {'msg': 'token tk9 refused', 'tk9': ['tk9', 5, None, ('tk9x',)]}
    assert scrubber('tk9').scrub(value) == {'msg': 'token %s refused' % MASK, MASK: [MASK, 5, None, ['tk9x']]}


def test_nothing_registered_returns_the_value_itself():
    value = {'a': 'b'}
    assert not scrubber() and scrubber().scrub(value) is value


def test_cost_does_not_grow_with_the_number_of_secrets():
    # Each secret is only looked for in strings that hold its longest word: 20,000 secrets, none present.
    many = scrubber(*('Pw%05dzq' % i for i in range(20000)))
    texts = ['Admin:conn_%05d created' % i for i in range(20000)]
    assert many.scrub(texts) == texts
    assert len(many._patterns) == 0  # pylint: disable=protected-access
