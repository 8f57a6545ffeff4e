# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared by the unit tests: the real DatagrokClient over the fake session of fakes.py, and a module's main() run
with given arguments."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeSession


@pytest.fixture
def routed_client():
    """``routed_client(routes)`` is ``(client, session)``: routes map a path to ``(status, JSON body)``."""
    def make(routes):
        session = FakeSession(routes=routes, base='http://dg')
        return DatagrokClient('http://dg', 'k', session=session, sleep=lambda s: None), session
    return make


try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


@pytest.fixture
def module_output(capsys):
    """``module_output(module, args)``: what ``module.main()`` prints (its JSON result) when run with ``args``, and
    a server URL and key that reach nothing unless ``args`` gives others."""
    def run(module, args):
        with patch_module_args(dict(dict(url='http://127.0.0.1:9', api_key='unit-key-123'), **args)):
            with pytest.raises(SystemExit):
                module.main()
        return capsys.readouterr().out
    return run
