"""The test pipeline of datagrok.platform, in nox: ``make test`` runs every session below, ``make SESSION`` one.

antsibull-nox (antsibull-nox.toml) runs the standard collection checks that need no container engine: docs-check,
extra-checks, ansible-lint and build-import-check, each in a venv of its own. Its ansible-test sessions always run in
a container, which these machines lack, so sanity, units and integration are sessions of this file, with
ansible-test --venv and --local. The sessions of this file run in the project's venv (.venv, every tool pinned in
requirements-dev.txt, made by ``make``): a venv per session would install ansible-core a dozen times per run.
Services (PostgreSQL, the emulators) are started in Python, by tests/support (datagrok_testkit).
"""
from __future__ import annotations

import fcntl
import functools
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

import antsibull_nox
import nox
from datagrok_testkit import ADMIN_KEY, ansible_test, services

REPO = Path(__file__).parent.resolve()
BUILD = REPO / 'build'
RUN = BUILD / 'run'                      # emulator state and request logs of the last integration run (kept)
COLLECTIONS = BUILD / 'collections'      # the collection as built and installed: every test runs against it
TREE = COLLECTIONS / 'ansible_collections' / 'datagrok' / 'platform'
VENV312 = REPO / '.venv-py312'
# ansible-test's sanity venvs and offline get-pip stand-in, kept between runs and clones (warm sanity).
AT_HOME = Path(os.environ.get('AT_HOME') or Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'datagrok-platform' / 'ansible-test-home')
# The alternate reading's integration run goes alongside the main one: ansible-test writes its SSH key and settings
# under HOME at start, so two runs sharing one HOME race on them (ssh-keygen fails on the other's key file).
AT_HOME_ALTERNATE = AT_HOME.with_name(AT_HOME.name + '-alternate')
PYTHON = '%d.%d' % sys.version_info[:2]  # the project's venv's Python, which ansible-test runs the 3.11 sessions with
PYBIN = BUILD / 'pybin'                  # the real interpreters, early on PATH: ansible-test breaks on pyenv shims

# Every session sees the project's venv first, and never waits for input.
os.environ.update(PATH=os.pathsep.join([os.path.dirname(sys.executable), str(PYBIN), os.environ.get('PATH', '')]),
                  PIP_DISABLE_PIP_VERSION_CHECK='1', PYTHONDONTWRITEBYTECODE='1', ANTSIBULL_NOX_INSTALL_COLLECTIONS='never')
# ansible-lint reads the example's vault file decrypted, with the demo's vault password.
os.environ.setdefault('ANSIBLE_VAULT_PASSWORD_FILE', str(REPO / 'docs' / 'example' / 'demo-vault-password'))
nox.options.default_venv_backend = 'uv'
antsibull_nox.load_antsibull_nox_toml()
nox.options.sessions = ['emulator-tests', 'units', 'sanity', 'integration', 'py312', 'reliability', 'molecule', 'ansible-lint',
                        'docs-check', 'docs', 'guides', 'changelog', 'extra-checks', 'build-import-check', 'build-smoke', 'ee',
                        'awx', 'galaxy-importer', 'demo', 'benchmark']


def ours(name, default=True):
    """A session of this file: in the project's venv."""
    return nox.session(name=name, venv_backend='none', default=default)


def real_python(command):
    """The interpreter behind ``command`` (a pyenv shim or a venv resolved), or None."""
    found = subprocess.run([command, '-c', 'import sys; print(sys._base_executable if sys.prefix != sys.base_prefix else sys.executable)'],
                           capture_output=True, text=True, check=False) if shutil.which(command) or os.path.isabs(command) else None
    return found.stdout.strip() if found and found.returncode == 0 else None


