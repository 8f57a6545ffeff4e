# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Transport and errors: the one HTTP client every module of the collection uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import random
import re
import ssl
import time

from urllib.parse import urlparse

from ansible_collections.datagrok.platform.plugins.module_utils._errors import (  # noqa: F401, pylint: disable=unused-import
    DatagrokError,
    one_line,
    parse_api_error,
)
from ansible_collections.datagrok.platform.plugins.module_utils._reads import ServerReads
from ansible_collections.datagrok.platform.plugins.module_utils._routes import API_PREFIX, ServerRoutes
from ansible_collections.datagrok.platform.plugins.module_utils._transport import HttpSession

RETRY_STATUSES = frozenset((429, 502, 503, 504))
RETRY_AFTER_MIN = 0.1
RETRY_AFTER_MAX = 60.0
BACKOFF_BASE = 0.5
BACKOFF_MAX = 20.0


def normalize_base_url(url):
    """``https://host/api``, ``http://host:8082`` and either with a trailing slash or API prefix."""
    url = url.strip().rstrip('/')
    if url.endswith(API_PREFIX):
        url = url[:-len(API_PREFIX)]
    return url


def url_problem(url):
    """Why ``url`` cannot be a Datagrok server URL, or None. Checked before any request."""
    url = (url or '').strip()
    if not url.lower().startswith(('http://', 'https://')):
        return 'must start with http:// or https://, got %r' % url
    try:
        parsed = urlparse(url)
        host, port = parsed.hostname, parsed.port
    except ValueError as exc:
        return 'is not a valid URL (%s), got %r' % (one_line(exc), url)
    if not host:
        return 'has no host name, got %r' % url
    if port == 0:
        return 'has port 0, got %r' % url
    return None


def tls_reason(exc):
    """The innermost ``ssl`` reason of a TLS failure, however it is wrapped (a proxy's tunnel, a library's retry
    error), without OpenSSL's source location. Returns (reason, is_verification_failure).
    """
    pending, seen = [exc], set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            reason = re.sub(r'\s*\(_ssl\.c:\d+\)', '', one_line(current))
            return reason, isinstance(current, ssl.SSLCertVerificationError) or 'CERTIFICATE_VERIFY_FAILED' in reason
        links = list(getattr(current, 'args', ())) + [getattr(current, 'reason', None), current.__cause__, current.__context__]
        pending.extend(link for link in links if isinstance(link, BaseException))
    reason = one_line(exc)
    return reason, 'CERTIFICATE_VERIFY_FAILED' in reason


def authorization_header(api_key):
    # The docs ask for "Bearer <key>"; session tokens are sent bare by the vendor CLI. Never double it.
    api_key = api_key.strip()
    if api_key[:7].lower() == 'bearer ':
        return 'Bearer ' + api_key[7:].strip()
    return 'Bearer ' + api_key


def retry_delay(attempt, retry_after=None, rand=random.random):
    """Seconds to wait before retry number ``attempt`` (0-based): ``Retry-After`` if sane, else backoff with jitter."""
    if retry_after is not None:
        try:
            return min(max(float(retry_after), RETRY_AFTER_MIN), RETRY_AFTER_MAX)
        except (TypeError, ValueError):
            pass
    ceiling = min(BACKOFF_MAX, BACKOFF_BASE * (2 ** attempt))
    return ceiling / 2 + rand() * ceiling / 2


