"""The test pipeline of datagrok.platform, in nox: ``make test`` runs every session below, ``make SESSION`` one.

antsibull-nox (antsibull-nox.toml) runs the standard collection checks that need no container engine: docs-check,
extra-checks, ansible-lint and build-import-check, each in a venv of its own. Its ansible-test sessions always run in
a container, which these machines lack, so sanity, units and integration are sessions of this file, with
ansible-test --venv and --local. The sessions of this file run in the project's venv (.venv, made by ``make`` from
requirements-dev.txt), and those of the ansible-core matrix in a venv per release (tests/ansible-core/). What they
share (paths, interpreters, the built collection, ansible-test's HOME) is tests/support/datagrok_testkit/pipeline.py;
the services (PostgreSQL, the emulators) are tests/support/datagrok_testkit/services.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import antsibull_nox
import nox
from datagrok_testkit import ADMIN_KEY, services
from datagrok_testkit.pipeline import (AT_HOME, BUILD, COLLECTIONS, MATRIX, NEWEST_CORE, PROJECT_CORE, PYBIN, PYTHON, REPO, RUN,
                                       background_ansible_test, broken_links, core_venv, galaxy_import_problems, installed_tree, pin,
                                       run_ansible_test, sanity as run_sanity, tarball, tree_copy, unrendered_plugins, vendor_cli)

# Every session sees the project's venv first, and never waits for input. No process writes bytecode into the tree
# under test; the venvs get theirs when uv installs them (UV_COMPILE_BYTECODE), as the Makefile does for .venv.
os.environ.update(PATH=os.pathsep.join([os.path.dirname(sys.executable), str(PYBIN), os.environ.get('PATH', '')]),
                  PIP_DISABLE_PIP_VERSION_CHECK='1', PYTHONDONTWRITEBYTECODE='1', UV_COMPILE_BYTECODE='1',
                  ANTSIBULL_NOX_INSTALL_COLLECTIONS='never')
# ansible-lint reads the example's vault file decrypted, with the demo's vault password.
os.environ.setdefault('ANSIBLE_VAULT_PASSWORD_FILE', str(REPO / 'docs' / 'example' / 'demo-vault-password'))
# What the playbooks of the molecule and demo sessions run with: the collection as built, no colours in the log.
PLAYBOOK_ENV = {'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS), 'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0', 'NO_COLOR': '1'}
nox.options.default_venv_backend = 'uv'
antsibull_nox.load_antsibull_nox_toml()
OTHER_CORES = [version for version in MATRIX if version != PROJECT_CORE]
nox.options.sessions = ['emulator-tests', 'units', 'sanity', 'integration', *['ansible-core-' + v for v in OTHER_CORES], 'reliability',
                        'molecule', 'ansible-lint', 'docs-check', 'docs', 'guides', 'changelog', 'extra-checks', 'build-import-check',
                        'build-smoke', 'ee', 'awx', 'galaxy-importer', 'demo', 'benchmark']


def ours(name, default=True):
    """A session of this file: in the project's venv."""
    return nox.session(name=name, venv_backend='none', default=default)


