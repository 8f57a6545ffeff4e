"""One way to run ansible-playbook on the installed collection, for every suite and the benchmark.

``PlaybookRunner.run`` writes the playbook, inventory and extra vars into a folder, runs ansible-playbook with a
private ``ansible.cfg`` and an environment cleared of ``ANSIBLE_*`` and ``DATAGROK_*`` (unless given), and returns an
:class:`AnsibleRun` (or, with ``background=True``, the process, which :func:`collect` waits for).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

ANSIBLE_CFG = """\
[defaults]
collections_path = {collections}
local_tmp = {workdir}/ansible-local
retry_files_enabled = False
nocolor = True
interpreter_python = {python}
callback_plugins = {callback_plugins}
"""

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), 'ansible-playbook')


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


def write_config(workdir, collections_path, callback_plugins, name='ansible.cfg', python=sys.executable, enabled=()):
    """A private ansible.cfg in ``workdir``: the installed collection, an interpreter (this one), the callback plugins of
    a folder, and those of them that are not stdout callbacks, enabled."""
    path = os.path.join(str(workdir), name)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(ANSIBLE_CFG.format(collections=collections_path, workdir=workdir, python=python, callback_plugins=callback_plugins))
        if enabled:
            handle.write('callbacks_enabled = %s\n' % ', '.join(enabled))
    return path


class PlaybookRunner:
    """Runs playbooks in ``workdir`` against ``collections_path``, with the callback plugins of ``callback_plugins``."""

    def __init__(self, collections_path, workdir, callback_plugins):
        self.workdir = str(workdir)
        self.config = write_config(self.workdir, collections_path, callback_plugins)
        self.count = 0

    def run(self, playbook, inventory=None, extra_vars=None, verbosity=0, check=False, diff=False, json=False,  # pylint: disable=redefined-outer-name
            env=None, background=False, timeout=900):
        """``playbook`` is YAML text (or a list of plays); ``inventory`` a dict in the YAML inventory format (default:
        one host ``datagrok`` with a local connection); ``extra_vars`` a dict passed as ``-e @file``; ``verbosity``
        adds ``-v`` flags, ``check``/``diff`` add ``--check``/``--diff``, ``json=True`` uses the JSON stdout callback
        (callback_plugins/json_results.py) and parses its document, ``env`` adds environment variables."""
        self.count += 1
        prefix = os.path.join(self.workdir, 'run%02d' % self.count)
        if not isinstance(playbook, str):
            playbook = yaml.safe_dump(playbook, sort_keys=False)
        _write(prefix + '-playbook.yml', playbook)
        _write(prefix + '-inventory.yml', yaml.safe_dump(inventory or {'all': {'hosts': {'datagrok': {'ansible_connection': 'local'}}}}))
        cmd = [ANSIBLE_PLAYBOOK, '-i', prefix + '-inventory.yml', prefix + '-playbook.yml']
        if extra_vars is not None:
            _write(prefix + '-vars.json', _json_dumps(extra_vars))
            cmd += ['-e', '@' + prefix + '-vars.json']
        cmd += (['-' + 'v' * verbosity] if verbosity else []) + (['--check'] if check else []) + (['--diff'] if diff else [])
        run_env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'DATAGROK_')))
        run_env.update(ANSIBLE_CONFIG=self.config, PATH=os.path.dirname(ANSIBLE_PLAYBOOK) + os.pathsep + os.environ.get('PATH', ''))
        if json:
            run_env.update(ANSIBLE_STDOUT_CALLBACK='json_results')
        run_env.update(env or {})
        out_path, err_path = prefix + '.stdout', prefix + '.stderr'
        with open(out_path, 'w', encoding='utf-8') as out, open(err_path, 'w', encoding='utf-8') as err:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=run_env)  # pylint: disable=consider-using-with
        if background:
            proc.stdout_path, proc.stderr_path = out_path, err_path
            return proc
        return collect(proc, out_path, err_path, json, timeout)


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


def _write(path, text):
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def _json_dumps(value):
    return json.dumps(value, indent=1)
