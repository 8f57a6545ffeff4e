"""Secret-leak scan: every module scenario and the role, at -vvvv with --diff, leak no secret.

One playbook (playbooks/secret_scenarios.yml) runs against a fresh emulator:

* datagrok_connection, single form: a Postgres connection with login/password credentials and a share,
  created in check mode then for real, its password rotated old -> new in check mode, for real, then
  again (``when_changed`` where the server shows stored secrets, ``always`` where it masks them); a
  Postgres connection with a ``password`` inside ``parameters`` and another inside its ``connString``
  (JDBC ``password=``, then URL ``user:pass@``), both rotated (check, real, again);
* refused operations carrying secrets: a rotation by a user who may only view the connection (HTTP 403,
  after reading the stored credentials, in clear on a ``clear`` server), and misspelt secret keys
  refused before any request, by datagrok_connection and datagrok_connection_test;
* the bulk form: four data sources (Postgres with a share, S3, Snowflake key pair, MS SQL with a secret
  parameter) created in check mode and for real; a credential and a secret parameter rotated with
  ``purge`` (check, real, again); a call with an item the server refuses (unknown data source);
* datagrok_connection_test: saved and unsaved connections, passing and failing, in one call, and an
  unsaved one with a wrong password that fails the task. With a PostgreSQL (``DATAGROK_TEST_PG_*``, set
  by the pipeline) the first connection's password is rotated to the real one: its saved test fails
  before the rotation and connects after it. Without one, the tests meet a closed port;
* datagrok_connection_info: one connection with its shares; many, with shares and ``export``; the lookup
  ``datagrok.platform.connection``, one and many with shares (its facts show at -vvvv);
* the role ``datagrok.platform.connections``: create with its default ``no_log``, then a rotation in
  check mode and for real with the module's output shown (``datagrok_connections_no_log: false``) and,
  with a PostgreSQL, the role's connection tests.

Each step asserts what it did inside the playbook (changed in check mode, changed for real, unchanged
again, the failures failed, masks and diff markers where expected). The test checks the changed flags
per step again from the JSON callback's document and the runner's events, and reads the emulator's
state afterwards: the rotated secrets really are the new ones, and the refused writes reached the
server. So the scan never looks at a run that did nothing.

The playbook runs three ways under each ``--credentials-read`` mode (``clear`` and ``masked``), each
against its own emulator, at the same time: ``ansible-playbook -vvvv --diff`` with the default callback,
the same with the JSON callback (tests/reliability/callback_plugins), and ``ansible_runner.run``
(verbosity 4, ``--diff``), whose stdout and every job event file are read. Everything printed (stdout,
stderr, the JSON document, each event, the diffs within them) is searched for every secret used, old and
new (random per test run), the PostgreSQL password and both API keys, and for every 12-character
fragment of the random ones (a truncated or partly masked secret is a leak too). It must find nothing.
"""
from __future__ import annotations

import glob
import json
import os
import re
import secrets
import shutil
import sqlite3
import string
import sys
import threading