def pytest(session, *args, built=True, **env):
    """pytest in the project's venv; ``built``: against the collection as built, which it builds first."""
    if built:
        installed_tree(session)
        env = dict({'DATAGROK_TEST_COLLECTIONS': str(COLLECTIONS), 'DATAGROK_TEST_TARBALL': tarball()}, **env)
    session.run('python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *args, *session.posargs, env=env)


@ours('emulator-tests')
def emulator_tests(session):
    """The emulator's own tests, and the vendor client's contract against it (PostgreSQL from the fixture)."""
    pytest(session, 'tests/emulator', '-n', '2', built=False)


@ours('units')
def units(session):
    run_ansible_test(session, installed_tree(session), 'units', '--local', '--python', PYTHON, *session.posargs)


@ours('sanity')
def sanity(session):
    run_sanity(session, installed_tree(session), PYTHON)


@ours('integration')
def integration(session):
    """Every target against the emulators of the default reading of tests/emulator/FIDELITY.md (the project's
    ansible-core) and, alongside, against those of the alternate reading (the newest ansible-core, in a copy of the
    tree, with a HOME of its own). ``nox -s integration -- TARGET...`` runs some targets, under the default reading."""
    tree, targets = installed_tree(session), session.posargs
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    with ExitStack() as stack:
        services.write_integration_config(str(tree), stack.enter_context(services.integration_services(str(RUN), 'public-code')))
        alternate = None
        if not targets:
            newest, copy = core_venv(session, NEWEST_CORE), tree_copy('collections-alternate')
            if newest is None:
                session.warn('no Python %s: the alternate reading runs on ansible-core %s' % (MATRIX[NEWEST_CORE], PROJECT_CORE))
            services.write_integration_config(str(copy), stack.enter_context(services.integration_services(str(RUN), 'alternate', 'alternate-')))
            alternate = stack.enter_context(background_ansible_test(
                session, copy, RUN / 'integration-alternate.log', ['integration', '--local', '--python', MATRIX[NEWEST_CORE] if newest else PYTHON], newest or {},
                AT_HOME.with_name(AT_HOME.name + '-alternate')))  # ansible-test writes its SSH key under HOME at start
        run_ansible_test(session, tree, 'integration', '--local', '--python', PYTHON, *targets)
        if alternate is not None:
            log = (RUN / 'integration-alternate.log').read_text(errors='replace').splitlines()
            failed = alternate.wait()
            session.log('\n'.join(log[-200:] if failed else log[-12:]))
            if failed:
                session.error('the integration targets failed against the alternate reading (log: %s)' % (RUN / 'integration-alternate.log'))


def ansible_core(session, version):
    """One more ansible-core of meta/runtime.yml's claim, on a Python it supports: sanity, units, and the smoke target
    against emulators of its own."""
    env = core_venv(session, version)
    if env is None:
        session.skip('no Python %s for ansible-core %s (PYTHON%s=path gives one)' % (MATRIX[version], version, MATRIX[version].replace('.', '')))
    session.log('%s on Python %s' % (pin(version), MATRIX[version]))
    tree, python = installed_tree(session), MATRIX[version]
    run_sanity(session, tree, python, env)
    run_ansible_test(session, tree, 'units', '--local', '--python', python, env=env)
    with tempfile.TemporaryDirectory() as folder, services.integration_services(folder, 'public-code') as config:
        services.write_integration_config(str(tree), config)
        run_ansible_test(session, tree, 'integration', '--local', '--python', python, 'smoke', env=env)


for _version in OTHER_CORES:  # make ansible-core-2.16, ...
    ours('ansible-core-' + _version)(lambda session, version=_version: ansible_core(session, version))


@ours('reliability')
def reliability(session):
    """Faults, a crash, concurrent runs, TLS, 401/403, bad input, the secret-leak scan, and the vendor CLI as a
    second client of the emulator."""
    pytest(session, 'tests/reliability', '-n', '2', '--durations=8', DATAGROK_TEST_GROK=str(vendor_cli(session)))


@ours('molecule')
def molecule(session):
    """The role's scenarios, each against a fresh emulator named by DATAGROK_URL, as an AWX credential injects it."""
    role = installed_tree(session) / 'roles' / 'connections'
    for scenario in ('default', 'purge'):
        with tempfile.TemporaryDirectory() as folder:
            emulator = services.start_emulator(folder, scenario)
            try:
                with session.chdir(str(role)):
                    session.run('molecule', 'test', '-s', scenario, env=dict(PLAYBOOK_ENV, DATAGROK_URL=emulator.url, DATAGROK_API_KEY=ADMIN_KEY))
            finally:
                emulator.stop()


@ours('docs')
def docs(session):
    """docs/reference and docs/data-sources.md are generated and up to date, and every relative link resolves
    (docs-check, antsibull-nox's, lints the plugins' documentation)."""
    installed_tree(session)
    with tempfile.TemporaryDirectory() as fresh:
        session.run('bash', str(REPO / 'hacking' / 'gen_reference_docs.sh'), fresh, env={'COLLECTIONS': str(COLLECTIONS)}, external=True)
        different = subprocess.run(['diff', '-ru', str(REPO / 'docs' / 'reference'), fresh], capture_output=True, text=True, check=False)
        if different.returncode:
            session.error('docs/reference is out of date: run `make reference-docs` and commit the result\n' + different.stdout[:4000])
    session.run('python', str(REPO / 'hacking' / 'gen_data_sources_doc.py'), '--check')
    problems = broken_links() + ['%s does not name ansible-core %s, which the pipeline tests' % (page, version)
                                 for page in ('README.md', 'docs/README.md') for version in MATRIX if version not in (REPO / page).read_text()]
    if problems:
        session.error('\n'.join(problems))


@ours('guides')
def guides(session):
    """The playbooks of the guides in docs/, taken from the guides and run as they say against fresh emulators."""
    pytest(session, 'tests/awx/test_guides.py', '-n', '2')


@ours('changelog')
def changelog(session):
    session.run('antsibull-changelog', 'lint')


@ours('build-smoke')
def build_smoke(session):
    """Every module and lookup ships in the tarball and renders with ansible-doc."""
    installed_tree(session)
    with tempfile.TemporaryDirectory() as smoke:
        session.run('ansible-galaxy', 'collection', 'install', '--offline', '-p', smoke, tarball(), env={'ANSIBLE_COLLECTIONS_PATH': smoke})
        problems, count = unrendered_plugins(smoke)
        if problems:
            session.error('\n'.join(problems))
        session.log('%d plugins render' % count)


@ours('ee')
def ee(session):
    """The execution environment without a container engine: ansible-builder writes the build context, whose own
    scripts install the tarball offline and introspect its requirements, which must be what the modules import."""
    pytest(session, 'tests/awx/test_execution_environment.py')


@ours('awx')
def awx(session):
    """The example as AWX runs it: ansible-runner jobs, the credential only as injected environment variables."""
    pytest(session, 'tests/awx/test_credential_type.py', 'tests/awx/test_awx_job.py')


@nox.session(name='galaxy-importer')
def galaxy_importer(session):
    """galaxy-importer, which Galaxy and Automation Hub run on an upload, on the tarball, offline; its warnings fail
    too (Galaxy shows them). Its ansible-test stage needs a container engine and stays off (docs/releasing.md)."""
    # The project's ansible-core, and common.txt's pins (cryptography) as constraints only: nothing else of it is needed.
    session.install('galaxy-importer==0.4.44', '-r', str(REPO / 'tests' / 'ansible-core' / (PROJECT_CORE + '.txt')),
                    '-c', str(REPO / 'tests' / 'ansible-core' / 'common.txt'))
    installed_tree(session)
    with tempfile.TemporaryDirectory() as work, session.chdir(work):  # it writes importer_result.json here
        (Path(work) / 'home').mkdir()
        # A HOME of its own: its ansible-doc and ansible-lint must see the tarball, not a collection under ~/.ansible.
        log = session.run('python', '-m', 'galaxy_importer.main', tarball(), silent=True, env={
            'HOME': str(Path(work) / 'home'), 'GALAXY_IMPORTER_CONFIG': str(REPO / 'hacking' / 'galaxy-importer.cfg')})
        print(log)
        with open('importer_result.json', encoding='utf-8') as handle:
            problems, found = galaxy_import_problems(log, json.load(handle)['docs_blob']['contents'])
    if problems:
        session.error('galaxy-importer (Galaxy shows its warnings on the collection page):\n' + '\n'.join(problems))
    session.log('imports cleanly: %s' % found)


@ours('demo')
def demo(session):
    """The README's first command: the example inventory provisioned against a fresh emulator, twice (the second run
    changes nothing), then listed."""
    installed_tree(session)
    example = REPO / 'docs' / 'example'
    with tempfile.TemporaryDirectory() as folder:
        emulator = services.start_emulator(folder, 'demo')
        try:
            def playbook(name):
                return session.run('ansible-playbook', '-i', str(example / 'inventory.yml'), '--vault-password-file',
                                   str(example / 'demo-vault-password'), str(example / name), silent=True,
                                   env=dict(PLAYBOOK_ENV, DATAGROK_URL=emulator.url, DATAGROK_API_KEY=ADMIN_KEY))
            session.log('1. the emulator is at %s; 2. provision docs/example/inventory.yml' % emulator.url)
            print(playbook('site.yml'))
            session.log('3. again: nothing may change')
            again = playbook('site.yml')
            print(again)
            if not re.search(r'changed=0 +unreachable=0 +failed=0', again):
                session.error('the second run changed something')
            session.log('4. what is on the server')
            print(playbook('list.yml'))
        finally:
            emulator.stop()


@ours('benchmark')
def benchmark(session):
    """The benchmark at a tiny N: it still works, with every approach. Its timings mean nothing here
    (docs/performance.md has a real run)."""
    installed_tree(session)
    session.run('python', str(REPO / 'tests' / 'performance' / 'benchmark.py'), '--sizes', '2', '10', '--skip-loop-above', '2',
                '--latency-ms', '1', '--collections-path', str(COLLECTIONS), '--check-targets', silent=True)


@ours('build', default=False)
def build(session):
    """Build the collection and install it into build/collections (``make venv``)."""
    session.log('installed into %s' % installed_tree(session))


@ours('reference-docs', default=False)
def reference_docs(session):
    """Regenerate docs/reference from the plugins' documentation (commit the result)."""
    installed_tree(session)
    session.run('bash', str(REPO / 'hacking' / 'gen_reference_docs.sh'), env={'COLLECTIONS': str(COLLECTIONS)}, external=True)


@ours('emulator', default=False)
def emulator(session):
    """One emulator in the foreground, to try playbooks by hand; Ctrl-C stops it. DATAGROK_EMULATOR_PORT and
    DATAGROK_EMULATOR_STATE (or --port and --state in EMULATOR_ARGS) choose its port and state file."""
    given = dict(zip(session.posargs, session.posargs[1:]))
    port = given.get('--port', os.environ.get('DATAGROK_EMULATOR_PORT', '8765'))
    state = given.get('--state', os.environ.get('DATAGROK_EMULATOR_STATE', str(BUILD / 'emulator' / 'state.sqlite')))
    admin, user = os.environ.get('DATAGROK_API_KEY', 'datagrok-dev-admin-key'), os.environ.get('DATAGROK_USER_KEY', 'datagrok-dev-user-key')
    os.makedirs(os.path.dirname(state), exist_ok=True)
    session.log('Datagrok API emulator, state in %s (delete it to start empty)\n  export DATAGROK_URL=http://127.0.0.1:%s\n'
                '  export DATAGROK_API_KEY=%s      # admin key; non-admin user key: %s\n'
                "Other readings: make emulator EMULATOR_ARGS='--credentials-read masked'" % (state, port, admin, user))
    session.run('python', str(REPO / 'tests' / 'emulator' / 'run.py'), '--port', port, '--state', state, '--admin-key', admin,
                '--user-key', user, *session.posargs)
