"""Fixtures for the reliability and security suite (issue 7): fresh emulators and ansible-playbook runs.

The suite runs the collection as the pipeline built and installed it: ``hacking/test.sh reliability``
sets ``DATAGROK_TEST_COLLECTIONS`` (a directory holding ``ansible_collections/datagrok/platform``).
Without it every test is skipped, saying so.

* ``emulator(*extra_args)`` starts a fresh emulator (own state file and request log) and stops it at
  the end of the test; ``Emulator.restart()`` starts it again on the same state file.
* ``pg`` is the pipeline's PostgreSQL (``DATAGROK_TEST_PG_*``), or else a closed port.
* ``ansible(playbook, ...)`` runs ``ansible-playbook`` on the installed collection with a private
  ``ansible.cfg`` and returns an :class:`AnsibleRun` (rc, stdout, stderr, and with ``json=True``
  the json callback's document).
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest
import yaml
from datagrok_emulator.process import EmulatorProcess

HERE = os.path.dirname(os.path.abspath(__file__))

ADMIN_KEY = 'reliability-admin-key-5f1c2a'
USER_KEY = 'reliability-alice-key-93be07'

ANSIBLE_CFG = """\
[defaults]
collections_path = {collections}
local_tmp = {workdir}/ansible-local
retry_files_enabled = False
nocolor = True
interpreter_python = {python}
callback_plugins = {here}/callback_plugins
"""


class Emulator(EmulatorProcess):
    """tests/emulator/run.py on a free loopback port, with its own state file and request log."""

    def __init__(self, workdir, extra=()):
        self.workdir = workdir
        super().__init__(os.path.join(workdir, 'state.sqlite'), os.path.join(workdir, 'emulator.stderr'),
                         ADMIN_KEY, USER_KEY, extra, request_log=os.path.join(workdir, 'requests.jsonl'))


class AnsibleRun:
    """The outcome of one ansible-playbook run."""

    def __init__(self, rc, stdout, stderr, document=None):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.document = document  # the json callback's output, when asked for

    @property
    def text(self):
        return self.stdout + '\n' + self.stderr

    def task_results(self, task_name):
        """With json=True: the per-host results of every task of that name, in order."""
        found = []
        for play in (self.document or {}).get('plays', []):
            for task in play.get('tasks', []):
                if task['task']['name'] == task_name:
                    found.extend(task['hosts'].values())
        return found

    def stats(self):
        return (self.document or {}).get('stats', {})


def _collections_path():
    value = os.environ.get('DATAGROK_TEST_COLLECTIONS')
    if not value:
        pytest.skip('DATAGROK_TEST_COLLECTIONS is not set (the installed collection tree); '
                    'run through `bash hacking/test.sh reliability`')
    tree = os.path.join(value, 'ansible_collections', 'datagrok', 'platform')
    # MANIFEST.json: installed from the tarball; galaxy.yml: a symlink to a checkout (while developing).
    if not any(os.path.isfile(os.path.join(tree, name)) for name in ('MANIFEST.json', 'galaxy.yml')):
        pytest.fail('%s holds no datagrok.platform collection' % value)
    return os.path.abspath(value)


@pytest.fixture(scope='session')
def collections_path():
    return _collections_path()


@pytest.fixture
def emulator():
    """``emulator(*extra_args)``: a new emulator for this test, stopped (and its files deleted) at its end."""
    started = []

    def start(*extra_args):
        server = Emulator(tempfile.mkdtemp(prefix='datagrok-reliability-'), extra_args)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()
            shutil.rmtree(server.workdir, ignore_errors=True)


PG_VARS = ('HOST', 'PORT', 'USER', 'PASSWORD', 'DB')


@pytest.fixture
def pg():
    """The PostgreSQL to test against (DATAGROK_TEST_PG_*, set by hacking/test.sh), or else a closed port.

    The closed port stays bound (without listening) for the whole test, so nothing else can listen on it
    and a connection to it is refused at once.
    """
    values = dict((name.lower(), os.environ.get('DATAGROK_TEST_PG_' + name)) for name in PG_VARS)
    if all(values.values()):
        yield dict(values, port=int(values['port']), available=True)
        return
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        yield {'available': False, 'host': '127.0.0.1', 'port': sock.getsockname()[1], 'user': 'leak_user',
               'password': 'PgNone' + secrets.token_hex(12), 'db': 'leak_db'}


@pytest.fixture
def ansible(collections_path, tmp_path):
    """``ansible(playbook, inventory=None, extra_vars=None, ...)``: run ansible-playbook; returns an AnsibleRun.

    ``playbook`` is YAML text (or a list of plays); ``inventory`` a dict in the yaml inventory
    format (default: one host ``datagrok`` with a local connection); ``extra_vars`` a dict passed
    as ``-e @file``. ``verbosity`` adds ``-v`` flags, ``check``/``diff`` add ``--check``/``--diff``,
    ``json=True`` uses the JSON stdout callback (callback_plugins/json_results.py) and parses its document, ``env`` adds environment
    variables, ``background=True`` returns the Popen (stdout/stderr to files) instead of waiting.
    """
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text(ANSIBLE_CFG.format(collections=collections_path, workdir=tmp_path, python=sys.executable, here=HERE),
                   encoding='utf-8')
    ansible_playbook = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), 'ansible-playbook')
    counter = [0]

    def run(playbook, inventory=None, extra_vars=None, verbosity=0, check=False, diff=False, json=False,  # pylint: disable=redefined-outer-name
            env=None, background=False, timeout=900):
        counter[0] += 1
        prefix = tmp_path / ('run%02d' % counter[0])
        if not isinstance(playbook, str):
            playbook = yaml.safe_dump(playbook, sort_keys=False)
        (prefix.parent / (prefix.name + '-playbook.yml')).write_text(playbook, encoding='utf-8')
        inventory = inventory or {'all': {'hosts': {'datagrok': {'ansible_connection': 'local'}}}}
        (prefix.parent / (prefix.name + '-inventory.yml')).write_text(yaml.safe_dump(inventory), encoding='utf-8')
        cmd = [ansible_playbook, '-i', str(prefix) + '-inventory.yml', str(prefix) + '-playbook.yml']
        if extra_vars is not None:
            (prefix.parent / (prefix.name + '-vars.json')).write_text(_json_dumps(extra_vars), encoding='utf-8')
            cmd += ['-e', '@' + str(prefix) + '-vars.json']
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        run_env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'DATAGROK_')))
        run_env.update(ANSIBLE_CONFIG=str(cfg), PATH=os.path.dirname(ansible_playbook) + os.pathsep + os.environ.get('PATH', ''))
        if json:
            run_env.update(ANSIBLE_STDOUT_CALLBACK='json_results')
        run_env.update(env or {})
        out_path, err_path = str(prefix) + '.stdout', str(prefix) + '.stderr'
        with open(out_path, 'w', encoding='utf-8') as out, open(err_path, 'w', encoding='utf-8') as err:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=run_env)  # pylint: disable=consider-using-with
        if background:
            proc.stdout_path, proc.stderr_path = out_path, err_path
            return proc
        proc.wait(timeout)
        return collect(proc, out_path, err_path, json)

    return run


def collect(proc, out_path, err_path, parse_json=False, timeout=900):
    """The AnsibleRun of an ansible-playbook process, once it has ended."""
    proc.wait(timeout)
    with open(out_path, encoding='utf-8', errors='replace') as out, open(err_path, encoding='utf-8', errors='replace') as err:
        stdout, stderr = out.read(), err.read()
    document = None
    if parse_json:
        start = stdout.find('{')
        document = json.loads(stdout[start:]) if start >= 0 else None
    return AnsibleRun(proc.returncode, stdout, stderr, document)


def _json_dumps(value):
    return json.dumps(value, indent=1)