import ansible_runner
import pytest
import yaml
from datagrok_testkit.playbooks import write_config

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, 'playbooks', 'secret_scenarios.yml')
# Every secret the playbook uses, each a fresh random value per test run (see ``s`` in the playbook).
SECRET_NAMES = (
    'pg_old', 'param_old', 'param_new', 'cs_old', 'cs_new', 'alice', 'alice_param', 'typo', 'typo_param',
    'bulk_old', 'bulk_new', 'bulk_s3', 'bulk_key', 'bulk_phrase', 'bulk_param', 'bulk_param_new', 'bulk_good',
    'bulk_refused', 'bulk_refused_param', 's3_test', 'test_param', 'wrong', 'typo_test', 'typo_test_param',
    'role_old', 'role_s3', 'role_s3_new', 'short', 'group_own', 'group_chem_old', 'group_chem_new', 'group_dev_old',
    'group_dev_new', 'plan_old', 'plan_new', 'plan_param',
)
# A two-letter password: searched for as a whole word, since two letters occur inside other words.
SHORT = ('short',)
FRAGMENT = 12
ALPHABET = string.ascii_letters + string.digits
VERBOSITY = 4
LABELS = ('ansible-playbook, default callback', 'ansible-playbook, json callback', 'ansible-runner')
CONVERGE = 'Converge the data connections of this Datagrok instance'
# changed, per task, in the order the playbook runs them; the role's converge task runs three times.
CHANGED = (
    ('Pg create (check)', True), ('Pg create', True), ('Pg rotate (check)', True), ('Pg rotate', True),
    ('Pg rotate again', False), ('Param create', True), ('Param rotate (check)', True),
    ('Param rotate', True), ('Param rotate again', False), ('Bulk create (check)', True), ('Bulk create', True),
    ('Bulk rotate (check)', True), ('Bulk rotate', True), ('Bulk rotate again', False),
    ('Short create', True), ('Short create again', False), ('Groups create (check)', True), ('Groups create', True),
    ('Groups rotate (check)', True), ('Groups rotate', True), ('Groups rotate again', False),
    ('Plan create', True), ('Plan rotate (check, saved)', True), ('Plan rotate (applied)', True),
)
# The steps that fail on purpose (ignore_errors); each carries secrets.
FAILING = ('Alice rotates Pg (refused by the server)', 'Create refused before any request (misspelt secret keys)',
           'Bulk with an item the server refuses', 'Unsaved test with a wrong password (fails)', 'Plan rotate (applied again, refused)',
           'Unsaved test refused before any request (misspelt secret key)')
# What every run's output must show, so that the scan looks at real output: the connections by name,
# the diff's secret markers, the masked values, the error paths, and -vvvv's connection lines.
MUST_SHOW = ('LeakPg', 'LeakParam', 'LeakShort_', 'LeakGroups', 'LeakBulkSnowflake', 'LeakBulkRefused', 'LeakTypo', 'LeakRolePg', 'LeakRoleS3',
             '<secret: will be written>', '"<secret>"', '********', 'Access denied', 'Unknown data source',
             "Did you mean 'password'?", 'test failed', 'ESTABLISH LOCAL CONNECTION', 'hmac-sha256:', 'since the plan')


def _token(prefix):
    return prefix + ''.join(secrets.choice(ALPHABET) for dummy in range(28))


@pytest.fixture
def secret_values():
    values = dict((name, _token('Sx')) for name in SECRET_NAMES)
    # Letters that make no word of the output (hex ids, the callbacks' keys) when they stand alone.
    values.update((name, secrets.choice('JKQXZ') + secrets.choice('jqxz')) for name in SHORT)
    return values


def _needles(secrets_used, pg, emulator):
    """label -> value to search for: every secret, and every fragment of the random ones."""
    whole = dict(('s.' + name, value) for name, value in secrets_used.items())
    whole.update({'the admin API key': emulator.admin_key, 'the user API key': emulator.user_key,
                  'the PostgreSQL password': pg['password']})
    needles = dict(whole)
    for name in SHORT:
        needles['s.' + name] = re.compile(r'(?<![0-9A-Za-z_])%s(?![0-9A-Za-z_])' % re.escape(secrets_used[name]))
    for label, value in whole.items():
        if label[2:] in SHORT:
            continue
        if label.startswith('s.') or len(value) >= 20:
            needles.update(('%s[%d:]' % (label, start), value[start:start + FRAGMENT]) for start in range(len(value) - FRAGMENT + 1))
    return needles


def _hits(text, needles):
    """The secrets found in ``text``: each named once, whether whole or by a fragment."""
    return sorted(set(label.split('[')[0] for label, value in needles.items()
                      if (value.search(text) if hasattr(value, 'search') else value in text)))


def _stored(emulator):
    """The emulator's state file as it is: {connection name: (parameters, stored credentials or None)}."""
    db = sqlite3.connect('file:%s?mode=ro' % emulator.state, uri=True)
    try:
        creds = dict((entity, json.loads(params)) for entity, params in db.execute('SELECT entity_id, parameters FROM credentials'))
        return dict((name, (json.loads(params), creds.get(conn_id)))
                    for conn_id, name, params in db.execute('SELECT id, name, parameters FROM connections'))
    finally:
        db.close()


