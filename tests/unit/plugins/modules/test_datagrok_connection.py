# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bulk form checks the shape of its items first, in one line naming each item at fault."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import connection_argument_spec, item_shape_errors
from ansible_collections.datagrok.platform.plugins.modules import datagrok_connection

OPTIONS = connection_argument_spec()['connections']['options']


def test_each_item_at_fault_is_named_with_its_keys_and_the_nearest_known_one():
    items = [{'name': 'Good', 'data_source': 'S3'},
             {'name': 'Typo', 'data_sorce': 'S3', 'state': 'gone', 'shares': [{'group': 'Chemists', 'acess': 'View'}, 'x']},
             'text',
             {'data_source': 'S3', 'passwrd': 'hunter22'}]
    assert item_shape_errors(items, OPTIONS) == [
        "connections[1] (Typo): unknown key 'data_sorce' (did you mean 'data_source'?), "
        "unknown key 'shares[0].acess' (did you mean 'access'?), shares[1] must be a mapping of options, "
        "state must be one of present, absent, got 'gone'",
        'connections[2]: must be a mapping of options',
        "connections[3]: unknown key 'passwrd', name is required",
    ]


def test_with_a_misshapen_item_the_faults_of_the_well_shaped_ones_come_in_the_same_round():
    items = [{'name': 'Typo', 'data_sorce': 'S3'}, {'name': 'Fine', 'data_source': 'S3'},
             {'name': 'Access', 'data_source': 'S3', 'shares': [{'group': 'Chemists', 'access': 'Read'}]}]
    assert item_shape_errors(items, OPTIONS) == [
        "connections[0] (Typo): unknown key 'data_sorce' (did you mean 'data_source'?)",
        "connections[2] (Access): shares: access must be one of View, Edit (in any case), got 'Read'",
    ]


def test_good_items_have_no_shape_errors():
    assert item_shape_errors([{'name': 'a', 'state': 'absent', 'shares': [{'group': 'g'}]}], OPTIONS) == []


def test_the_module_fails_in_one_line_before_its_own_checks(module_output):
    args = {'url': 'https://dg.example.com', 'api_key': 'k3y',
            'connections': [{'name': 'Typo', 'data_sorce': 'S3', 'credentials': {'password': 'hunter22'}}]}
    result = json.loads(module_output(datagrok_connection, args))
    assert result['failed']
    assert result['msg'] == ("Invalid option connections: connections[0] (Typo): unknown key 'data_sorce' "
                             "(did you mean 'data_source'?)")
    assert 'hunter22' not in json.dumps(result)
