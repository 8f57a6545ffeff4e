"""An AWX-like job: the example playbooks run through ansible-runner, the engine AWX runs jobs with.

Each job gets a private data directory laid out as AWX lays it out: the playbooks in project/, the
example inventory in inventory/, and the Datagrok credential only as environment variables in
env/envvars, rendered from the credential type shipped in extensions/awx exactly as AWX renders
its injectors. The playbooks and the inventory hold no URL and no key.

The jobs, in order, against one fresh emulator:

1. provision (docs/example/site.yml): succeeds, and the connections exist on the server;
2. list (docs/example/list.yml): succeeds and lists them;
3. drift report (site.yml as a check-mode job, as a scheduled template would run it, and the
   drift.yml of docs/awx.md, which fails on drift) on the untouched server: no change, success;
4. someone edits a connection by hand; both drift reports now name the connection (drift.yml
   fails), write nothing (no request but GETs), and the hand edit is still on the server;
5. a change review, as the workflow of docs/awx.md runs it: the plan job (docs/example/plan.yml)
   saves the plan and hands it on as an artifact; someone edits a planned connection; the apply job
   (docs/example/apply.yml), given the artifact as AWX gives it to the next node, refuses that
   connection as stale and applies the rest; a second apply of the same plan refuses everything the
   first one applied.

Every job's stdout and job events are searched for the API key and each secret of the example
inventory: none may appear. The private data directories are deleted after each job, because
ansible-runner stores the job's environment, API key included, in artifacts/<ident>/command.
"""
from __future__ import annotations

import glob
import json
import os
import re
import shutil
import sys
import tempfile

import ansible_runner
import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(REPO, 'docs', 'example')
AWX_GUIDE = os.path.join(REPO, 'docs', 'awx.md')
VAULT_FILE = os.path.join(EXAMPLE, 'group_vars', 'datagrok', 'vault.yml')
VAULT_PASSWORD_FILE = os.path.join(EXAMPLE, 'demo-vault-password')
# Keys whose values are secrets, as the collection (and Datagrok) classify them.
SECRET_KEY = re.compile(r'password|secret|token|passphrase|privatekey|^pwd$', re.I)
MANAGED_TAG = 'managed-by-ansible'
# The job templates' verbosity: 4 (Connection Debug), so the secret search also covers the most
# output an operator can turn on for a local job.
VERBOSITY = 4
HAND_EDITED = 'Orders'


def _walk(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, path)
    else:
        yield path, value