def _group_sets(emulator, name):
    """{group name: stored parameters} of every credential set of the connection ``name``."""
    db = sqlite3.connect('file:%s?mode=ro' % emulator.state, uri=True)
    try:
        return dict((group, json.loads(params)) for group, params in db.execute(
            'SELECT g.name, k.parameters FROM credentials k JOIN groups g ON g.id = k.group_id '
            'JOIN connections c ON c.id = k.entity_id WHERE c.name = ?', (name,)))
    finally:
        db.close()


def _recap(stdout):
    """PLAY RECAP counts of the host: {'ok': 60, 'changed': 19, ...}."""
    line = [text for text in stdout.splitlines() if text.startswith('datagrok ') and ' ok=' in text][-1]
    return dict((key, int(value)) for key, value in (item.split('=') for item in line.split(':', 1)[1].split()))


class Run:
    """One way of running the playbook: what it printed, by source, its results in order, and its recap."""

    def __init__(self, label, emulator, mode, secrets_used, pg, plan_dir):
        self.label = label
        self.emulator = emulator
        self.plan_dir = plan_dir  # where the playbook saves its plans (save_plan), searched like the output
        os.makedirs(self.plan_dir)
        self.extra_vars = {'dg_url': emulator.url, 'dg_admin_key': emulator.admin_key, 'dg_user_key': emulator.user_key,
                           'read_mode': mode, 's': secrets_used, 'pg': pg, 'plan_dir': self.plan_dir}
        self.texts = {}    # source -> text
        self.results = []  # (task name, result), from the JSON callback or the runner's events
        self.recap = None  # {'changed': n, 'failed': n, 'ignored': n}
        self.error = None

    def read_plans(self):
        """The plan files the run saved (save_plan): searched like everything it printed."""
        for path in glob.glob(os.path.join(self.plan_dir, '*.json')):
            self.texts['plan file ' + os.path.basename(path)] = _read(path)

    def size(self):
        return sum(len(text) for text in self.texts.values())

    def results_of(self, task):
        return [result for name, result in self.results if name == task or name.endswith(' : ' + task)]

    def collect_playbook(self, proc, json_callback):
        proc.wait(600)
        stdout = _read(proc.stdout_path)
        self.texts.update(stdout=stdout, stderr=_read(proc.stderr_path))
        if not json_callback:
            recap = _recap(stdout)
            self.recap = {'changed': recap['changed'], 'failed': recap['failed'] + recap['unreachable'], 'ignored': recap['ignored']}
            return
        # The document comes last, after -vvvv's lines.
        document = json.loads(stdout[re.search(r'^\{\n "plays": ', stdout, re.M).start():])
        for play in document['plays']:
            for task in play['tasks']:
                self.results.extend((task['task']['name'], result) for result in task['hosts'].values())
        stats = document['stats']['datagrok']
        self.recap = {'changed': stats['changed'], 'failed': stats['failures'] + stats['unreachable'], 'ignored': stats['ignored']}

    def run_runner(self, collections_path, workdir):
        private = os.path.join(workdir, 'runner')
        for folder in ('project', 'inventory', 'env'):
            os.makedirs(os.path.join(private, folder))
        shutil.copy(PLAYBOOK, os.path.join(private, 'project', 'secret_scenarios.yml'))
        cfg = write_config(workdir, collections_path, os.path.join(HERE, 'callback_plugins'), name='runner-ansible.cfg')
        with open(os.path.join(private, 'inventory', 'hosts.yml'), 'w', encoding='utf-8') as handle:
            yaml.safe_dump({'all': {'hosts': {'datagrok': {'ansible_connection': 'local'}}}}, handle)
        envvars = dict(PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''), ANSIBLE_CONFIG=cfg)
        try:
            runner = ansible_runner.run(private_data_dir=private, playbook='secret_scenarios.yml', ident='leaks', quiet=True,
                                        verbosity=VERBOSITY, cmdline='--diff', extravars=self.extra_vars, envvars=envvars,
                                        settings={'job_timeout': 600, 'suppress_ansible_output': True})
            artifacts = os.path.join(private, 'artifacts', 'leaks')
            self.texts['stdout'] = _read(os.path.join(artifacts, 'stdout'))
            events = []
            for path in glob.glob(os.path.join(artifacts, 'job_events', '*.json')):
                text = _read(path)
                self.texts['event ' + os.path.basename(path)] = text
                events.append(json.loads(text))
            stats = dict((key, (runner.stats.get(key) or {}).get('datagrok', 0)) for key in ('changed', 'failures', 'dark', 'ignored'))
        finally:
            # ansible-runner keeps the job's extra vars (every secret) in the private data directory.
            shutil.rmtree(private, ignore_errors=True)
        for event in sorted(events, key=lambda e: e['counter']):
            if event.get('event') in ('runner_on_ok', 'runner_on_failed'):
                self.results.append((event['event_data']['task'],
                                     dict(event['event_data']['res'], failed=event['event'] == 'runner_on_failed')))
        self.recap = {'changed': stats['changed'], 'failed': stats['failures'] + stats['dark'], 'ignored': stats['ignored']}
        assert runner.status == 'successful', runner.status


