# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Every error of the collection, in one hierarchy. Each carries a message already worded for the user, on one line;
only a module or the lookup turns one into a failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def one_line(text):
    return ' '.join(str(text).split())


class DatagrokCollectionError(Exception):
    """The base of every error below."""

    def __init__(self, message):
        super(DatagrokCollectionError, self).__init__(message)
        self.message = message

    def __str__(self):
        return one_line(self.message)


class DatagrokError(DatagrokCollectionError):
    """An answer from Datagrok that is an error, or no answer at all.

    ``status`` is the HTTP status (0 when the server could not be reached), ``error_code`` the ApiError ``errorCode``
    when the server gave one, ``retry_after`` its ``Retry-After`` header.
    """

    def __init__(self, message, status=0, error_code=None, retriable=False, retry_after=None):
        super(DatagrokError, self).__init__(message)
        self.status = status
        self.error_code = error_code
        self.retriable = retriable
        self.retry_after = retry_after

    @property
    def is_not_found(self):
        # Datagrok signals "not found" as errorCode 404, possibly inside an HTTP 200.
        return self.status == 404 or self.error_code == 404

    @property
    def is_unauthorized(self):
        return self.status == 401 or self.error_code == 401

    def __str__(self):
        parts = []
        # An ApiError inside an HTTP 200 is described by its errorCode alone.
        if self.status >= 400:
            parts.append('HTTP %s' % self.status)
        if self.error_code is not None and self.error_code != self.status:
            parts.append('errorCode %s' % self.error_code)
        prefix = ('(%s) ' % ', '.join(parts)) if parts else ''
        return one_line(prefix + self.message)


class ApiRootError(DatagrokError):
    """Every route answers 404: the URL does not lead to Datagrok's API, so nothing can be concluded to be missing."""


class ItemError(DatagrokCollectionError):
    """The input, or one connection of it, cannot be converged: bad input, or a failure worded for the user."""


class PlanFileError(DatagrokCollectionError):
    """A plan file that cannot be used (the option is named by the caller)."""
