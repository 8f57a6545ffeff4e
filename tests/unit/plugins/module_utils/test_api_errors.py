# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Transport failures as one-line messages naming the server, and TLS settings that really apply."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

import pytest

from requests.exceptions import InvalidURL, SSLError

from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
from ansible_collections.datagrok.platform.plugins.module_utils._client.http import tls_reason
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import url_problem
from ansible_collections.datagrok.platform.plugins.module_utils._errors import DatagrokError
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeSession

BASE = 'https://dg.example.com:8443'
VERIFY_FAILED = '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'


def wrapped_ssl_error(inner):
    """A failed handshake wrapped, as a library between the client and ``ssl`` may report it."""
    try:
        try:
            raise inner
        except ssl.SSLError as exc:
            raise ConnectionError('Max retries exceeded with url: /public/v1/users/current') from exc
    except ConnectionError as outer:
        return outer


def client_raising(error, **kwargs):
    session = FakeSession(error=error)
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
    assert tls_reason(ConnectionError('bad handshake')) == ('bad handshake', False)


def test_unverified_certificate_without_ca_path():
    client, session = client_raising(SSLError(ssl.SSLCertVerificationError(1, VERIFY_FAILED)))
    error = failure(client)
    message = str(error)
    assert message == ("TLS error talking to %s: the server's certificate cannot be verified ([SSL: CERTIFICATE_VERIFY_FAILED] "
                       "certificate verify failed: unable to get local issuer certificate); set ca_path to the CA certificate (PEM) "
                       "that signed it, or validate_certs=false to skip the check (only for a throwaway server)" % (BASE + '/api'))
    assert not error.retriable and len(session.sent) == 1


def test_unverified_certificate_with_ca_path():
    client = client_raising(SSLError(ssl.SSLCertVerificationError(1, VERIFY_FAILED)), ca_path='/etc/pki/dg-ca.pem')[0]
    message = str(failure(client))
    assert message.startswith("TLS error talking to %s: the server's certificate cannot be verified" % (BASE + '/api'))
    assert message.endswith('check that ca_path /etc/pki/dg-ca.pem holds the CA certificate that signed it')


def test_other_tls_error_names_server_and_ca_path():
    inner = ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')
    client = client_raising(SSLError(inner), ca_path='/etc/pki/dg-ca.pem')[0]
    assert str(failure(client)) == ('TLS error talking to %s (ca_path /etc/pki/dg-ca.pem): [SSL: WRONG_VERSION_NUMBER] wrong version number'
                                    % (BASE + '/api'))


@pytest.mark.parametrize('error', [
    InvalidURL("Failed to parse: https://dg.example.com:http/api"),
    ValueError('unsupported proxy https_proxy=socks5://proxy:1080: only http:// and https:// proxies are supported'),
    ValueError('cannot read the CA bundle /nonexistent/ca.pem: No such file or directory'),
    ValueError('Invalid header value'),
])
def test_other_request_failures_are_one_line_errors_naming_the_server(error):
    client, session = client_raising(error, retries=3)
    found = failure(client)
    assert str(found).startswith('cannot send a request to %s: %s: ' % (BASE + '/api', error.__class__.__name__))
    assert '\n' not in str(found)
    assert not found.retriable and len(session.sent) == 1