def _read(path):
    with open(path, encoding='utf-8', errors='replace') as handle:
        return handle.read()


def _thread(run, func, *args):
    def target():
        try:
            func(*args)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            run.error = exc
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def _check_results(run, mode):
    """The per-step outcome, from the JSON callback's document or the runner's events."""
    changed = [(task, [result['changed'] for result in run.results_of(task)]) for task, dummy in CHANGED]
    assert changed == [(task, [flag]) for task, flag in CHANGED], run.label
    for task in FAILING:
        assert [result.get('failed') for result in run.results_of(task)] == [True], (run.label, task)
    converge = run.results_of(CONVERGE)
    # The role's default no_log hides the first converge (its assert task checks it); the others show
    # the module's own masking.
    assert len(converge) == 3 and 'censored' in converge[0], run.label
    assert [result.get('censored') for result in converge[1:]] == [None, None], run.label
    assert [result['changed'] for result in converge[1:]] == [True, True], run.label
    assert converge[2]['summary']['updated'] == 2 and len(converge[2]['diff']) == 2
    [again] = run.results_of('Pg rotate again')
    assert again['credentials_verified'] is (mode == 'clear')
    [alice] = run.results_of(FAILING[0])
    assert 'Access denied' in alice['msg'], alice['msg']


def _check_stored(emulator, mode, secrets_used, pg):
    """The emulator holds what the playbook claims it wrote: the new secrets, and nothing refused."""
    stored = _stored(emulator)
    assert stored['LeakPg'][1] == {'login': pg['user'], 'password': pg['password']}
    assert stored['LeakParam'][0]['password'] == secrets_used['param_new']
    assert secrets_used['cs_new'] in stored['LeakParam'][0]['connString']
    assert stored['LeakBulkPg'][1]['password'] == secrets_used['bulk_new']
    assert stored['LeakBulkS3'][1]['secretKey'] == secrets_used['bulk_s3']
    assert stored['LeakBulkParam'][0]['password'] == secrets_used['bulk_param_new']
    assert stored['LeakBulkGood'][1]['password'] == secrets_used['bulk_good']
    assert stored['LeakRolePg'][1]['password'] == pg['password']
    assert stored['LeakRoleS3'][1]['secretKey'] == secrets_used['role_s3_new']
    assert stored['LeakPlan'][0]['password'] == secrets_used['plan_param']
    assert stored['LeakPlan'][1] == {'login': 'plan_login', 'password': secrets_used['plan_new']}
    assert stored['LeakShort_%sales' % secrets_used['short']][1] == {'login': 'sa', 'password': secrets_used['short']}
    assert not set(stored) & {'LeakBulkSnowflake', 'LeakBulkRefused', 'LeakTypo'}
    # Each group's set: Chemists rotated (always); Developers rotated only where admin could compare it.
    assert _group_sets(emulator, 'LeakGroups') == {
        'All users': {'login': 'own_login', 'password': secrets_used['group_own']},
        'Chemists': {'login': 'chem_login', 'password': secrets_used['group_chem_new']},
        'Developers': {'login': 'dev_login', 'password': secrets_used['group_dev_new' if mode == 'clear' else 'group_dev_old']}}
    # The server's own view: in clear on a clear server, as the placeholder on a masking one.
    read = emulator.api('GET', '/public/v1/credentials/for/Admin.LeakPg')['parameters']['password']
    assert read == (pg['password'] if mode == 'clear' else '_' * 13)
    # The refused writes did reach the server, secrets and all, and were refused there.
    refused = [(r['method'], r['status'], r['user']) for r in emulator.requests()
               if r['path'] == '/public/v1/connections' and r['method'] == 'POST' and r['status'] >= 400]
    assert sorted(refused) == [('POST', 400, 'admin'), ('POST', 403, 'alice')]


