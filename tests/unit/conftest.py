# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared by the unit tests: the real DatagrokClient over a session that answers by path."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._api import DatagrokClient


class RoutedSession(object):
    """Answers by path (the part after the base URL), recording each path sent; a path not routed is a 404."""

    def __init__(self, routes):
        self.routes = routes
        self.sent = []
        self.headers = {}
        self.verify = True

    def request(self, method, url, params=None, data=None, timeout=None):
        path = url.replace('http://dg', '')
        self.sent.append(path)
        status, body = self.routes.get(path, (404, {'#type': 'ApiError', 'message': 'Not Found', 'errorCode': 404}))
        return Response(status, body)


class Response(object):
    def __init__(self, status, body):
        self.status_code = status
        self.headers = {}
        self.reason = 'reason'
        self.text = json.dumps(body)

    def json(self):
        return json.loads(self.text)


@pytest.fixture
def routed_client():
    """``routed_client(routes)`` is ``(client, session)``: routes map a path to ``(status, JSON body)``."""
    def make(routes):
        session = RoutedSession(routes)
        return DatagrokClient('http://dg', 'k', session=session, sleep=lambda s: None), session
    return make
