"""The guides in docs/ are runnable: their playbooks, run as the guides say, print what the guides say.

Each playbook is taken from the guide itself (the yaml block after "Save as `NAME.yml`"), written
to a scratch folder and run with ansible-playbook against a fresh emulator, with the server and
key in DATAGROK_URL and DATAGROK_API_KEY as the guides set them. The AWX guide's drift.yml is run
by test_awx_job.py.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'docs')


def playbooks(guide):
    """``{file name: content}`` of the yaml blocks that the guide says to save under a name."""
    with open(os.path.join(DOCS, guide), encoding='utf-8') as handle:
        text = handle.read()
    found = {}
    previous_end = 0
    for match in re.finditer(r'^```yaml\n(.*?)^```', text, re.S | re.M):
        prose = text[previous_end:match.start()]
        names = re.findall(r'[Ss]ave\s+(?:this\s+)?as\s+`([\w.-]+\.yml)`', prose)
        if names:
            found[names[-1]] = match.group(1)
        previous_end = match.end()
    return found


def yaml_blocks(guide):
    with open(os.path.join(DOCS, guide), encoding='utf-8') as handle:
        return re.findall(r'^```yaml\n(.*?)^```', handle.read(), re.S | re.M)


class Reader:
    """Someone following a guide in a scratch folder, with the guide's environment."""

    def __init__(self, guide, folder, collections_path, emulator):
        self.files = playbooks(guide)
        self.folder = folder
        bin_dir = os.path.dirname(sys.executable)
        self.env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''),
                        ANSIBLE_COLLECTIONS_PATH=collections_path, DATAGROK_URL=emulator.url, DATAGROK_API_KEY=emulator.admin_key,
                        ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_LOCALHOST_WARNING='False',
                        ANSIBLE_INVENTORY_UNPARSED_WARNING='False')
        self.env.pop('DATAGROK_VALIDATE_CERTS', None)

    def save(self, name, edit=None):
        content = self.files[name]
        if edit:
            edited = edit(content)
            assert edited != content, 'the edit the guide describes changed nothing in %s' % name
            content = edited
        with open(os.path.join(self.folder, name), 'w', encoding='utf-8') as handle:
            handle.write(content)

    def vault(self, password_of_northwind=None):
        """The guide's vault.yml (getting-started.md), encrypted as the guide says, with the vault password file in
        ANSIBLE_VAULT_PASSWORD_FILE; optionally with another Northwind password, as ``ansible-vault edit`` leaves it."""
        password_file = os.path.join(self.folder, 'vault-pass')
        with open(password_file, 'w', encoding='utf-8') as handle:
            handle.write('choose-a-vault-password\n')
        self.env['ANSIBLE_VAULT_PASSWORD_FILE'] = password_file
        content = playbooks('getting-started.md')['vault.yml']
        if password_of_northwind:
            content = content.replace('first-Secret-1', password_of_northwind)
        with open(os.path.join(self.folder, 'vault.yml'), 'w', encoding='utf-8') as handle:
            handle.write(content)
        self.run('ansible-vault', 'encrypt', 'vault.yml')
        with open(os.path.join(self.folder, 'vault.yml'), encoding='utf-8') as handle:
            encrypted = handle.read()
        assert encrypted.startswith('$ANSIBLE_VAULT;') and 'Secret' not in encrypted

    def run(self, *args, rc=0):
        command = ['ansible-playbook'] + list(args) if args[0].endswith('.yml') else list(args)
        done = subprocess.run(command, cwd=self.folder, env=self.env, capture_output=True, text=True, check=False)
        assert done.returncode == rc, '%s exited %s:\n%s\n%s' % (' '.join(command), done.returncode, done.stdout[-3000:], done.stderr[-2000:])
        return done.stdout


def changed(stdout):
    return int(re.search(r'changed=(\d+)', stdout.split('PLAY RECAP')[-1]).group(1))


def messages(stdout):
    return re.findall(r'"msg": "(.*)"', stdout)


def summary(stdout, var):
    """The dict a ``debug: var=...`` task printed."""
    match = re.search(r'"%s": (\{.*?\n    \})' % re.escape(var), stdout, re.S)
    return yaml.safe_load(match.group(1))


@pytest.fixture
def reader(tmp_path, collections_path, start_emulator):
    return lambda guide, *emulator_args: Reader(guide, str(tmp_path), collections_path, start_emulator(*emulator_args))


def test_every_guide_playbook_is_valid_yaml():
    for guide in sorted(os.listdir(DOCS)):
        if guide.endswith('.md'):
            for block in yaml_blocks(guide):
                assert yaml.safe_load(block) is not None, guide


