# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared by the unit tests: the real DatagrokClient over the fake session of fakes.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._api import DatagrokClient
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeSession


@pytest.fixture
def routed_client():
    """``routed_client(routes)`` is ``(client, session)``: routes map a path to ``(status, JSON body)``."""
    def make(routes):
        session = FakeSession(routes=routes, base='http://dg')
        return DatagrokClient('http://dg', 'k', session=session, sleep=lambda s: None), session
    return make
