# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Keep-alive HTTP(S) to one server, on the standard library alone.

Every request of the collection goes to one host, so a pool of ``http.client`` connections is all it needs. A
request costs about a quarter of the client CPU that ``requests`` spends on the same request (docs/performance.md),
and nothing has to be installed where the modules run. The proxy and CA-bundle environment is read once, when the
session is made. Redirects are not followed: a redirect is reported (``_api.py``), so the API key never travels to
another address.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import http.client
import json
import os
import select
import ssl
import threading
import zlib

from urllib.parse import unquote, urlencode, urlparse
from urllib.request import getproxies_environment, proxy_bypass_environment

USER_AGENT = 'datagrok.platform-ansible-collection'


class HttpResponse(object):
    """The parts of an answer the client reads: ``status_code``, ``reason``, ``headers`` (lower-case keys), ``text``."""

    def __init__(self, status, reason, headers, text):
        self.status_code = status
        self.reason = reason
        self.headers = headers
        self.text = text

    def json(self):
        return json.loads(self.text)


def tls_context(validate_certs, ca_path):
    """The TLS settings of every connection.

    ``validate_certs: false`` checks nothing; ``ca_path`` is the only CA file trusted. Otherwise the bundle named by
    ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` (as the collection honoured when it used ``requests``), else the
    system's trust store (which honours ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``).
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


def proxy_for(base_url):
    """``(host, port, Proxy-Authorization or None)`` of the proxy that ``HTTP(S)_PROXY`` and ``NO_PROXY`` name for
    ``base_url``, or None."""
    target = urlparse(base_url)
    proxies = getproxies_environment()
    if not proxies.get(target.scheme) or proxy_bypass_environment(target.hostname, proxies):
        return None
    given = proxies[target.scheme]
    proxy = urlparse(given if '://' in given else 'http://' + given)
    if proxy.scheme != 'http' or not proxy.hostname:
        raise ValueError('unsupported proxy %s_proxy=%s: only http:// proxies are' % (target.scheme, given))
    auth = None
    if proxy.username is not None:
        userinfo = '%s:%s' % (unquote(proxy.username), unquote(proxy.password or ''))
        auth = 'Basic ' + base64.b64encode(userinfo.encode('utf-8')).decode('ascii')
    return proxy.hostname, proxy.port or 80, auth


class HttpSession(object):
    """Requests to the server at ``base_url``, over a pool of kept-alive connections shared by threads.

    ``headers`` are sent with every request. ``request()`` answers an :class:`HttpResponse`, or raises what
    ``http.client``, ``socket`` and ``ssl`` raise: ``ssl.SSLError`` for TLS, ``OSError`` and
    ``http.client.HTTPException`` for a server that cannot be reached or answered badly, ``ValueError`` for settings
    that cannot work.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, pool_size=10):
        target = urlparse(base_url)
        self.https = target.scheme == 'https'
        self.host, self.port = target.hostname, target.port or (443 if self.https else 80)
        self.headers = {}
        self._context = tls_context(validate_certs, ca_path) if self.https else None
        self._proxy = proxy_for(base_url)
        self._idle = []
        self._lock = threading.Lock()
        self._pool_size = max(pool_size, 1)

    def _connect(self, timeout):
        if self._proxy:
            proxy_host, proxy_port, auth = self._proxy
            if self.https:
                conn = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=self._context)
                conn.set_tunnel(self.host, self.port, headers={'Proxy-Authorization': auth} if auth else None)
                return conn
            return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self._context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _take(self, timeout):
        """An idle connection the server has not closed, or a new one."""
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                # A socket that is readable while idle was closed by the server (keep-alive timeout).
                if conn.sock is not None and not select.select([conn.sock], [], [], 0)[0]:
                    conn.timeout = timeout
                    conn.sock.settimeout(timeout)
                    return conn
                conn.close()
        return self._connect(timeout)

    def _give_back(self, conn):
        with self._lock:
            if len(self._idle) < self._pool_size:
                self._idle.append(conn)
                return
        conn.close()

    def request(self, method, url, params=None, data=None, timeout=None):
        """Send ``method`` to ``url`` (an absolute URL on this session's server) and read the whole answer."""
        target = urlparse(url)
        path = target.path or '/'
        query = urlencode([(k, v) for k, v in (params or {}).items() if v is not None], doseq=True)
        if target.query or query:
            path += '?' + '&'.join(q for q in (target.query, query) if q)
        headers = dict(self.headers, **{'User-Agent': USER_AGENT, 'Accept-Encoding': 'gzip'})
        if self._proxy and not self.https:
            path = '%s://%s%s' % (target.scheme, target.netloc, path)
            if self._proxy[2]:
                headers['Proxy-Authorization'] = self._proxy[2]
        body = data.encode('utf-8') if isinstance(data, str) else data
        # Nothing is sent again here, not even a GET on a connection the server closed unseen: that looks the same
        # as a server that took the request and dropped the connection, and the client's retries decide (and count).
        conn = self._take(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        except BaseException:
            conn.close()
            raise
        if answer.will_close:
            conn.close()
        else:
            self._give_back(conn)
        headers = dict((k.lower(), v) for k, v in answer.getheaders())
        return HttpResponse(answer.status, answer.reason, headers, _decoded(content, headers))

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _decoded(content, headers):
    if headers.get('content-encoding', '').strip().lower() == 'gzip' and content:
        try:
            content = zlib.decompress(content, 16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise http.client.HTTPException('the answer is not valid gzip: %s' % exc)
    charset = 'utf-8'
    for part in headers.get('content-type', '').split(';')[1:]:
        key, _sep, value = part.strip().partition('=')
        if key.lower() == 'charset' and value:
            charset = value.strip('"')
    try:
        return content.decode(charset, 'replace')
    except LookupError:
        return content.decode('utf-8', 'replace')
