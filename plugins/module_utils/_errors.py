# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Datagrok's errors: how an answer is recognised as an error, and the one exception that carries it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json


class DatagrokError(Exception):
    """An answer from Datagrok that is an error, or no answer at all.

    ``status`` is the HTTP status (0 when the server could not be reached),
    ``error_code`` the ApiError ``errorCode`` when the server gave one.
    """

    def __init__(self, message, status=0, error_code=None, retriable=False):
        super(DatagrokError, self).__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.retriable = retriable

    @property
    def is_not_found(self):
        # Datagrok signals "not found" as errorCode 404, possibly inside an HTTP 200.
        return self.status == 404 or self.error_code == 404

    def __str__(self):
        parts = []
        # An ApiError inside an HTTP 200 is described by its errorCode alone.
        if self.status >= 400:
            parts.append('HTTP %s' % self.status)
        if self.error_code is not None and self.error_code != self.status:
            parts.append('errorCode %s' % self.error_code)
        prefix = ('(%s) ' % ', '.join(parts)) if parts else ''
        return one_line(prefix + self.message)


def one_line(text):
    return ' '.join(str(text).split())


def parse_api_error(body):
    """Return (message, errorCode) when ``body`` is an ApiError, also one that comes JSON-encoded twice."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if isinstance(body, dict) and body.get('#type') == 'ApiError':
        code = body.get('errorCode')
        try:
            code = int(code) if code is not None else None
        except (TypeError, ValueError):
            code = None
        return body.get('message') or body.get('error') or 'unknown error', code
    return None