@pytest.fixture(scope='module')
def inventory():
    with open(os.path.join(EXAMPLE, 'inventory.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope='module')
def example_connections(inventory):
    return inventory['datagrok']['vars']['datagrok_connections']


@pytest.fixture(scope='module')
def inventory_secrets(inventory):
    """Every secret value of the example (the connections' passwords and secret keys), from its vault file. The
    inventory itself must name each secret by a vault variable, never hold one."""
    with open(VAULT_PASSWORD_FILE, 'rb') as handle:
        vault = VaultLib([('default', VaultSecret(handle.read().strip()))])
    with open(VAULT_FILE, 'rb') as handle:
        vaulted = yaml.safe_load(vault.decrypt(handle.read()))
    found = {}
    for path, value in _walk(inventory):
        if path and SECRET_KEY.search(str(path[-1])) and value not in (None, ''):
            variable = re.fullmatch(r'\{\{ (vault_\w+) \}\}', str(value))
            assert variable and variable.group(1) in vaulted, 'a literal secret in the example inventory at %s' % '.'.join(path)
            found['%s (%s)' % (vaulted[variable.group(1)], variable.group(1))] = str(vaulted[variable.group(1)])  # demo values
    assert len(found) >= 4, 'expected the example inventory to hold secrets to search for, found %s' % sorted(found)
    return found


@pytest.fixture(scope='module')
def drift_playbook():
    """The drift.yml of docs/awx.md, as a reader would copy it into the project."""
    with open(AWX_GUIDE, encoding='utf-8') as handle:
        guide = handle.read()
    blocks = re.findall(r'^```yaml\n(---\n# drift\.yml.*?)^```', guide, re.S | re.M)
    assert len(blocks) == 1, 'docs/awx.md must hold exactly one yaml block starting with "---" and "# drift.yml"'
    return blocks[0]


class Job:
    """The outcome of one job: status, rc, stats, events and stdout (collected before its folder is deleted)."""

    def __init__(self, runner, artifacts):
        self.status = runner.status
        self.rc = runner.rc
        self.stats = runner.stats or {}
        with open(os.path.join(artifacts, 'stdout'), encoding='utf-8', errors='replace') as handle:
            self.stdout = handle.read()
        self.events = []
        self.events_text = []
        for path in sorted(glob.glob(os.path.join(artifacts, 'job_events', '*.json'))):
            with open(path, encoding='utf-8') as handle:
                text = handle.read()
            self.events_text.append(text)
            self.events.append(json.loads(text))

    def changed(self, host='demo_instance'):
        return (self.stats.get('changed') or {}).get(host, 0)

    def failures(self):
        return sum(sum((self.stats.get(key) or {}).values()) for key in ('failures', 'dark'))

    def results(self, task):
        """The results of a task (by name) from the job events."""
        return [event['event_data']['res'] for event in self.events
                if event.get('event') == 'runner_on_ok' and event.get('event_data', {}).get('task') == task]

    def artifacts(self):
        """What the job handed on with set_stats: AWX gives it to the next nodes of a workflow as extra vars."""
        found = [event['event_data'].get('artifact_data') for event in self.events if event.get('event') == 'playbook_on_stats']
        return found[-1] if found else {}

    def leaks(self, secrets):
        """The labels of the secrets (a dict label -> value) found in stdout or in any job event."""
        text = self.stdout + '\n'.join(self.events_text)
        return sorted(label for label, value in secrets.items() if value in text)


@pytest.fixture(scope='module')
def run_job(collections_path, render_injectors, emulator, inventory_secrets, example_connections, drift_playbook):
    """``run_job(ident, playbook, check=False)``: one AWX-like job; asserts that it leaked no secret."""
    # ansible-runner passes its own environment on to the job: make sure the credential can only
    # come from env/envvars, as in AWX, and not from a DATAGROK_* variable of whoever runs the tests.
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith('DATAGROK_') and not name.startswith('DATAGROK_TEST_')}
    # The execution environment's part: ansible-playbook of this venv first on PATH, where the
    # collection is installed, no colour codes in stdout.
    ee_env = {'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
              'ANSIBLE_COLLECTIONS_PATH': collections_path, 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0'}
    # What a credential of the shipped type injects, with the emulator's URL and admin key.
    credential_env = render_injectors({'url': emulator.url, 'api_key': emulator.admin_key, 'validate_certs': True})
    assert credential_env['DATAGROK_API_KEY'] == emulator.admin_key

    def run(ident, playbook, check=False, extravars=None):
        private = tempfile.mkdtemp(prefix='datagrok-awx-job-')
        try:
            os.makedirs(os.path.join(private, 'project'))
            os.makedirs(os.path.join(private, 'inventory'))
            os.makedirs(os.path.join(private, 'env'))
            for name in ('site.yml', 'list.yml', 'plan.yml', 'apply.yml'):
                shutil.copy(os.path.join(EXAMPLE, name), os.path.join(private, 'project', name))
            with open(os.path.join(private, 'project', 'drift.yml'), 'w', encoding='utf-8') as handle:
                handle.write(drift_playbook)
            shutil.copy(os.path.join(EXAMPLE, 'inventory.yml'), os.path.join(private, 'inventory', 'hosts.yml'))
            # The vault file sits beside the inventory, as in a project's inventory source; the vault
            # password is what a Vault credential gives AWX.
            shutil.copytree(os.path.join(EXAMPLE, 'group_vars'), os.path.join(private, 'inventory', 'group_vars'))
            # Nothing in the project or the inventory says where the server is or how to log in.
            for folder in ('project', 'inventory'):
                for path in filter(os.path.isfile, glob.glob(os.path.join(private, folder, '**'), recursive=True)):
                    with open(path, encoding='utf-8') as handle:
                        text = handle.read()
                    assert emulator.url not in text and emulator.admin_key not in text
                    assert not re.search(r'^\s*datagrok_(url|api_key)\s*:', text, re.M), path
            envvars = dict(ee_env, **credential_env)
            with open(os.path.join(private, 'env', 'envvars'), 'w', encoding='utf-8') as handle:
                yaml.safe_dump(envvars, handle)
            cmdline = '--vault-password-file ' + VAULT_PASSWORD_FILE
            if check:
                # Job type "Check" with "Show changes" on, as a drift-report template runs.
                cmdline += ' --check --diff'
            with open(os.path.join(private, 'env', 'cmdline'), 'w', encoding='utf-8') as handle:
                handle.write(cmdline)
            if extravars:
                # What a workflow gives a node: the artifacts (set_stats) of the nodes before it, as extra vars.
                with open(os.path.join(private, 'env', 'extravars'), 'w', encoding='utf-8') as handle:
                    yaml.safe_dump(extravars, handle)
            runner = ansible_runner.run(private_data_dir=private, playbook=playbook, ident=ident, quiet=True, verbosity=VERBOSITY,
                                        settings={'job_timeout': 300, 'suppress_ansible_output': True})
            job = Job(runner, os.path.join(private, 'artifacts', ident))
        finally:
            shutil.rmtree(private, ignore_errors=True)
        secrets = dict(inventory_secrets, **{'the API key': emulator.admin_key})
        assert job.events, 'job %s produced no events' % ident
        assert job.leaks(secrets) == [], 'job %s printed secrets in its stdout or events' % ident
        # The search did look at real output: the job talks about the connections by name.
        assert any(item['name'] in job.stdout for item in example_connections)
        return job

    try:
        yield run
    finally:
        os.environ.update(saved)


def _managed(emulator):
    listed = emulator.api('GET', '/public/v1/connections?tags=%s' % MANAGED_TAG)
    return {connection['name']: connection for connection in listed}


def _summary(job):
    messages = [result.get('msg', '') for result in job.results('Summary')]
    assert len(messages) == 1, messages
    return messages[0]


def test_provision_job(run_job, emulator, example_connections):
    job = run_job('provision', 'site.yml')
    assert (job.status, job.rc) == ('successful', 0), job.stdout[-3000:]
    assert job.failures() == 0
    assert job.changed() >= 1
    present = sorted(item['name'] for item in example_connections if item.get('state', 'present') == 'present')
    absent = [item['name'] for item in example_connections if item.get('state') == 'absent']
    assert _summary(job).startswith('%d created, 0 updated' % len(present)), _summary(job)
    on_server = _managed(emulator)
    assert sorted(on_server) == present
    for item in example_connections:
        if item['name'] in on_server:
            assert on_server[item['name']]['dataSource'] == item['data_source']
            assert MANAGED_TAG in on_server[item['name']]['tags']
    assert absent and not set(absent) & {connection['name'] for connection in emulator.api('GET', '/public/v1/connections')}


def test_list_job(run_job, example_connections):
    job = run_job('list', 'list.yml')
    assert (job.status, job.rc) == ('successful', 0), job.stdout[-3000:]
    assert job.changed() == 0
    [result] = job.results('Read the managed connections with their shares')
    listed = sorted(connection['name'] for connection in result['connections'])
    assert listed == sorted(item['name'] for item in example_connections if item.get('state', 'present') == 'present')


def test_drift_report_without_drift(run_job, emulator):
    before = len(emulator.requests())
    job = run_job('drift-clean', 'site.yml', check=True)
    assert (job.status, job.rc) == ('successful', 0), job.stdout[-3000:]
    assert job.changed() == 0, _summary(job)
    assert ' 0 updated' in _summary(job) and ' 0 deleted' in _summary(job)
    job = run_job('drift-clean-alerting', 'drift.yml')
    assert (job.status, job.rc) == ('successful', 0), job.stdout[-3000:]
    assert 'Drift on' not in job.stdout
    assert {entry['method'] for entry in emulator.requests()[before:]} == {'GET'}


def _hand_edit(emulator, name, port):
    """Someone changes the port of a connection in the Datagrok UI (here: the same REST call the UI makes)."""
    connection = emulator.api('GET', '/public/v1/connections/Admin.%s' % name)
    connection['parameters']['port'] = port
    emulator.api('POST', '/public/v1/connections?saveCredentials=false', connection)
    assert _port(emulator, name) == port


def _port(emulator, name):
    return emulator.api('GET', '/public/v1/connections/Admin.%s' % name)['parameters']['port']


def test_drift_report_after_a_hand_edit(run_job, emulator, example_connections):
    item = next(item for item in example_connections if item['name'] == HAND_EDITED)
    hand_port = int(item['parameters']['port']) + 1
    _hand_edit(emulator, HAND_EDITED, hand_port)

    before = len(emulator.requests())
    job = run_job('drift', 'site.yml', check=True)
    assert (job.status, job.rc) == ('successful', 0), job.stdout[-3000:]
    # The report: one connection would be updated, named in the summary, and the job shows changed.
    assert job.changed() >= 1
    summary = _summary(job)
    assert ' 1 updated' in summary and re.search(r'; updated: (\w+:)?%s$' % HAND_EDITED, summary), summary
    assert summary.startswith('check mode, nothing written: '), summary
    # The alerting variant fails, naming the connection, and is a check-mode run whatever the job type.
    job = run_job('drift-alerting', 'drift.yml')
    assert job.status == 'failed' and job.rc != 0
    assert re.search(r'Drift on demo_instance: (\w+:)?%s\b' % HAND_EDITED, job.stdout), job.stdout[-3000:]
    # Check mode wrote nothing: only GETs reached the server, and the hand edit is still there.
    methods = [entry['method'] for entry in emulator.requests()[before:]]
    assert methods and set(methods) == {'GET'}, methods
    assert emulator.api('GET', '/public/v1/connections/Admin.%s' % HAND_EDITED)['parameters']['port'] == hand_port


def test_plan_approve_apply_workflow(run_job, emulator, example_connections, inventory_secrets):
    ports = dict((item['name'], int(item['parameters']['port'])) for item in example_connections if item['name'] in ('Northwind', 'Orders'))
    # Two connections drifted from the inventory, so the plan updates both.
    for name, port in ports.items():
        _hand_edit(emulator, name, port + 100)
    before = len(emulator.requests())
    plan = run_job('plan', 'plan.yml')
    assert (plan.status, plan.rc) == ('successful', 0), plan.stdout[-3000:]
    assert {entry['method'] for entry in emulator.requests()[before:]} == {'GET'}
    handed_on = plan.artifacts()
    saved = handed_on['datagrok_plans']['demo_instance']
    actions = dict((entry['name'], entry['action']) for entry in saved['connections'])
    assert dict((name, action) for name, action in actions.items() if action != 'none') == {'Admin:Northwind': 'update', 'Admin:Orders': 'update'}
    assert saved['connections'][[e['name'] for e in saved['connections']].index('Admin:Orders')]['changes'] == {
        'parameters.port': {'before': ports['Orders'] + 100, 'after': ports['Orders']}}
    # What the approver reads holds no secret (run_job also searched the job's output and events).
    assert not [label for label, value in inventory_secrets.items() if value in json.dumps(saved)]

    # After the approval, before the apply, someone edits Northwind again.
    _hand_edit(emulator, 'Northwind', 7777)
    before = len(emulator.requests())
    apply = run_job('apply', 'apply.yml', extravars=handed_on)
    assert apply.status == 'failed' and apply.rc != 0
    assert re.search(r"Refused connection 'Admin:Northwind': changed on the server since the plan \(updatedOn ", apply.stdout), apply.stdout[-3000:]
    assert 'Admin:Orders' not in re.findall(r"Refused connection '([^']+)'", apply.stdout)
    # Northwind is as the other writer left it; Orders is applied, with one save.
    assert (_port(emulator, 'Northwind'), _port(emulator, 'Orders')) == (7777, ports['Orders'])
    writes = [(entry['method'], entry['path']) for entry in emulator.requests()[before:] if entry['method'] != 'GET']
    assert writes == [('POST', '/public/v1/connections')], writes

    before = len(emulator.requests())
    again = run_job('apply-again', 'apply.yml', extravars=handed_on)
    assert again.status == 'failed'
    assert sorted(set(re.findall(r"Refused connection '([^']+)': changed on the server since the plan", again.stdout))) == [
        'Admin:Northwind', 'Admin:Orders']
    assert {entry['method'] for entry in emulator.requests()[before:]} == {'GET'}