@pytest.mark.parametrize('mode', ['clear', 'masked'])
def test_no_secret_leaks(mode, start_emulator, ansible, collections_path, pg, secret_values, tmp_path, monkeypatch):
    with open(PLAYBOOK, encoding='utf-8') as handle:
        playbook = handle.read()
    # The secrets searched for are the ones the playbook uses.
    assert set(re.findall(r'\bs\.(\w+)', playbook)) == set(SECRET_NAMES)
    # ansible-runner hands its own environment to the job: nothing of whoever runs the tests.
    for name in list(os.environ):
        if name.startswith(('DATAGROK_', 'ANSIBLE_')):
            monkeypatch.delenv(name)

    # The three ways run at the same time, each against its own fresh emulator.
    runs = [Run(label, start_emulator('--credentials-read', mode), mode, secret_values, pg, str(tmp_path / ('plans-%d' % index)))
            for index, label in enumerate(LABELS)]
    procs = [ansible(playbook, extra_vars=run.extra_vars, verbosity=VERBOSITY, diff=True, json=json_callback,
                     background=True) for run, json_callback in zip(runs, (False, True))]
    threads = [_thread(runs[2], runs[2].run_runner, collections_path, str(tmp_path))]
    threads += [_thread(run, run.collect_playbook, proc, json_callback) for run, proc, json_callback in zip(runs, procs, (False, True))]
    for thread in threads:
        thread.join()

    needles = _needles(secret_values, pg, runs[0].emulator)
    # The search finds every secret where it is: in what the runs were given.
    assert len(_hits(json.dumps(runs[0].extra_vars), needles)) == len(secret_values) + 3
    for run in runs:
        run.read_plans()
        assert 'plan file rotate.json' in run.texts, run.label
        stdout = run.texts.get('stdout', '')
        assert run.error is None and run.recap['failed'] == 0, '%s: %r\n%s' % (run.label, run.error, stdout[-6000:])
        assert run.recap['ignored'] == len(FAILING), run.label
        everything = '\n'.join(run.texts.values())
        assert [marker for marker in MUST_SHOW if marker not in everything] == [], run.label
        leaks = dict((source, _hits(text, needles)) for source, text in run.texts.items())
        leaks = dict((source, found) for source, found in leaks.items() if found)
        assert not leaks, '%s (%s) leaked secrets, by where they were found: %s' % (run.label, mode, leaks)
        _check_stored(run.emulator, mode, secret_values, pg)
    # Every way ran the same steps with the same outcome.
    assert runs[0].recap == runs[1].recap == runs[2].recap, [run.recap for run in runs]
    # The diff, as the default callback prints it (and as the runner's stdout carries it).
    for run in (runs[0], runs[2]):
        assert '--- before: Admin:LeakPg' in run.texts['stdout'] and '+++ after: Admin:LeakBulkPg' in run.texts['stdout']
    assert len(runs[2].texts) > 100, 'the runner wrote too few job events'
    for run in runs[1:]:
        _check_results(run, mode)
    print('%s: %d runs, %d bytes in %d texts searched for %d secrets (%d needles with fragments), no hit'
          % (mode, len(runs), sum(run.size() for run in runs), sum(len(run.texts) for run in runs),
             len(secret_values) + 3, len(needles)))