class DatagrokClient(ServerRoutes, ServerReads):
    """A keep-alive session to one Datagrok server, with retries and Datagrok's error rules."""

    def __init__(self, url, api_key, validate_certs=True, ca_path=None, timeout=30, retries=3,
                 pool_size=10, sleep=time.sleep, session=None):
        self.base_url = normalize_base_url(url)
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self._reads_init()
        self.ca_path = ca_path if validate_certs else None
        self._session_error = None
        if session is None:
            try:
                session = HttpSession(self.base_url, validate_certs=validate_certs, ca_path=ca_path, pool_size=pool_size)
            except ValueError as exc:
                # An unreadable CA bundle, an unusable proxy setting: the first request reports it, as one line.
                self._session_error = exc
        self.session = session
        if session is not None:
            session.headers.update({
                'Authorization': authorization_header(api_key),
                # Datagrok clients send a JSON content type on every request, GET and DELETE included.
                'Content-Type': 'application/json',
                'Accept': 'application/json',
            })

    # -- transport -------------------------------------------------------------------------

    def _send_once(self, method, path, params, body):
        try:
            if self._session_error is not None:
                raise self._session_error
            response = self.session.request(method, self.base_url + path, params=params,
                                            data=None if body is None else json.dumps(body), timeout=self.timeout)
        except ssl.SSLError as exc:
            raise DatagrokError(self._tls_message(exc))
        except (ValueError, http.client.InvalidURL) as exc:
            # An invalid URL or header, an unreadable CA bundle: nothing was sent, and retrying will not help.
            raise DatagrokError('cannot send a request to %s: %s' % (self.base_url, exc.__class__.__name__ + ': ' + one_line(exc)))
        except (OSError, http.client.HTTPException) as exc:
            # Refused, reset, timed out, or an answer cut short: the server may answer the next attempt.
            raise DatagrokError('cannot reach %s: %s' % (self.base_url, exc.__class__.__name__ + ': ' + one_line(exc)),
                                retriable=True)
        return self._decode(response)

    def _tls_message(self, exc):
        reason, unverified = tls_reason(exc)
        if not unverified:
            where = (' (ca_path %s)' % self.ca_path) if self.ca_path else ''
            return 'TLS error talking to %s%s: %s' % (self.base_url, where, reason)
        if self.ca_path:
            hint = 'check that ca_path %s holds the CA certificate that signed it' % self.ca_path
        else:
            hint = ('set ca_path to the CA certificate (PEM) that signed it, or validate_certs=false to skip the check '
                    '(only for a throwaway server)')
        return "TLS error talking to %s: the server's certificate cannot be verified (%s); %s" % (self.base_url, reason, hint)

    def _decode(self, response):
        status = response.status_code
        text = response.text
        headers = dict((k.lower(), v) for k, v in response.headers.items())
        if 300 <= status < 400:
            # Not followed: the API key would go to wherever the answer points (http:// to https://, a login page).
            raise DatagrokError('the server answered HTTP %s, redirecting to %s: set url to the address that answers '
                                'the API itself' % (status, headers.get('location') or 'nowhere'), status=status)
        try:
            body = response.json() if text.strip() else None
        except ValueError:
            body = text
        api_error = parse_api_error(body)
        if status >= 400 or api_error or 'api-error' in headers:
            if api_error:
                message, code = api_error
            elif status >= 400 and status in (401, 403):
                message, code = ('authentication failed (check api_key)' if status == 401 else 'access denied'), None
            elif isinstance(body, dict) and (body.get('message') or body.get('error')):
                # An error body that is no ApiError: its message, never its stackTrace.
                message, code = str(body.get('message') or body.get('error')), None
            else:
                # A gateway page (HTML) carries no ApiError: only the status means something.
                message, code = (text.strip()[:200] or response.reason or 'error'), None
            if status == 401 or code == 401:
                message = '%s (server %s)' % (message, self.base_url)
            error = DatagrokError(message, status=status, error_code=code,
                                  retriable=status in RETRY_STATUSES)
            error.retry_after = headers.get('retry-after')
            raise error
        return body

    def request(self, method, path, params=None, body=None, retry=True):
        """Send one request; retry 429/502/503/504, dropped connections and timeouts.

        ``retry=False`` is for requests that must not be repeated blindly (creates).
        """
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, params, body)
            except DatagrokError as exc:
                if not (retry and exc.retriable and attempt < self.retries):
                    raise
                self.backoff(attempt, exc)
                attempt += 1

    def backoff(self, attempt, exc):
        """Wait before retry number ``attempt`` (0-based) after ``exc``."""
        self.sleep(retry_delay(attempt, getattr(exc, 'retry_after', None)))
