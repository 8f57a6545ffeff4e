# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one fake of the unit tests: a stand-in for the transport's session, under the real DatagrokClient."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

NOT_FOUND = {'#type': 'ApiError', 'message': 'Not Found', 'errorCode': 404}


class FakeResponse(object):
    """What HttpSession answers (``_transport.HttpResponse``), made from a status and a JSON body or a text."""

    def __init__(self, status=200, body=None, headers=None, text=None):
        self.status_code = status
        self.headers = headers or {}
        self.reason = 'reason'
        self.text = text if text is not None else ('' if body is None else json.dumps(body))

    def json(self):
        return json.loads(self.text)


class FakeSession(object):
    """Stands in for ``_transport.HttpSession``, and records every request.

    It answers from ``answers`` in order (a response, or an exception to raise), or else from ``routes`` (a path after
    the base URL -> ``(status, JSON body)``; a path not routed is a 404), or else raises ``error`` every time.
    ``sent`` holds ``(method, url, params, body)`` of each request, ``paths`` the path of each.
    """

    def __init__(self, answers=None, routes=None, error=None, base=''):
        self.answers = list(answers or [])
        self.routes = routes
        self.error = error
        self.base = base
        self.headers = {}
        self.sent = []
        self.paths = []

    def request(self, method, url, params=None, data=None, timeout=None):
        self.sent.append((method, url, dict(params or {}), json.loads(data) if data else None))
        self.paths.append(url[len(self.base):] if url.startswith(self.base) else url)
        if self.error is not None:
            raise self.error
        if self.routes is not None and not self.answers:
            status, body = self.routes.get(self.paths[-1], (404, NOT_FOUND))
            return FakeResponse(status, body)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
