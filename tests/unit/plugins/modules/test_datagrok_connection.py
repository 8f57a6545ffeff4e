# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The role `connections` checks its items against the module's per-connection options: they must stay equal."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml

from ansible_collections.datagrok.platform.plugins.module_utils._module import connection_item_spec

ROLE_VARS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'roles', 'connections', 'vars', 'main.yml')


def role_vars():
    with open(ROLE_VARS) as handle:
        return yaml.safe_load(handle)


def test_the_roles_item_keys_are_the_modules_connection_options():
    assert role_vars()['datagrok_connections_item_keys'] == list(connection_item_spec())


def test_the_roles_item_choices_are_the_modules():
    spec = connection_item_spec()
    choices = dict((key, option['choices']) for key, option in spec.items() if 'choices' in option)
    assert role_vars()['datagrok_connections_item_choices'] == choices
