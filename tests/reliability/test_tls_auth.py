"""Reliability suite, TLS and authentication: clear one-line failures that name the server, and no writes.

* **TLS** (:func:`test_tls`). The test makes a throwaway CA and a server certificate for 127.0.0.1 and
  localhost (subjectAltName IP:127.0.0.1, DNS:localhost) with the ``cryptography`` package (a dependency of
  ansible-core), and the emulator serves HTTPS with it. Each of the three modules is called with
  ``validate_certs: true`` and ``ca_path`` (works), without ``ca_path`` (fails with a one-line certificate
  message naming the server and saying what to set), and with ``validate_certs: false`` (works, also from
  ``DATAGROK_VALIDATE_CERTS=false``); ``ca_path`` holding another CA fails naming that file. The run sets
  ``REQUESTS_CA_BUNDLE`` and ``CURL_CA_BUNDLE``, as many corporate and CI images do: requests would let them
  override ``ca_path`` and ``validate_certs: false``. The request log and the server state show exactly the
  two writes of the tasks that work.
* **Authentication and permission** (:func:`test_auth_and_permission`). A wrong API key, and a revoked one
  (the admin's key after the server rotated it), fail every module with one line that says HTTP 401 and names
  the server, also when the server reports the 401 inside an HTTP 200 (``--error-style ok-with-header``), and
  never echo the key. The non-admin user alice, who can see the admin's connection (a View grant), is refused
  with HTTP 403 when she updates, deletes, shares, revokes a share of, or rotates the credentials of it, in
  the single and the bulk form. Nothing changes: every write in the request log was answered 401 or 403, and
  the connection, its grants and its stored credentials are as before.

One ansible-playbook run per test. The calls are independent of each other (the TLS test creates its connection
through the API first), so they run in parallel over three local hosts with the case machinery of
test_bad_input.py, and each is checked by its case id.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from datagrok_emulator.process import WRITE_METHODS

from datagrok_testkit import ADMIN_KEY, USER_KEY
from test_bad_input import CONNECTION, FORKS, INFO, TEST, case_results, module_case_inventory, module_case_play

WRONG_KEY = 'reliability-wrong-key-0000'
ROTATED_ADMIN_KEY = ADMIN_KEY + '-rotated'
S3 = {'bucket': 'reliability', 'region': 'eu-west-1'}


# -- TLS ---------------------------------------------------------------------------------------------------------

def _certificate(subject, issuer, public_key, signing_key, extensions):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def _write(path, data):
    with open(path, 'wb') as handle:
        handle.write(data)
    return path


def make_ca(directory, name):
    """A throwaway CA: (path of its PEM certificate, its key, its name)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = _certificate(subject, subject, key.public_key(), key, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                       key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), True),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False),
    ])
    path = _write(os.path.join(directory, name.replace(' ', '-') + '.pem'), cert.public_bytes(serialization.Encoding.PEM))
    return path, key, subject


