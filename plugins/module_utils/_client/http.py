# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""HTTP to one Datagrok server, on ``requests``: the session, the one retry loop, and Datagrok's error rules.

Every request goes to one host, through one ``requests.Session`` whose connection pool the bulk form's workers share.
The proxy and CA-bundle environment is read once, when the session is made. Redirects are reported, not followed, so
the API key never travels to another address. Every failure becomes a one-line ``DatagrokError`` naming the server.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import re
import ssl
import time
import traceback

from urllib.parse import urlparse, urlunparse
from urllib.request import getproxies_environment, proxy_bypass_environment

from ansible_collections.datagrok.platform.plugins.module_utils._client.options import API_PREFIX, base_url
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ApiRootError, DatagrokError, one_line

try:
    import requests
    from requests.adapters import HTTPAdapter
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    requests = None
    HTTPAdapter = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

USER_AGENT = 'datagrok.platform-ansible-collection'
RETRY_STATUSES = frozenset((429, 502, 503, 504))
RETRY_AFTER_MIN = 0.1
RETRY_AFTER_MAX = 60.0
BACKOFF_BASE = 0.5
BACKOFF_MAX = 20.0
# A route every Datagrok server answers for any valid key: what a 404 elsewhere is checked against.
KNOWN_ROUTE = API_PREFIX + '/users/current'
MASK = '********'


def without_password(url):
    """``url`` as a message may show it: the password of its user part masked."""
    parsed = urlparse(url or '')
    if parsed.password is None:
        return url
    netloc = '%s:%s@%s' % (parsed.username or '', MASK, parsed.netloc.rpartition('@')[2])
    return urlunparse(parsed._replace(netloc=netloc))


def tls_context(validate_certs, ca_path):
    """The TLS settings of every connection.

    ``validate_certs: false`` checks nothing; ``ca_path`` is the only CA file trusted. Otherwise the bundle named by
    ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE``, else the system's trust store (which honours ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR``), never a bundle that ``requests`` brings along.
    """
    if not validate_certs:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = ca_path or os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        # Raised before any request, as a problem of the settings (not of the server): never retried.
        raise ValueError('cannot read the CA bundle %s: %s' % (cafile, getattr(exc, 'strerror', None) or exc))


def proxy_for(url):
    """The proxy URL that ``HTTP(S)_PROXY`` and ``NO_PROXY`` name for ``url``, or None."""
    target = urlparse(url)
    proxies = getproxies_environment()
    if not proxies.get(target.scheme) or proxy_bypass_environment(target.hostname, proxies):
        return None
    given = proxies[target.scheme]
    proxy = given if '://' in given else 'http://' + given
    if urlparse(proxy).scheme not in ('http', 'https') or not urlparse(proxy).hostname:
        raise ValueError('unsupported proxy %s_proxy=%s: only http:// and https:// proxies are supported'
                         % (target.scheme, without_password(given)))
    return proxy


class TrustAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections trust what ``tls_context`` says, whatever ``requests`` would load."""

    def __init__(self, context, pool_size):
        self.context = context
        super(TrustAdapter, self).__init__(pool_connections=2, pool_maxsize=pool_size, max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs['ssl_context'] = self.context
        super(TrustAdapter, self).init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy, **kwargs):
        kwargs['ssl_context'] = self.context
        return super(TrustAdapter, self).proxy_manager_for(proxy, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host, pool = super(TrustAdapter, self).build_connection_pool_key_attributes(request, verify, cert)
        pool.update(ssl_context=self.context, ca_certs=None, ca_cert_dir=None)
        return host, pool

    def cert_verify(self, conn, url, verify, cert):
        conn.cert_reqs = 'CERT_REQUIRED' if verify else 'CERT_NONE'
        conn.ca_certs = conn.ca_cert_dir = None


def http_session(url, validate_certs=True, ca_path=None, pool_size=10):
    """The ``requests.Session`` of a client: settings read once, a pool of ``pool_size`` kept-alive connections."""
    session = requests.Session()
    session.trust_env = False  # the environment is read here, once, not at every request
    proxy = proxy_for(url)
    session.proxies = {urlparse(url).scheme: proxy} if proxy else {}
    session.verify = bool(validate_certs)
    adapter = TrustAdapter(tls_context(validate_certs, ca_path), max(pool_size, 1))
    session.mount('http://', adapter)
    session.mount('https://', adapter)
    session.headers.update({'User-Agent': USER_AGENT})
    return session


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


def _text(response):
    """The answer's text: its charset, else UTF-8 (``requests`` would guess, which costs more than the request)."""
    charset = 'utf-8'
    for part in response.headers.get('content-type', '').split(';')[1:]:
        key, _sep, value = part.strip().partition('=')
        if key.lower() == 'charset' and value:
            charset = value.strip('"')
    try:
        return response.content.decode(charset, 'replace')
    except LookupError:
        return response.content.decode('utf-8', 'replace')