def test_getting_started(reader):
    me = reader('getting-started.md')
    assert me.files['vault.yml'].strip() == 'vault_northwind_password: first-Secret-1'
    me.vault()
    me.save('first.yml')
    assert 'first-Secret-1' not in me.files['first.yml']
    assert changed(me.run('first.yml', '--check', '--diff')) == 1
    assert changed(me.run('first.yml')) == 1
    assert changed(me.run('first.yml')) == 0
    listing = me.run('ansible', 'localhost', '-m', 'datagrok.platform.datagrok_connection_info', '-a', 'name=Northwind')
    assert '"password": "********"' in listing and 'first-Secret-1' not in listing
    me.save('first.yml', edit=lambda text: text.replace('port: 5432', 'port: 5433'))
    diff = me.run('first.yml', '--check', '--diff')
    assert re.search(r'^-\s+"port": 5432,$', diff, re.M) and re.search(r'^\+\s+"port": 5433,$', diff, re.M)
    assert len(re.findall(r'^[-+] ', diff, re.M)) == 2, diff


def test_secrets_clear(reader):
    me = reader('secrets.md')
    me.vault()
    me.save('northwind.yml')
    assert messages(me.run('northwind.yml'))[0].startswith('changed=True, verified=,')
    assert messages(me.run('northwind.yml'))[0].startswith('changed=False, verified=True,')
    me.vault('second-Secret-2')
    assert messages(me.run('northwind.yml'))[0].startswith('changed=True, verified=True,')


def test_secrets_masked(reader):
    me = reader('secrets.md', '--credentials-read', 'masked')
    me.vault()
    me.save('northwind.yml')
    assert messages(me.run('northwind.yml'))[0].startswith('changed=True, verified=,')
    assert messages(me.run('northwind.yml'))[0] == "changed=False, verified=False, unverified=['password']"
    me.vault('second-Secret-2')
    assert messages(me.run('northwind.yml'))[0].startswith('changed=False, verified=False,')
    assert messages(me.run('northwind.yml', '-e', 'northwind_update_credentials=always'))[0].startswith('changed=True, verified=,')


def test_bulk(reader):
    me = reader('bulk.md')
    me.save('personal.yml')
    me.save('bulk.yml')
    assert changed(me.run('personal.yml')) == 1
    assert summary(me.run('bulk.yml'), 'team.summary')['created'] == 3
    assert summary(me.run('bulk.yml'), 'team.summary')['unchanged'] == 3
    me.save('bulk.yml', edit=lambda text: re.sub(r'^.*name: Scratch.*\n', '', text, flags=re.M))
    checked = me.run('bulk.yml', '--check', '--diff')
    assert summary(checked, 'team.summary')['deleted'] == 1 and '--- before: Admin:Scratch' in checked
    assert summary(me.run('bulk.yml'), 'team.summary')['deleted'] == 1
    left = me.run('ansible', 'localhost', '-m', 'datagrok.platform.datagrok_connection_info', '-a', 'name=Personal')
    assert '"exists": true' in left


def test_adopting(reader):
    me = reader('adopting.md')
    me.files['personal.yml'] = playbooks('bulk.md')['personal.yml']
    for name in ('personal.yml', 'export.yml', 'adopt.yml'):
        me.save(name)
    me.run('personal.yml')
    me.run('export.yml')
    with open(os.path.join(me.folder, 'adopted.yml'), encoding='utf-8') as handle:
        exported = yaml.safe_load(handle)
    shown = [block for block in yaml_blocks('adopting.md') if block.startswith('adopted_connections:')]
    assert len(shown) == 1, 'adopting.md shows no adopted.yml'
    # The id is the server's (random per run): the guide shows one, and the export carries the real one.
    guide = yaml.safe_load(shown[0])
    ids = [c.pop('id', None) for c in exported['adopted_connections'] + guide['adopted_connections']]
    assert len(ids) == 2 and all(re.match(r'^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$', i or '') for i in ids), ids
    assert exported == guide, 'adopting.md shows another adopted.yml than export.yml writes'
    adopted = me.run('adopt.yml')
    assert changed(adopted) == 0 and summary(adopted, 'adopted.summary')['unchanged'] == 1


def test_plans(reader):
    me = reader('plans.md')
    me.vault()
    me.save('change.yml')
    plan_file = os.path.join(me.folder, 'northwind.plan.json')
    assert changed(me.run('change.yml', '--check', '--diff')) == 1
    with open(plan_file, encoding='utf-8') as handle:
        text = handle.read()
    plan = yaml.safe_load(text)
    assert 'first-Secret-1' not in text and plan['summary'] == {'create': 1} and plan['form'] == 'single'
    assert plan['connections'][0]['changes']['credentials.password']['after'] == '<secret: will be written>'
    assert changed(me.run('change.yml')) == 1
    # A plan is spent once applied.
    spent = me.run('change.yml', rc=2)
    assert "Refused connection 'Admin:Northwind': changed on the server since the plan (" in spent
    # A new plan, then another port in the playbook: input changed since the plan.
    me.save('change.yml', edit=lambda content: content.replace('tags: [sales]', 'tags: [sales, reviewed]'))
    assert changed(me.run('change.yml', '--check')) == 1
    me.save('change.yml', edit=lambda content: content.replace('port: 5432', 'port: 5433'))
    assert "Refused connection 'Admin:Northwind': input changed since the plan" in me.run('change.yml', rc=2)