@functools.lru_cache(maxsize=None)
def python312():
    """A real Python 3.12 (PY312, the newest pyenv one, or the system's), or None. PY312=none skips it."""
    if os.environ.get('PY312'):
        return None if os.environ['PY312'] == 'none' else real_python(os.environ['PY312'])
    root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=False).stdout.strip() if shutil.which('pyenv') else ''
    candidates = sorted(glob.glob(os.path.join(root or os.path.expanduser('~/.pyenv'), 'versions', '3.12*', 'bin', 'python3.12')),
                        key=lambda path: [int(n) for n in re.findall(r'\d+', Path(path).parents[1].name)], reverse=True)
    for candidate in candidates + ['/usr/bin/python3.12', '/usr/local/bin/python3.12']:
        if os.path.exists(candidate) and real_python(candidate):
            return real_python(candidate)
    return None


def setup_interpreters():
    shutil.rmtree(PYBIN, ignore_errors=True)
    PYBIN.mkdir(parents=True)
    (PYBIN / ('python' + PYTHON)).symlink_to(real_python(sys.executable))
    if python312():
        (PYBIN / 'python3.12').symlink_to(python312())


def installed_tree(session):
    """The collection built and installed into build/collections, as users get it: once per run."""
    if getattr(installed_tree, 'done', False):
        return TREE
    setup_interpreters()
    shutil.rmtree(BUILD / 'dist', ignore_errors=True)
    shutil.rmtree(COLLECTIONS, ignore_errors=True)
    session.run('ansible-galaxy', 'collection', 'build', '--force', '--output-path', str(BUILD / 'dist'), str(REPO))
    session.run('ansible-galaxy', 'collection', 'install', '--offline', '--force', '-p', str(COLLECTIONS), tarball(),
                env={'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS)})
    # ansible-test lists the files to test with git when a .git is above it: the repository's own one ignores build/.
    # A throwaway repository at the tree's root stops the walk; its exclude file keeps ansible-test's output out.
    subprocess.run(['git', '-c', 'init.defaultBranch=main', 'init', '-q', str(TREE)], check=True)
    (TREE / '.git' / 'info' / 'exclude').write_text('/tests/output/\n/tests/integration/integration_config.yml\n__pycache__/\n.pytest_cache/\n*.pyc\n')
    installed_tree.done = True
    return TREE


def tarball():
    return glob.glob(str(BUILD / 'dist' / 'datagrok-platform-*.tar.gz'))[0]


def run_ansible_test(session, tree, *args, python=None, env=None):
    """ansible-test in ``tree``, with a HOME of its own (see AT_HOME) holding the offline get-pip stand-in."""
    AT_HOME.mkdir(parents=True, exist_ok=True)
    ansible_test.pip_bootstrap(str(AT_HOME), python or sys.executable)
    with session.chdir(str(tree)):
        session.run('ansible-test', *args, env=dict(env or {}, HOME=str(AT_HOME)))


def venv312(session):
    """.venv-py312 (Python 3.12, the newest ansible-core), made again when its requirements change."""
    stamp, wanted = VENV312 / '.requirements-stamp', (REPO / 'requirements-dev-py312.txt').read_text() + python312()
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(VENV312, ignore_errors=True)
        session.run(python312(), '-m', 'venv', str(VENV312))
        session.run('uv', 'pip', 'install', '-q', '--python', str(VENV312 / 'bin' / 'python'), '-r', str(REPO / 'requirements-dev-py312.txt'))
        stamp.write_text(wanted)
    return {'PATH': os.pathsep.join([str(VENV312 / 'bin'), os.environ['PATH']]), 'VIRTUAL_ENV': str(VENV312)}


def pytest(session, *args, **env):
    """pytest in the project's venv; the collection as built (for the sessions that call installed_tree first)."""
    built = {'DATAGROK_TEST_COLLECTIONS': str(COLLECTIONS), 'DATAGROK_TEST_TARBALL': tarball()} if getattr(installed_tree, 'done', False) else {}
    session.run('python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *args, *session.posargs, env=dict(built, **env))


@ours('emulator-tests')
def emulator_tests(session):
    """The emulator's own tests, and the vendor client's contract against it (PostgreSQL from the fixture)."""
    pytest(session, 'tests/emulator', '-n', '2')


@ours('units')
def units(session):
    run_ansible_test(session, installed_tree(session), 'units', '--local', '--python', PYTHON)


@ours('sanity')
def sanity(session):
    """ansible-test sanity, every test, with no ignore file (the policy: fix what it finds)."""
    tree = installed_tree(session)
    if glob.glob(str(tree / 'tests' / 'sanity' / 'ignore-*.txt')):
        session.warn('tests/sanity/ignore-*.txt exist: the policy is to fix what sanity finds, not to ignore it')
    AT_HOME.mkdir(parents=True, exist_ok=True)
    with open(AT_HOME / 'sanity.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs sharing ansible-test's sanity venvs break each other's
        run_ansible_test(session, tree, 'sanity', '--venv', '--python', PYTHON)


@ours('integration')
def integration(session):
    """Every target against the emulators of the default reading of tests/emulator/FIDELITY.md (Python 3.11) and,
    alongside, against those of the alternate reading (Python 3.12 and the newest ansible-core, in a copy of the tree).
    ``nox -s integration -- TARGET...`` runs some targets, under the default reading only."""
    tree, targets = installed_tree(session), session.posargs
    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    with ExitStack() as stack:
        services.write_integration_config(str(tree), stack.enter_context(services.integration_services(str(RUN), 'public-code')))
        alternate = None if targets else stack.enter_context(alternate_integration(session))
        run_ansible_test(session, tree, 'integration', '--local', '--python', PYTHON, *targets)
        if alternate is not None:
            rc = alternate.wait()
            log = (RUN / 'integration-alternate.log').read_text(errors='replace').splitlines()
            session.log('\n'.join(log[-12:] if rc == 0 else log[-200:]))
            if rc:
                session.error('the integration targets failed against the alternate reading (log: %s)' % (RUN / 'integration-alternate.log'))


@contextmanager
def alternate_integration(session):
    """The alternate reading's run, in the background, in a copy of the tree with emulators of its own."""
    copy = BUILD / 'collections-alternate' / 'ansible_collections' / 'datagrok' / 'platform'
    shutil.rmtree(copy.parents[2], ignore_errors=True)
    shutil.copytree(TREE, copy, symlinks=True, ignore=shutil.ignore_patterns('output'))
    version, env = ('3.12', venv312(session)) if python312() else (PYTHON, {})
    AT_HOME_ALTERNATE.mkdir(parents=True, exist_ok=True)
    ansible_test.pip_bootstrap(str(AT_HOME_ALTERNATE), os.path.join(env.get('VIRTUAL_ENV', sys.prefix), 'bin', 'python'))
    with services.integration_services(str(RUN), 'alternate', 'alternate-') as config, \
            open(RUN / 'integration-alternate.log', 'w', encoding='utf-8') as log:
        services.write_integration_config(str(copy), config)
        command = ['ansible-test', 'integration', '--local', '--python', version]
        process = subprocess.Popen(command, cwd=str(copy), stdout=log, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                   stdin=subprocess.DEVNULL, env=dict(os.environ, HOME=str(AT_HOME_ALTERNATE), **env))
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@ours('py312')
def py312(session):
    """The unit tests on Python 3.12 and the newest ansible-core (the integration session runs the targets there)."""
    if not python312():
        session.skip('no real Python 3.12 interpreter found (PY312=path to give one)')
    run_ansible_test(session, installed_tree(session), 'units', '--local', '--python', '3.12', env=venv312(session),
                     python=str(VENV312 / 'bin' / 'python'))


@ours('reliability')
def reliability(session):
    """Faults, a crash, concurrent runs, TLS, 401/403, bad input, the secret-leak scan, and the vendor CLI as a
    second client of the emulator (installed from tests/vendor_cli with npm ci, kept while its lock is unchanged)."""
    installed_tree(session)
    cli, lock = BUILD / 'vendor-cli', REPO / 'tests' / 'vendor_cli'
    wanted = (lock / 'package.json').read_text() + (lock / 'package-lock.json').read_text() + session.run('node', '--version', silent=True)
    if not ((cli / '.lock-stamp').exists() and (cli / '.lock-stamp').read_text() == wanted):
        shutil.rmtree(cli, ignore_errors=True)
        cli.mkdir(parents=True)
        for name in ('package.json', 'package-lock.json'):
            shutil.copy(lock / name, cli / name)
        with session.chdir(str(cli)):  # the CLI's puppeteer would download a browser, which grok s never starts
            session.run('npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error', env={'PUPPETEER_SKIP_DOWNLOAD': '1'}, external=True)
        (cli / '.lock-stamp').write_text(wanted)
    pytest(session, 'tests/reliability', '-n', '2', '--durations=8', DATAGROK_TEST_GROK=str(cli / 'node_modules' / '.bin' / 'grok'))


@ours('molecule')
def molecule(session):
    """The role's scenarios, each against a fresh emulator named by DATAGROK_URL, as an AWX credential injects it."""
    role = installed_tree(session) / 'roles' / 'connections'
    for scenario in ('default', 'purge'):
        with tempfile.TemporaryDirectory() as folder:
            emulator = services.start_emulator(folder, scenario)
            try:
                with session.chdir(str(role)):
                    session.run('molecule', 'test', '-s', scenario, env={'DATAGROK_URL': emulator.url, 'DATAGROK_API_KEY': ADMIN_KEY,
                                                                         'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS), 'NO_COLOR': '1'})
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
    broken = []
    for page in [REPO / 'README.md'] + [p for p in (REPO / 'docs').rglob('*.md') if 'reference' not in p.parts]:
        for target in re.findall(r'\]\(([^) ]*)\)', page.read_text()):
            target = target.split('#')[0]
            if target and '://' not in target and not target.startswith('mailto:') and not (page.parent / target).exists():
                broken.append('%s links to %s, which does not exist' % (page.relative_to(REPO), target))
    if broken:
        session.error('\n'.join(broken))


@ours('guides')
def guides(session):
    """The playbooks of the guides in docs/, taken from the guides and run as they say against fresh emulators."""
    installed_tree(session)
    pytest(session, 'tests/awx/test_guides.py', '-n', '2')


@ours('changelog')
def changelog(session):
    session.run('antsibull-changelog', 'lint')


@ours('build-smoke')
def build_smoke(session):
    """Every module and lookup ships in the tarball and renders with ansible-doc (which only warns when a plugin
    cannot be loaded: anything on stderr fails)."""
    installed_tree(session)
    with tempfile.TemporaryDirectory() as smoke:
        session.run('ansible-galaxy', 'collection', 'install', '--offline', '-p', smoke, tarball(), env={'ANSIBLE_COLLECTIONS_PATH': smoke})
        plugins = sorted(glob.glob(str(REPO / 'plugins' / 'modules' / '*.py')) + glob.glob(str(REPO / 'plugins' / 'lookup' / '*.py')))
        for plugin in (Path(p) for p in plugins if not p.endswith('__init__.py')):
            kind = 'lookup' if plugin.parent.name == 'lookup' else 'module'
            if not (Path(smoke) / 'ansible_collections' / 'datagrok' / 'platform' / plugin.relative_to(REPO)).is_file():
                session.error('%s is missing from the tarball' % plugin.relative_to(REPO))
            shown = subprocess.run(['ansible-doc', '-t', kind, 'datagrok.platform.' + plugin.stem], capture_output=True, text=True,
                                   env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=smoke), check=False)
            if shown.returncode or shown.stderr or 'datagrok.platform.' + plugin.stem not in shown.stdout:
                session.error('ansible-doc -t %s datagrok.platform.%s did not render:\n%s' % (kind, plugin.stem, shown.stderr))
        session.log('%d plugins render' % len(plugins))


@ours('ee')
def ee(session):
    """The execution environment without a container engine: ansible-builder writes the build context, whose own
    scripts install the tarball offline and introspect its requirements, which must be what the modules import."""
    installed_tree(session)
    pytest(session, 'tests/awx/test_execution_environment.py')


@ours('awx')
def awx(session):
    """The example as AWX runs it: ansible-runner jobs, the credential only as injected environment variables."""
    installed_tree(session)
    pytest(session, 'tests/awx/test_credential_type.py', 'tests/awx/test_awx_job.py')


@nox.session(name='galaxy-importer')
def galaxy_importer(session):
    """galaxy-importer, which Galaxy and Automation Hub run on an upload, on the tarball, offline; its warnings fail
    too (Galaxy shows them). Its ansible-test stage needs a container engine and stays off (docs/releasing.md)."""
    session.install('galaxy-importer==0.4.44', 'ansible-core==2.19.14', 'cryptography==50.0.2')
    installed_tree(session)
    with tempfile.TemporaryDirectory() as work, session.chdir(work):  # it writes importer_result.json here
        (Path(work) / 'home').mkdir()
        # A HOME of its own: its ansible-doc and ansible-lint must see the tarball, not a collection under ~/.ansible.
        log = session.run('python', '-m', 'galaxy_importer.main', tarball(), silent=True,
                          env={'HOME': str(Path(work) / 'home'), 'GALAXY_IMPORTER_CONFIG': str(REPO / 'hacking' / 'galaxy-importer.cfg')})
        print(log)
        with open('importer_result.json', encoding='utf-8') as handle:
            contents = json.load(handle)['docs_blob']['contents']
    found = dict(((item['content_type'], item['content_name']), item) for item in contents)
    problems = [line for line in log.splitlines() if line.startswith(('WARNING', 'ERROR'))]
    problems += ['module %s: no documentation' % name for kind, name in found if kind == 'module'
                 and not (found[kind, name].get('doc_strings') or {}).get('doc')]
    problems += ['role %s: no README' % name for kind, name in found if kind == 'role' and not found[kind, name].get('readme_html')]
    if not [kind for kind, dummy in found if kind == 'module']:
        problems.append('no modules found')
    if problems:
        session.error('galaxy-importer (Galaxy shows its warnings on the collection page):\n' + '\n'.join(problems))
    kinds = sorted(set(kind for kind, dummy in found))
    session.log('imports cleanly: %s' % ', '.join('%d %s' % (sum(1 for k, dummy in found if k == kind), kind) for kind in kinds))


@ours('demo')
def demo(session):
    """The README's first command: the example inventory provisioned against a fresh emulator, twice (the second run
    changes nothing), then listed."""
    installed_tree(session)
    example = REPO / 'docs' / 'example'
    with tempfile.TemporaryDirectory() as folder:
        emulator = services.start_emulator(folder, 'demo')
        try:
            env = {'DATAGROK_URL': emulator.url, 'DATAGROK_API_KEY': ADMIN_KEY, 'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS),
                   'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_FORCE_COLOR': '0'}

            def playbook(name):
                return session.run('ansible-playbook', '-i', str(example / 'inventory.yml'), '--vault-password-file',
                                   str(example / 'demo-vault-password'), str(example / name), env=env, silent=True)
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
    """One emulator in the foreground, to try playbooks by hand; Ctrl-C stops it."""
    port = os.environ.get('DATAGROK_EMULATOR_PORT', '8765')
    state = os.environ.get('DATAGROK_EMULATOR_STATE', str(BUILD / 'emulator' / 'state.sqlite'))
    admin, user = os.environ.get('DATAGROK_API_KEY', 'datagrok-dev-admin-key'), os.environ.get('DATAGROK_USER_KEY', 'datagrok-dev-user-key')
    os.makedirs(os.path.dirname(state), exist_ok=True)
    session.log('Datagrok API emulator, state in %s (delete it to start empty)\n  export DATAGROK_URL=http://127.0.0.1:%s\n'
                '  export DATAGROK_API_KEY=%s      # admin key; non-admin user key: %s\n'
                "Other readings: nox -s emulator -- --credentials-read masked" % (state, port, admin, user))
    session.run('python', str(REPO / 'tests' / 'emulator' / 'run.py'), '--port', port, '--state', state, '--admin-key', admin,
                '--user-key', user, *session.posargs)
