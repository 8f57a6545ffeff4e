# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The standard-library transport against real sockets: keep-alive, stale connections, gzip, proxies, TLS settings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import http.server as http_server
import json
import ssl
import threading
import time

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._client import http
from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.plugins.module_utils._client.http import http_session, proxy_for, tls_context
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError


class Recorder(http_server.BaseHTTPRequestHandler):
    """Answers every request with JSON describing it; ``/gzip`` answers compressed, ``/moved`` redirects, and
    ``/close-after`` closes the connection after answering."""

    protocol_version = 'HTTP/1.1'

    def _answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length).decode('utf-8') if length else None
        seen = dict(method=self.command, path=self.path, body=body, port=self.client_address[1],
                    headers=dict((k.lower(), v) for k, v in self.headers.items()))
        self.server.seen.append(seen)
        if self.path == '/moved':
            self.send_response(302)
            self.send_header('Location', 'https://elsewhere.example.com/api')
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        data = json.dumps(seen).encode('utf-8')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        if self.path == '/gzip':
            data = gzip.compress(data)
            self.send_header('Content-Encoding', 'gzip')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if self.path == '/close-after':
            # Closes the kept-alive connection without saying so, as a server's idle timeout does.
            self.close_connection = True

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http_server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    httpd.daemon_threads = True
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    httpd.url = 'http://127.0.0.1:%d' % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_requests_share_one_kept_alive_connection(server):
    session = http_session(server.url)
    answers = [session.request('GET', server.url + '/public/v1/connections', params={'text': 'a b', 'page': 2},
                               headers={'Authorization': 'Bearer k'}, timeout=5).json() for attempt in range(3)]
    assert [a['path'] for a in answers] == ['/public/v1/connections?text=a+b&page=2'] * 3
    assert len(set(seen['port'] for seen in server.seen)) == 1
    assert answers[0]['headers']['authorization'] == 'Bearer k'
    assert 'gzip' in answers[0]['headers']['accept-encoding']


def test_a_body_is_sent_as_given(server):
    body = json.dumps({'name': u'ü'}).encode('utf-8')
    answer = http_session(server.url).request('POST', server.url + '/x', data=body, timeout=5).json()
    assert answer['method'] == 'POST' and json.loads(answer['body']) == {'name': u'ü'}


def test_gzip_answers_are_decoded(server):
    assert http_session(server.url).request('GET', server.url + '/gzip', timeout=5).json()['path'] == '/gzip'


def test_an_idle_connection_the_server_closed_is_replaced_before_sending(server):
    session = http_session(server.url)
    first = session.request('GET', server.url + '/close-after', timeout=5).json()['port']
    time.sleep(0.3)  # for the server's close to reach the client, as an idle timeout's does long before the next request
    assert session.request('POST', server.url + '/create', data=b'{}', timeout=5).json()['port'] != first
    assert [seen['path'] for seen in server.seen] == ['/close-after', '/create']


def test_a_redirect_is_reported_not_followed(server):
    client = DatagrokClient(server.url, 'k', retries=0)
    with pytest.raises(DatagrokError) as info:
        client.request('GET', '/moved')
    assert str(info.value) == ('the server answered HTTP 302, redirecting to https://elsewhere.example.com/api: set url '
                               'to the address that answers the API itself')
    assert len(server.seen) == 1


def test_requests_go_through_the_http_proxy_of_the_environment(server, monkeypatch):
    # The recording server stands in for the proxy: it sees the absolute URL and the proxy's credentials.
    monkeypatch.setenv('HTTP_PROXY', 'http://us%40er:p%3Ass@127.0.0.1:' + str(server.server_address[1]))
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    session = http_session('http://dg.example.com:8082')
    answer = session.request('GET', 'http://dg.example.com:8082/public/v1/info', timeout=5).json()
    assert answer['path'] == 'http://dg.example.com:8082/public/v1/info'
    assert answer['headers']['proxy-authorization'] == 'Basic dXNAZXI6cDpzcw=='  # us@er:p:ss