def make_server_cert(directory, ca_key, ca_subject):
    """A server certificate for 127.0.0.1 and localhost, signed by the CA: (certificate path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'localhost')]), ca_subject, key.public_key(), ca_key, [
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')]), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
    ])
    cert_path = _write(os.path.join(directory, 'server.pem'), cert.public_bytes(serialization.Encoding.PEM))
    key_path = _write(os.path.join(directory, 'server.key'), key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def one_line_failure(result, *expected):
    """The problems with a task result that should be a clear one-line failure holding ``expected``."""
    msg = result.get('msg')
    problems = [] if result.get('failed') else ['did not fail']
    if not isinstance(msg, str):
        return problems + ['no message']
    if '\n' in msg:
        problems.append('not one line')
    if 'Traceback' in json.dumps(result) or 'MODULE FAILURE' in msg or 'module_stderr' in result:
        problems.append('a crash')
    problems.extend('lacks %r' % part for part in expected if part not in msg)
    return problems


TLS_CHECKS = ('certificate verify failed', "certificate cannot be verified")


def tls_cases(url, ca, other_ca):
    """Each module with a ca_path (works), without (fails), with another CA (fails) and without validation (works)."""
    def case(case_id, module, env=None, **args):
        found = {'id': case_id, 'module': module, 'args': dict(url=url, api_key=ADMIN_KEY, retries=0, **args)}
        if env:
            found['env'] = env
        return found
    return [
        case('connection with ca_path', CONNECTION, name='TlsWithCa', data_source='S3', parameters=S3, ca_path=ca),
        case('info with ca_path', INFO, name='TlsConn', ca_path=ca),
        case('test with ca_path', TEST, name='TlsConn', ca_path=ca),
        case('connection without ca_path', CONNECTION, name='TlsConn', description='never written'),
        case('info without ca_path', INFO),
        case('test without ca_path', TEST, data_source='S3', parameters=S3),
        case('connection with another CA', CONNECTION, name='TlsConn', description='never written', ca_path=other_ca),
        case('connection without validation', CONNECTION, name='TlsConn', description='written without validation',
             validate_certs=False),
        case('info without validation', INFO, name='TlsConn', validate_certs=False),
        case('test without validation', TEST, connections=[{'name': 'TlsConn'}], validate_certs=False),
        case('info without validation from the environment', INFO, name='TlsConn', env={'DATAGROK_VALIDATE_CERTS': 'false'}),
    ]


def test_tls(start_emulator, ansible, tmp_path):
    ca, ca_key, ca_subject = make_ca(str(tmp_path), 'Reliability Throwaway CA')
    other_ca = make_ca(str(tmp_path), 'Some Other CA')[0]
    cert, key = make_server_cert(str(tmp_path), ca_key, ca_subject)
    server = start_emulator('--tls-cert', cert, '--tls-key', key)
    assert server.url.startswith('https://127.0.0.1:')
    context = ssl.create_default_context(cafile=ca)
    server.api('POST', '/public/v1/connections', {'name': 'TlsConn', 'dataSource': 'S3', 'parameters': S3}, context=context)
    mark = server.mark()

    play, extra_vars = module_case_play(tls_cases(server.url, ca, other_ca))
    # The system's bundle, as corporate and CI images export it: it does not hold the throwaway CA.
    bundle = requests.certs.where()
    run = ansible([play], inventory=module_case_inventory(), extra_vars=extra_vars, json=True,
                  env={'REQUESTS_CA_BUNDLE': bundle, 'CURL_CA_BUNDLE': bundle, 'ANSIBLE_FORKS': str(FORKS)})
    assert run.document is not None, run.text[-3000:]
    results = case_results(run)
    assert len(results) == 11, sorted(results)

    created = results['connection with ca_path']
    assert not created.get('failed') and created['changed'] and created['connection']['name'] == 'TlsWithCa', created
    assert results['info with ca_path']['exists'] is True
    assert results['test with ca_path']['ok'] is True, results['test with ca_path']
    updated = results['connection without validation']
    assert not updated.get('failed') and updated['changed'], updated
    assert results['info without validation']['exists'] is True
    assert results['test without validation']['results'][0]['ok'] is True, results['test without validation']
    assert results['info without validation from the environment']['exists'] is True

    failures = []
    for case_id in ('connection without ca_path', 'info without ca_path', 'test without ca_path'):
        problems = one_line_failure(results[case_id], 'TLS error talking to ' + server.url, 'set ca_path', *TLS_CHECKS)
        if problems:
            failures.append('%s: %s; msg=%r' % (case_id, ', '.join(problems), results[case_id].get('msg')))
    other = results['connection with another CA']
    problems = one_line_failure(other, 'TLS error talking to ' + server.url, 'ca_path ' + other_ca, *TLS_CHECKS)
    if problems:
        failures.append('another CA: %s; msg=%r' % (', '.join(problems), other.get('msg')))
    assert not failures, '\n'.join(failures)

    # Exactly the create and the update reached the server; the refused handshakes sent no HTTP request at all.
    writes = [r for r in server.writes_since(mark) if not r['path'].endswith('/connections/test')]
    assert [(r['method'], r['status']) for r in writes] == [('POST', 200), ('POST', 200)], writes
    stored = dict((c['name'], c) for c in server.connections(context=context))
    assert sorted(stored) == ['TlsConn', 'TlsWithCa']
    assert stored['TlsConn']['description'] == 'written without validation'


# -- authentication and permission ---------------------------------------------------------------------------------

def auth_cases(url, header_url):
    """Wrong and revoked keys against every module, and alice's refused operations on the admin's connection."""
    def case(case_id, module, key, **args):
        full = dict(url=url, api_key=key, retries=0)
        full.update(args)
        return {'id': case_id, 'module': module, 'args': full}
    shared = 'Admin:Shared'
    return [
        case('wrong key connection', CONNECTION, WRONG_KEY, name='Shared', description='never written'),
        case('wrong key bulk', CONNECTION, WRONG_KEY, connections=[{'name': shared, 'description': 'never written'}]),
        case('wrong key info', INFO, WRONG_KEY),
        case('wrong key test', TEST, WRONG_KEY, name=shared),
        case('wrong key inside HTTP 200', INFO, WRONG_KEY, url=header_url, name='Shared'),
        case('revoked key connection', CONNECTION, ADMIN_KEY, name='Fresh', data_source='S3', parameters=S3),
        case('revoked key info', INFO, ADMIN_KEY, name=shared),
        case('revoked key test', TEST, ADMIN_KEY, data_source='S3', parameters=S3),
        case('alice reads', INFO, USER_KEY, name=shared, include_shares=True),
        case('alice updates', CONNECTION, USER_KEY, name=shared, description='changed by alice'),
        case('alice deletes', CONNECTION, USER_KEY, name=shared, state='absent'),
        case('alice shares', CONNECTION, USER_KEY, name=shared, shares=[{'group': 'Chemists', 'access': 'Edit'}]),
        case('alice revokes', CONNECTION, USER_KEY, name=shared, shares=[], shares_mode='exact'),
        case('alice rotates the password', CONNECTION, USER_KEY, name=shared, credentials={'password': 'alice-was-here'},
             update_credentials='always'),
        case('alice updates in bulk', CONNECTION, USER_KEY, connections=[{'name': shared, 'tags': ['alice']}]),
    ]


def snapshot(server, key):
    """Everything alice must not change: the connections, the grants and the stored credentials."""
    conns = server.api('GET', '/public/v1/connections', key=key)
    return {
        'connections': conns,
        'grants': dict((c['id'], server.api('GET', '/privileges/permissions?entityId=%s' % c['id'], key=key)) for c in conns),
        'credentials': dict((c['id'], server.api('GET', '/public/v1/credentials/for/%s' % c['id'], key=key)) for c in conns),
    }


def test_auth_and_permission(start_emulator, ansible):
    server = start_emulator()
    header_style = start_emulator('--error-style', 'ok-with-header')
    shared = server.api('POST', '/public/v1/connections?saveCredentials=true', {
        'name': 'Shared', 'dataSource': 'Postgres', 'parameters': {'server': 'db.example.com', 'db': 'sales'},
        'credentials': {'parameters': {'login': 'reader', 'password': 'admin-secret'}}})
    answer = server.api('POST', '/public/v1/entities/%s/shares?groups=alice&access=View' % shared['id'])
    assert answer['status'] == 'success', answer
    # Revoke the admin's key: the server now knows only a rotated one.
    server.admin_key = ROTATED_ADMIN_KEY
    server.restart()
    before = snapshot(server, ROTATED_ADMIN_KEY)
    assert before['credentials'][shared['id']]['parameters']['password'] == 'admin-secret'
    mark = server.mark()

    play, extra_vars = module_case_play(auth_cases(server.url, header_style.url))
    run = ansible([play], inventory=module_case_inventory(), extra_vars=extra_vars, json=True,
                  env={'ANSIBLE_FORKS': str(FORKS)})
    assert run.document is not None, run.text[-3000:]
    results = case_results(run)
    assert len(results) == 15, sorted(results)

    failures = []
    checks = [(case_id, ('HTTP 401', '(server %s)' % server.url)) for case_id in (
        'wrong key connection', 'wrong key bulk', 'wrong key info', 'wrong key test',
        'revoked key connection', 'revoked key info', 'revoked key test')]
    checks.append(('wrong key inside HTTP 200', ('errorCode 401', '(server %s)' % header_style.url)))
    checks += [(case_id, ('HTTP 403', 'Access denied', "connection 'Admin:Shared'")) for case_id in (
        'alice updates', 'alice deletes', 'alice shares', 'alice revokes', 'alice rotates the password', 'alice updates in bulk')]
    for case_id, expected in checks:
        result = results[case_id]
        problems = one_line_failure(result, *expected)
        output = dict((k, v) for k, v in result.items() if k not in ('item', '_ansible_item_label'))  # the loop's own input
        if any(key in json.dumps(output) for key in (WRONG_KEY, ADMIN_KEY, USER_KEY)):
            problems.append('the API key in the result')
        if problems:
            failures.append('%s: %s; msg=%r' % (case_id, ', '.join(problems), result.get('msg')))
    assert not failures, '\n'.join(failures)
    # alice can see the connection: her refusals are about permission (403), not visibility (404).
    assert results['alice reads']['exists'] is True

    seen = server.requests_since(mark)
    writes = [r for r in seen if r['method'] in WRITE_METHODS]
    assert [r for r in writes if r['status'] not in (401, 403)] == [], writes
    # Every denied operation reached the server and was refused there: update, credentials, share (POST),
    # delete and revoke (DELETE).
    assert sorted((r['method'], r['path'].split('?')[0]) for r in writes if r['user'] == 'alice') == sorted([
        ('POST', '/public/v1/connections'), ('POST', '/public/v1/connections'), ('POST', '/public/v1/connections'),
        ('DELETE', '/public/v1/connections/' + shared['id']),
        ('POST', '/public/v1/entities/%s/shares' % shared['id']),
        ('DELETE', '/privileges/permissions/' + before['grants'][shared['id']][0]['id']),
    ]), writes
    assert all(r['user'] is None for r in seen if r['status'] == 401)
    assert [r for r in header_style.requests() if r['method'] in WRITE_METHODS] == []
    assert snapshot(server, ROTATED_ADMIN_KEY) == before
