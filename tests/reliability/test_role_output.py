"""What the role ``datagrok.platform.connections`` shows and honours.

* ``test_dry_run_can_be_reviewed``: in check mode with a purge, the summary names what would be updated and
  what the purge would delete, each changed connection's before and after is shown (secrets masked), and
  nothing is written; the real run then names the same connections, and a check run after it nothing.
* ``test_a_play_in_check_mode_is_a_check_run_in_the_output``: a play with ``check_mode: true``, run without
  ``--check`` or ``--diff`` (docs/example/plan.yml, the drift template of docs/awx.md), says "check mode, nothing
  written" and shows each change, as ``--check`` does, and writes nothing.
* ``test_unset_settings_fall_through_to_the_module``: against HTTPS with a throwaway CA, the role leaves
  ``validate_certs`` to ``DATAGROK_VALIDATE_CERTS`` (what an AWX credential sets) and to ``module_defaults``,
  where it used to pass ``true`` whatever they said; with neither, the certificate is refused.
* ``test_a_bad_inventory_fails_in_one_line``: a misspelt key, a bad choice and a malformed share fail the role in
  one line that names each item and key (and the nearest known key), before any request, instead of
  ansible-core's dump of the argument spec.
* ``test_secrets_not_compared_are_named``: on a server that masks stored credentials, a changed password under
  ``when_changed`` is not written (it cannot be compared), and the summary counts and names the connection.
"""
from __future__ import annotations

import json
import re

from datagrok_emulator.process import WRITE_METHODS
from test_faults import PLAYBOOK, SUMMARY, role_vars
from test_tls_auth import make_ca, make_server_cert

S3 = {'bucket': 'review', 'region': 'eu-west-1'}
SCOPE = {'tag': 'managed'}


def summary_line(run):
    lines = [line for line in run.stdout.splitlines() if SUMMARY.search(line)]
    assert lines, run.text[-3000:]
    return json.loads('{%s}' % lines[-1].strip())['msg']


def shown_diffs(run):
    """The connections the role's diff task showed, by the label of each loop item."""
    return re.findall(r'\(item=([^)]+)\) => \{\n\s+"msg": \{\n\s+"after"', run.stdout)


def test_dry_run_can_be_reviewed(start_emulator, ansible):
    server = start_emulator()
    items = [{'name': 'Keep', 'data_source': 'S3', 'parameters': S3, 'credentials': {'accessKey': 'AK', 'secretKey': 'Sk-review-1'}},
             {'name': 'Change', 'data_source': 'S3', 'parameters': S3},
             {'name': 'Drop', 'data_source': 'S3', 'parameters': S3}]
    first = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items, datagrok_connections_scope=SCOPE))
    assert first.rc == 0, first.text[-3000:]
    wanted = [items[0], dict(items[1], description='reviewed')]
    values = role_vars(server.url, server, wanted, datagrok_connections_scope=SCOPE, datagrok_connections_purge=True)

    mark = server.mark()
    check = ansible(PLAYBOOK, extra_vars=values, check=True)
    assert check.rc == 0, check.text[-3000:]
    assert server.writes_since(mark) == []
    assert summary_line(check) == ('check mode, nothing written: 0 created, 1 updated, 1 deleted, 1 unchanged, 0 failed; '
                                   'updated: Admin:Change; deleted: Admin:Drop')
    assert shown_diffs(check) == ['Admin:Change', 'Admin:Drop']
    assert '"description": "reviewed"' in check.stdout and 'Sk-review-1' not in check.text

    real = ansible(PLAYBOOK, extra_vars=values)
    assert real.rc == 0, real.text[-3000:]
    assert summary_line(real) == '0 created, 1 updated, 1 deleted, 1 unchanged, 0 failed; updated: Admin:Change; deleted: Admin:Drop'
    assert shown_diffs(real) == []  # no diff without --diff outside check mode
    assert sorted(c['name'] for c in server.connections()) == ['Change', 'Keep']

    mark = server.mark()
    again = ansible(PLAYBOOK, extra_vars=values, check=True, diff=True)
    assert summary_line(again) == 'check mode, nothing written: 0 created, 0 updated, 0 deleted, 2 unchanged, 0 failed'
    assert shown_diffs(again) == [] and server.writes_since(mark) == []


