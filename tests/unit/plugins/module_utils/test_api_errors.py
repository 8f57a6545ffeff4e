# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport failures as one-line messages naming the server (issue 7), and TLS settings that really apply."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

import pytest
import requests
import urllib3
from requests.adapters import BaseAdapter

from ansible_collections.datagrok.platform.plugins.module_utils._api import (
    DatagrokClient,
    DatagrokError,
    tls_reason,
    url_problem,
)

BASE = 'https://dg.example.com:8443'
VERIFY_FAILED = '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'


class RaisingSession(object):
    """A session whose every request raises ``error``, recording the keyword arguments it was given."""

    def __init__(self, error):
        self.error = error
        self.calls = []
        self.headers = {}
        self.verify = True

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        raise self.error


def wrapped_ssl_error(inner):
    """The exception requests raises for a failed handshake: SSLError(MaxRetryError(reason=urllib3 SSLError(inner)))."""
    pool_error = urllib3.exceptions.MaxRetryError(None, '/public/v1/users/current', urllib3.exceptions.SSLError(inner))
    return requests.exceptions.SSLError(pool_error)


def client_raising(error, **kwargs):
    session = RaisingSession(error)
    client = DatagrokClient(BASE + '/api/', 'k3y', session=session, sleep=lambda s: None, **kwargs)
    return client, session


def failure(client):
    with pytest.raises(DatagrokError) as info:
        client.current_user()
    return info.value


@pytest.mark.parametrize('url, problem', [
    ('https://dg.example.com/api', None),
    ('http://localhost:8082', None),
    (' HTTPS://dg.example.com ', None),
    ('dg.example.com', "must start with http:// or https://, got 'dg.example.com'"),
    ('127.0.0.1:8082', "must start with http:// or https://, got '127.0.0.1:8082'"),
    ('', "must start with http:// or https://, got ''"),
    ('https://', "has no host name, got 'https://'"),
    ('http://:8082/api', "has no host name, got 'http://:8082/api'"),
    ('http://dg.example.com:http', "is not a valid URL"),
])
def test_url_problem(url, problem):
    found = url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found.startswith(problem) and '\n' not in found


def test_tls_reason_digs_out_the_ssl_error():
    error = wrapped_ssl_error(ssl.SSLCertVerificationError(1, VERIFY_FAILED))
    assert 'Max retries exceeded' in str(error)
    reason, unverified = tls_reason(error)
    assert reason == '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate'
    assert unverified is True


def test_tls_reason_of_an_unwrapped_error():
    assert tls_reason(requests.exceptions.SSLError('bad handshake')) == ('bad handshake', False)


def test_unverified_certificate_without_ca_path():
    client, session = client_raising(wrapped_ssl_error(ssl.SSLCertVerificationError(1, VERIFY_FAILED)))
    error = failure(client)
    message = str(error)
    assert message == ("TLS error talking to %s: the server's certificate cannot be verified ([SSL: CERTIFICATE_VERIFY_FAILED] "
                       "certificate verify failed: unable to get local issuer certificate); set ca_path to the CA certificate (PEM) "
                       "that signed it, or validate_certs=false to skip the check (only for a throwaway server)" % (BASE + '/api'))
    assert not error.retriable and len(session.calls) == 1


def test_unverified_certificate_with_ca_path():
    client = client_raising(wrapped_ssl_error(ssl.SSLCertVerificationError(1, VERIFY_FAILED)), ca_path='/etc/pki/dg-ca.pem')[0]
    message = str(failure(client))
    assert message.startswith("TLS error talking to %s: the server's certificate cannot be verified" % (BASE + '/api'))
    assert message.endswith('check that ca_path /etc/pki/dg-ca.pem holds the CA certificate that signed it')


def test_other_tls_error_names_server_and_ca_path():
    inner = ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')
    client = client_raising(wrapped_ssl_error(inner), ca_path='/etc/pki/dg-ca.pem')[0]
    assert str(failure(client)) == ('TLS error talking to %s (ca_path /etc/pki/dg-ca.pem): [SSL: WRONG_VERSION_NUMBER] wrong version number'
                                    % (BASE + '/api'))


@pytest.mark.parametrize('error', [
    requests.exceptions.InvalidURL("Invalid URL 'https:/public/v1/users/current': No host supplied"),
    requests.exceptions.InvalidSchema('No connection adapters were found'),
    OSError('Could not find a suitable TLS CA certificate bundle, invalid path: /nonexistent/ca.pem'),
    ValueError('Invalid header value'),
])
def test_other_request_failures_are_one_line_errors_naming_the_server(error):
    client, session = client_raising(error, retries=3)
    found = failure(client)
    assert str(found).startswith('cannot send a request to %s: %s: ' % (BASE + '/api', error.__class__.__name__))
    assert '\n' not in str(found)
    assert not found.retriable and len(session.calls) == 1


@pytest.mark.parametrize('options, verify', [
    (dict(), None),
    (dict(validate_certs=False), False),
    (dict(validate_certs=False, ca_path='/etc/pki/dg-ca.pem'), False),
    (dict(ca_path='/etc/pki/dg-ca.pem'), '/etc/pki/dg-ca.pem'),
])
def test_verify_is_passed_with_each_request_unless_default(options, verify):
    client, session = client_raising(requests.exceptions.ConnectionError('down'), retries=0, **options)
    failure(client)
    assert session.calls[0][2].get('verify') == verify


class RecordingAdapter(BaseAdapter):
    """Answers every request with 200 ``{}``, recording the ``verify`` that requests settled on."""

    def __init__(self):
        super(RecordingAdapter, self).__init__()
        self.verify = []
        self.proxies = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.verify.append(verify)
        self.proxies.append(dict(proxies or {}))
        response = requests.Response()
        response.status_code = 200
        response._content = b'{}'  # pylint: disable=protected-access
        response.request = request
        response.url = request.url
        return response

    def close(self):
        pass


@pytest.mark.parametrize('options, verify', [
    (dict(validate_certs=False), False),
    (dict(ca_path='/etc/pki/dg-ca.pem'), '/etc/pki/dg-ca.pem'),
    (dict(), '/etc/ssl/corporate-bundle.pem'),
])
def test_tls_options_beat_requests_ca_bundle_environment(monkeypatch, options, verify):
    # requests lets REQUESTS_CA_BUNDLE override Session.verify, even False, unless verify comes with the request.
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/corporate-bundle.pem')
    monkeypatch.setenv('CURL_CA_BUNDLE', '/etc/ssl/corporate-bundle.pem')
    client = DatagrokClient(BASE, 'k3y', **options)
    adapter = RecordingAdapter()
    client.session.mount('https://', adapter)
    client.current_user()
    assert adapter.verify == [verify]


def test_the_environment_is_read_once_for_every_request(monkeypatch):
    # HTTPS_PROXY and NO_PROXY count as when requests reads them per request, but they are read once.
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.com:3128')
    monkeypatch.setenv('NO_PROXY', 'elsewhere.example.com')
    client = DatagrokClient(BASE, 'k3y')
    monkeypatch.setenv('NO_PROXY', 'dg.example.com')
    assert 'https' not in DatagrokClient(BASE, 'k3y').session.proxies
    adapter = RecordingAdapter()
    client.session.mount('https://', adapter)
    monkeypatch.setattr(requests.sessions, 'get_environ_proxies', lambda *a, **k: pytest.fail('read the environment again'))
    client.current_user()
    client.current_user()
    assert [p.get('https') for p in adapter.proxies] == ['http://proxy.example.com:3128'] * 2
