# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The standard-library transport against real sockets: keep-alive, stale connections, gzip, proxies, TLS settings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import http.server
import json
import select
import ssl
import threading

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils import _transport
from ansible_collections.datagrok.platform.plugins.module_utils._api import DatagrokClient, DatagrokError
from ansible_collections.datagrok.platform.plugins.module_utils._transport import HttpSession, proxy_for, tls_context


class Recorder(http.server.BaseHTTPRequestHandler):
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
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    httpd.daemon_threads = True
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    httpd.url = 'http://127.0.0.1:%d' % httpd.server_address[1]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_requests_share_one_kept_alive_connection(server):
    session = HttpSession(server.url)
    session.headers['Authorization'] = 'Bearer k'
    answers = [session.request('GET', server.url + '/public/v1/connections', params={'text': 'a b', 'page': 2, 'x': None},
                               timeout=5).json() for attempt in range(3)]
    assert [a['path'] for a in answers] == ['/public/v1/connections?text=a+b&page=2'] * 3
    assert len(set(seen['port'] for seen in server.seen)) == 1
    assert answers[0]['headers']['authorization'] == 'Bearer k'
    assert answers[0]['headers']['accept-encoding'] == 'gzip'


def test_a_body_is_sent_as_given(server):
    answer = HttpSession(server.url).request('POST', server.url + '/x', data=json.dumps({'name': 'ü'}), timeout=5).json()
    assert answer['method'] == 'POST' and json.loads(answer['body']) == {'name': u'ü'}


def test_gzip_answers_are_decoded(server):
    assert HttpSession(server.url).request('GET', server.url + '/gzip', timeout=5).json()['path'] == '/gzip'


def _stale_session(server, monkeypatch, idle_check_sees_it):
    """A session whose one idle connection the server has closed; the idle check sees it or (a race) does not."""
    session = HttpSession(server.url)
    first = session.request('GET', server.url + '/close-after', timeout=5).json()['port']
    select.select([session._idle[0].sock], [], [], 5)  # pylint: disable=protected-access  # the close has arrived
    if not idle_check_sees_it:
        monkeypatch.setattr(_transport.select, 'select', lambda r, w, x, t: ([], [], []))
    return session, first


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_request_on_a_connection_closed_unseen_is_not_sent_again(server, monkeypatch, method):
    # Indistinguishable from a server that took the request and dropped the connection: the client's retries
    # decide, and count it, so that retries=2 means at most 3 requests.
    session = _stale_session(server, monkeypatch, idle_check_sees_it=False)[0]
    with pytest.raises(OSError):
        session.request(method, server.url + '/again', data='{}', timeout=5)
    assert [seen['path'] for seen in server.seen] == ['/close-after']
    assert session.request(method, server.url + '/again', data='{}', timeout=5).json()['path'] == '/again'


def test_an_idle_connection_the_server_closed_is_replaced_before_sending(server, monkeypatch):
    session, first = _stale_session(server, monkeypatch, idle_check_sees_it=True)
    assert session.request('POST', server.url + '/create', data='{}', timeout=5).json()['port'] != first
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
    session = HttpSession('http://dg.example.com:8082')
    answer = session.request('GET', 'http://dg.example.com:8082/public/v1/info', timeout=5).json()
    assert answer['path'] == 'http://dg.example.com:8082/public/v1/info'
    assert answer['headers']['proxy-authorization'] == 'Basic dXNAZXI6cDpzcw=='  # us@er:p:ss


def test_the_proxy_environment_is_read_once(monkeypatch):
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.com:3128')
    monkeypatch.setenv('NO_PROXY', 'elsewhere.example.com')
    session = HttpSession('https://dg.example.com')
    monkeypatch.setenv('NO_PROXY', 'dg.example.com')
    assert proxy_for('https://dg.example.com') is None
    assert session._proxy == ('proxy.example.com', 3128, None)  # pylint: disable=protected-access


@pytest.mark.parametrize('value', ['socks5://proxy:1080', 'https://proxy:3129'])
def test_an_unsupported_proxy_is_a_setting_error(monkeypatch, value):
    monkeypatch.setenv('HTTPS_PROXY', value)
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    client = DatagrokClient('https://dg.example.com', 'k', retries=3)
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert str(info.value) == ('cannot send a request to https://dg.example.com: ValueError: unsupported proxy '
                               'https_proxy=%s: only http:// proxies are' % value)
    assert not info.value.retriable


def _record_cafile(monkeypatch):
    used = []
    monkeypatch.setattr(_transport.ssl, 'create_default_context', lambda cafile=None: used.append(cafile) or 'ctx')
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
        client.current_user()
    assert str(info.value) == ('cannot send a request to https://dg.example.com: ValueError: cannot read the CA bundle '
                               '/nonexistent/ca.pem: No such file or directory')
    assert not info.value.retriable


def test_a_refused_connection_is_retriable_and_names_the_server():
    client = DatagrokClient('http://127.0.0.1:9', 'k', retries=0)
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    assert str(info.value).startswith('cannot reach http://127.0.0.1:9: ConnectionRefusedError: ')
    assert info.value.retriable