def test_the_proxy_environment_is_read_once(monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.com:3128')
    monkeypatch.setenv('NO_PROXY', 'elsewhere.example.com')
    session = http_session('https://dg.example.com')
    monkeypatch.setenv('NO_PROXY', 'dg.example.com')
    assert proxy_for('https://dg.example.com') is None
    assert session.proxies == {'https': 'http://proxy.example.com:3128'} and session.trust_env is False


def test_an_unreachable_proxy_is_named_with_its_password_masked(monkeypatch):
    monkeypatch.setenv('HTTP_PROXY', 'http://user:pr0xy-s3cret@127.0.0.1:9')
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    client = DatagrokClient('http://dg.example.com:8082', 'k', retries=0)
    with pytest.raises(DatagrokError) as info:
        client.request('GET', '/public/v1/users/current')
    assert str(info.value).startswith('cannot reach http://dg.example.com:8082 through the proxy http://user:********@127.0.0.1:9: ')
    assert 'pr0xy-s3cret' not in str(info.value) and info.value.retriable


@pytest.mark.parametrize('value', ['socks5://proxy:1080', 'socks5h://user:pw-s3cret@proxy:1080'])
def test_an_unsupported_proxy_is_a_setting_error(monkeypatch, value):
    monkeypatch.setenv('HTTPS_PROXY', value)
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    client = DatagrokClient('https://dg.example.com', 'k', retries=3)
    with pytest.raises(DatagrokError) as info:
        client.request('GET', '/public/v1/users/current')
    assert str(info.value) == ('cannot send a request to https://dg.example.com: ValueError: unsupported proxy '
                               'https_proxy=%s: only http:// and https:// proxies are supported'
                               % value.replace('pw-s3cret', '********'))
    assert not info.value.retriable


def _record_cafile(monkeypatch):
    used = []
    monkeypatch.setattr(http.ssl, 'create_default_context', lambda cafile=None: used.append(cafile) or 'ctx')
    return used


@pytest.mark.parametrize('options, cafile', [
    (dict(ca_path='/etc/pki/dg-ca.pem'), '/etc/pki/dg-ca.pem'),
    (dict(), '/etc/ssl/corporate-bundle.pem'),
])
def test_ca_path_beats_the_ca_bundle_environment(monkeypatch, options, cafile):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/corporate-bundle.pem')
    monkeypatch.setenv('CURL_CA_BUNDLE', '/etc/ssl/other-bundle.pem')
    used = _record_cafile(monkeypatch)
    assert tls_context(True, options.get('ca_path')) == 'ctx' and used == [cafile]


def test_without_ca_settings_the_system_trust_store_is_used(monkeypatch):
    monkeypatch.delenv('REQUESTS_CA_BUNDLE', raising=False)
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    used = _record_cafile(monkeypatch)
    assert tls_context(True, None) == 'ctx' and used == [None]


def test_validate_certs_false_checks_nothing_whatever_the_environment(monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/corporate-bundle.pem')
    context = tls_context(False, '/etc/pki/dg-ca.pem')
    assert context.verify_mode == ssl.CERT_NONE and context.check_hostname is False


def test_an_unreadable_ca_bundle_fails_the_first_request_in_one_line():
    client = DatagrokClient('https://dg.example.com', 'k', ca_path='/nonexistent/ca.pem', retries=3)
    with pytest.raises(DatagrokError) as info:
        client.request('GET', '/public/v1/users/current')
    assert str(info.value) == ('cannot send a request to https://dg.example.com: ValueError: cannot read the CA bundle '
                               '/nonexistent/ca.pem: No such file or directory')
    assert not info.value.retriable


def test_a_refused_connection_is_retriable_and_names_the_server():
    client = DatagrokClient('http://127.0.0.1:9', 'k', retries=0)
    with pytest.raises(DatagrokError) as info:
        client.request('GET', '/public/v1/users/current')
    assert str(info.value).startswith('cannot reach http://127.0.0.1:9: ConnectionRefusedError: ')
    assert info.value.retriable