def test_a_play_in_check_mode_is_a_check_run_in_the_output(start_emulator, ansible):
    server = start_emulator()
    items = [{'name': 'Planned', 'data_source': 'S3', 'parameters': S3}]
    mark = server.mark()
    planned = ansible(PLAYBOOK.replace('  gather_facts: false\n', '  gather_facts: false\n  check_mode: true\n'),
                      extra_vars=role_vars(server.url, server, items))
    assert planned.rc == 0, planned.text[-3000:]
    assert summary_line(planned) == 'check mode, nothing written: 1 created, 0 updated, 0 deleted, 0 unchanged, 0 failed; created: Admin:Planned'
    assert shown_diffs(planned) == ['Admin:Planned']
    assert server.writes_since(mark) == [] and server.connections() == []


def test_unset_settings_fall_through_to_the_module(start_emulator, ansible, tmp_path):
    ca, ca_key, ca_subject = make_ca(str(tmp_path), 'Role Throwaway CA')
    cert, key = make_server_cert(str(tmp_path), ca_key, ca_subject)
    server = start_emulator('--tls-cert', cert, '--tls-key', key)
    item = [{'name': 'Tls', 'data_source': 'S3', 'parameters': S3}]
    values = role_vars(server.url, server, item, datagrok_retries=0)

    refused = ansible(PLAYBOOK, extra_vars=values)
    assert refused.rc != 0 and 'TLS error talking to ' + server.url in refused.text
    from_env = ansible(PLAYBOOK, extra_vars=values, env={'DATAGROK_VALIDATE_CERTS': 'false'})
    assert from_env.rc == 0, from_env.text[-3000:]
    assert summary_line(from_env).startswith('1 created')
    with_defaults = ansible([{'hosts': 'datagrok', 'gather_facts': False,
                              'module_defaults': {'group/datagrok.platform.datagrok': {'validate_certs': False, 'timeout': 7}},
                              'roles': ['datagrok.platform.connections']}], extra_vars=values)
    assert with_defaults.rc == 0, with_defaults.text[-3000:]
    assert summary_line(with_defaults).startswith('0 created, 0 updated, 0 deleted, 1 unchanged')


def test_secrets_not_compared_are_named(start_emulator, ansible):
    server = start_emulator('--credentials-read', 'masked')
    item = {'name': 'Masked', 'data_source': 'S3', 'parameters': S3, 'credentials': {'accessKey': 'AK', 'secretKey': 'Old-secret-77'}}
    assert ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, [item])).rc == 0
    rotated = dict(item, credentials={'accessKey': 'AK', 'secretKey': 'New-secret-88'})
    mark = server.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, [rotated]))
    assert run.rc == 0, run.text[-3000:]
    assert [r for r in server.writes_since(mark) if r['method'] in WRITE_METHODS] == []
    assert summary_line(run) == ('0 created, 0 updated, 0 deleted, 1 unchanged, 0 failed; '
                                 '1 with secrets not compared (the server masks them): Admin:Masked')
    assert 'New-secret-88' not in run.text and 'Old-secret-77' not in run.text


def test_a_bad_inventory_fails_in_one_line(start_emulator, ansible):
    server = start_emulator()
    items = [{'name': 'Good', 'data_source': 'S3', 'parameters': S3, 'credentials': {'accessKey': 'AK', 'secretKey': 'Sk-shape-1'}},
             {'name': 'Typo', 'data_sorce': 'S3', 'state': 'gone'},
             {'name': 'Share', 'data_source': 'S3', 'shares': [{'group': 'Chemists', 'acess': 'View'}]},
             {'name': 'Access', 'data_source': 'S3', 'shares': [{'group': 'Chemists', 'access': 'Read'}]}]
    mark = server.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items))
    assert run.rc != 0
    assert server.requests_since(mark) == []
    # ansible-core 2.19 prints the message twice ([ERROR] and fatal:), each time whole on one line.
    messages = set(re.search(r'Invalid datagrok_connections: ([^"]*)', line).group(1)
                   for line in run.stdout.splitlines() if 'Invalid datagrok_connections' in line)
    assert messages == {"datagrok_connections[1] (Typo): unknown key 'data_sorce' (did you mean 'data_source'?), state must be one "
                        "of present, absent, got 'gone'; datagrok_connections[2] (Share): unknown key 'shares[0].acess' (did you "
                        "mean 'access'?); datagrok_connections[3] (Access): shares: access must be one of View, Edit (in any case), "
                        "got 'Read'"}, \
        run.text[-3000:]
    assert 'argument_spec_data' not in run.text and len(run.stdout) < 2500, len(run.stdout)
    assert 'Sk-shape-1' not in run.text