def api_root_hint(url):
    """What is most likely wrong with a URL at which no Datagrok route answers."""
    parsed = urlparse(url)
    path = parsed.path.rstrip('/')
    if re.search(r'/api/api$', path):
        return "it has /api twice: try %s" % without_password(url[:url.rstrip('/').rfind('/api')])
    if not path.endswith('/api') and parsed.port != 8082:
        return 'behind its web server, Datagrok answers under /api: try %s/api' % without_password(url.rstrip('/'))
    return 'the API root is https://<host>/api behind the web server, or http://<host>:8082 on a bare server'


class HttpClient(object):
    """Requests to the Datagrok API at ``url``, with retries and Datagrok's error rules.

    ``answered`` turns true once the API has answered at this root (JSON that is not a 404): only then does a 404 mean
    that something is missing (``confirm_root``).
    """

    def __init__(self, url, api_key, validate_certs=True, ca_path=None, timeout=30, retries=3, pool_size=10,
                 sleep=time.sleep, session=None):
        self.base_url = base_url(url)
        self.shown_url = without_password(self.base_url)
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        self.ca_path = ca_path if validate_certs else None
        self.answered = False
        self._session_error = None
        if session is None:
            try:
                session = http_session(self.base_url, validate_certs=validate_certs, ca_path=ca_path, pool_size=pool_size)
            except ValueError as exc:
                # An unreadable CA bundle, an unusable proxy setting: the first request reports it, as one line.
                self._session_error = exc
        self.session = session
        self.headers = {
            'Authorization': authorization_header(api_key),
            # Datagrok clients send a JSON content type on every request, GET and DELETE included.
            'Content-Type': 'application/json',
            'Accept': 'application/json',
        }

    def request(self, method, path, params=None, body=None, recover=None):
        """Send one request and return its decoded answer; retry 429/502/503/504, dropped connections and timeouts.

        ``recover``, for a request that must not be sent twice blindly (a create), is called before each retry: what
        it returns (the connection the lost attempt created) is the answer instead, and nothing is sent again.
        """
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, params, body)
            except DatagrokError as exc:
                if not (exc.retriable and attempt < self.retries):
                    raise
                self.sleep(retry_delay(attempt, exc.retry_after))
                attempt += 1
                landed = recover() if recover is not None else None
                if landed is not None:
                    return landed

    def confirm_root(self):
        """Fail unless the API has answered at this root: before a 404 may be read as "missing"."""
        if self.answered:
            return
        try:
            self.request('GET', KNOWN_ROUTE)
        except DatagrokError as exc:
            if not exc.is_not_found:
                raise
            raise self.root_error()

    def root_error(self):
        """The failure of a run at whose URL even the route every server serves answers 404."""
        return ApiRootError('%s answers HTTP 404 to GET %s, a route every Datagrok server serves, so the API root looks '
                            'wrong (%s)' % (self.shown_url, KNOWN_ROUTE, api_root_hint(self.base_url)), status=404)

    def _send_once(self, method, path, params, body):
        try:
            if self._session_error is not None:
                raise self._session_error
            response = self.session.request(method, self.base_url + path, headers=self.headers,
                                            params=dict((k, v) for k, v in (params or {}).items() if v is not None),
                                            data=None if body is None else json.dumps(body).encode('utf-8'),
                                            timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.SSLError as exc:
            raise DatagrokError(self._tls_message(exc))
        except (ValueError, requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader,
                requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema) as exc:
            # An invalid URL or header, an unreadable CA bundle: nothing was sent, and retrying will not help.
            raise DatagrokError('cannot send a request to %s: %s' % (self.shown_url, _reason(exc)))
        except requests.exceptions.ProxyError as exc:
            raise DatagrokError('cannot reach %s through the proxy %s: %s' % (
                self.shown_url, without_password(next(iter(self.session.proxies.values()), '')), _reason(exc)), retriable=True)
        except (requests.exceptions.RequestException, OSError) as exc:
            # Refused, reset, timed out, or an answer cut short: the server may answer the next attempt.
            raise DatagrokError('cannot reach %s: %s%s' % (self.shown_url, _reason(exc), self._scheme_hint(exc)), retriable=True)
        return self._decode(response)

    def _scheme_hint(self, exc):
        # A TLS port that gets plain HTTP hangs up without an answer.
        dropped = re.search(r'RemoteDisconnected|BadStatusLine|Connection reset|ConnectionResetError', repr(exc))
        return ' (the server may expect https://: check the scheme of url)' if dropped and self.base_url.startswith('http://') else ''

    def _tls_message(self, exc):
        reason, unverified = tls_reason(exc)
        if not unverified:
            where = (' (ca_path %s)' % self.ca_path) if self.ca_path else ''
            return 'TLS error talking to %s%s: %s' % (self.shown_url, where, reason)
        if self.ca_path:
            hint = 'check that ca_path %s holds the CA certificate that signed it' % self.ca_path
        else:
            hint = ('set ca_path to the CA certificate (PEM) that signed it, or validate_certs=false to skip the check '
                    '(only for a throwaway server)')
        return "TLS error talking to %s: the server's certificate cannot be verified (%s); %s" % (self.shown_url, reason, hint)

    def _decode(self, response):
        status = response.status_code
        text = _text(response)
        headers = dict((k.lower(), v) for k, v in response.headers.items())
        if 300 <= status < 400:
            # Not followed: the API key would go to wherever the answer points (http:// to https://, a login page).
            raise DatagrokError('the server answered HTTP %s, redirecting to %s: set url to the address that answers '
                                'the API itself' % (status, headers.get('location') or 'nowhere'), status=status)
        try:
            body = json.loads(text) if text.strip() else None
        except ValueError:
            body = text
        api_error = parse_api_error(body)
        if status < 400 and not api_error and 'api-error' not in headers:
            if isinstance(body, str) and 'html' in headers.get('content-type', '').lower():
                # A web server in front of Datagrok answers unknown paths with its web app's page.
                raise ApiRootError('%s answered a web page (HTML), not JSON, to %s: the API root looks wrong (%s)' % (
                    self.shown_url, urlparse(response.url or '').path or 'a route', api_root_hint(self.base_url)), status=status)
            self.answered = True
            return body
        if api_error:
            message, code = api_error
        elif status in (401, 403):
            message, code = ('authentication failed (check api_key)' if status == 401 else 'access denied'), None
        elif isinstance(body, dict) and (body.get('message') or body.get('error')):
            # An error body that is no ApiError: its message, never its stackTrace.
            message, code = str(body.get('message') or body.get('error')), None
        else:
            # A gateway page (HTML) carries no ApiError: only the status means something.
            message, code = (text.strip()[:200] or response.reason or 'error'), None
        if api_error and 404 not in (status, code):
            self.answered = True
        if status == 401 or code == 401:
            message = '%s (server %s)' % (message, self.shown_url)
        raise DatagrokError(message, status=status, error_code=code, retriable=status in RETRY_STATUSES,
                            retry_after=headers.get('retry-after'))


def _reason(exc):
    """The innermost cause of a ``requests`` failure, as ``ClassName: message``."""
    inner = exc
    while True:
        nested = [a for a in getattr(inner, 'args', ()) if isinstance(a, BaseException)]
        nested += [getattr(inner, 'reason', None), inner.__cause__]
        nested = [n for n in nested if isinstance(n, BaseException) and n is not inner]
        if not nested:
            break
        inner = nested[0]
    return '%s: %s' % (inner.__class__.__name__, one_line(inner))
