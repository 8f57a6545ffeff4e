# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The data-source catalogue against the snapshot of Grok Connect's provider templates.

tests/emulator/evidence/grok_connect.json holds facts read from datagrok-ai/public by
hacking/snapshot_grok_connect.py: each registered provider's keys, types and editors. A later audit
refreshes the snapshot; these tests then name every entry of the catalogue that must follow.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._connection import data_sources as table

SNAPSHOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'emulator', 'evidence', 'grok_connect.json')
with open(SNAPSHOT) as handle:
    PROVIDERS = json.load(handle)['providers']

KINDS = {'string': table.STR, 'int': table.INT, 'bool': table.BOOL, 'map': table.DICT}
# Keys every provider's entry has besides its templates: DataSource.cacheTemplate, and jdbcProperties where it has a template.
COMMON = set(table.CACHE) | {'jdbcProperties'}


def kind_of(fact):
    if fact.get('secret'):
        return table.SECRET
    if fact.get('choices'):
        return tuple(fact['choices'])
    return KINDS[fact['type']]


def beyond(name):
    return set(table.BEYOND_TEMPLATES.get(name, ()))


def test_every_registered_provider_has_an_entry():
    assert sorted(set(PROVIDERS) - set(table.SOURCES)) == []
    assert set(PROVIDERS) <= set(table.DATA_SOURCES)


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_the_entry_has_the_template_keys_and_types(name):
    facts, entry = PROVIDERS[name], table.SOURCES[name]
    assert entry.source == facts['file']
    parameters = dict((k, v) for k, v in entry.parameters.items() if k not in COMMON | beyond(name))
    expected = dict((k, kind_of(f)) for k, f in facts['parameters'].items() if k not in table.CACHE)
    assert parameters == expected
    credentials = dict((k, v) for k, v in entry.credentials.items() if k not in beyond(name))
    assert credentials == dict((k, kind_of(f)) for k, f in facts['credentials'].items())


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_jdbc_properties_are_checked_where_the_template_names_them(name):
    template = PROVIDERS[name]['jdbc_properties']
    entry = table.SOURCES[name]
    assert ('jdbcProperties' in entry.parameters) == bool(template)
    if any(fact.get('unresolved') for fact in template.values()):
        # The names are constants of a closed-source driver (Oracle): nothing to check them against.
        assert entry.jdbc is None
    else:
        assert (entry.jdbc or {}) == dict((k, kind_of(f)) for k, f in template.items())


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_keys_beyond_the_templates_are_listed_with_their_reason(name):
    entry = table.SOURCES[name]
    extra = (set(entry.parameters) - COMMON - set(PROVIDERS[name]['parameters'])) | (set(entry.credentials) - set(PROVIDERS[name]['credentials']))
    assert extra == beyond(name)


@pytest.mark.parametrize('name', sorted(PROVIDERS))
def test_required_keys_are_template_keys(name):
    known = set(table.SOURCES[name].parameters)
    for alternative in table.SOURCES[name].required:
        assert set(alternative) <= known, alternative
