"""What the sessions of noxfile.py share: the paths of a run, the interpreters, the ansible-core matrix and its venvs,
the collection as built and installed, and ansible-test with a HOME of its own.

Every session runs in one nox process, one after the other. Only the integration session starts a second process
(the alternate reading, ``background_ansible_test``), which gets its own tree copy, emulators and HOME.
"""
from __future__ import annotations

import fcntl
import glob
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from datagrok_testkit import ansible_test

REPO = Path(__file__).resolve().parents[3]
BUILD = REPO / 'build'
RUN = BUILD / 'run'                      # emulator state and request logs of the last integration run (kept)
COLLECTIONS = BUILD / 'collections'      # the collection as built and installed: every test runs against it
TREE = COLLECTIONS / 'ansible_collections' / 'datagrok' / 'platform'
PYBIN = BUILD / 'pybin'                  # the real interpreters, early on PATH: ansible-test breaks on pyenv shims
CACHE = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'datagrok-platform'
# ansible-test's sanity venvs and its offline get-pip stand-in, kept between runs and clones (warm sanity).
AT_HOME = Path(os.environ.get('AT_HOME') or CACHE / 'ansible-test-home')
PYTHON = '%d.%d' % sys.version_info[:2]  # the project's venv's Python

# The ansible-core releases that meta/runtime.yml claims, each pinned once, in tests/ansible-core/<version>.txt, with
# the controller Python its session runs on (each release supports only some: 2.16 and 2.17 up to 3.12, 2.20 and
# later from 3.12). The project's venv (requirements-dev.txt) has PROJECT_CORE on PYTHON; every other release has a
# venv of its own under build/venvs.
PINS = REPO / 'tests' / 'ansible-core'
MATRIX = {'2.16': '3.11', '2.17': '3.11', '2.18': '3.11', '2.19': PYTHON, '2.20': '3.12', '2.21': '3.12'}
PROJECT_CORE = '2.19'
NEWEST_CORE = max(MATRIX, key=lambda version: tuple(map(int, version.split('.'))))


def pin(version):
    """The requirement line of ansible-core ``version``, from its file."""
    lines = [line for line in (PINS / (version + '.txt')).read_text().splitlines() if line.startswith('ansible-core==')]
    return lines[0]


def real_python(command):
    """The interpreter behind ``command`` (a pyenv shim or a venv resolved), or None."""
    if not (shutil.which(command) or os.path.isabs(command)):
        return None
    found = subprocess.run([command, '-c', 'import sys; print(sys._base_executable if sys.prefix != sys.base_prefix else sys.executable)'],
                           capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


@lru_cache(maxsize=None)
def find_python(version):
    """A real interpreter of Python ``version`` (PYTHON<major><minor>=path gives one, =none hides it): the project's
    own, the newest pyenv one, or the system's. None when there is none."""
    given = os.environ.get('PYTHON' + version.replace('.', ''))
    if given:
        return None if given == 'none' else real_python(given)
    if version == PYTHON:
        return real_python(sys.executable)
    root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=False).stdout.strip() if shutil.which('pyenv') else ''
    candidates = sorted(glob.glob(os.path.join(root or os.path.expanduser('~/.pyenv'), 'versions', version + '*', 'bin', 'python' + version)),
                        key=lambda path: [int(n) for n in re.findall(r'\d+', Path(path).parents[1].name)], reverse=True)
    for candidate in candidates + ['/usr/bin/python' + version, '/usr/local/bin/python' + version]:
        found = real_python(candidate) if os.path.exists(candidate) else None
        if found:
            return found
    return None


def core_venv(session, version):
    """The environment of the venv of ansible-core ``version`` (build/venvs/ansible-core-<version>), made again when its
    requirements or interpreter change; None when its Python is missing."""
    if version == PROJECT_CORE:
        return {}
    python = find_python(MATRIX[version])
    if python is None:
        return None
    venv = BUILD / 'venvs' / ('ansible-core-' + version)
    requirements = [PINS / (version + '.txt'), PINS / 'common.txt']
    stamp, wanted = venv / '.requirements-stamp', ''.join(path.read_text() for path in requirements) + python
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(venv, ignore_errors=True)
        session.run(python, '-m', 'venv', str(venv))
        session.run('uv', 'pip', 'install', '-q', '--python', str(venv / 'bin' / 'python'), *[arg for path in requirements for arg in ('-r', str(path))])
        stamp.write_text(wanted)
    return {'PATH': os.pathsep.join([str(venv / 'bin'), os.environ['PATH']]), 'VIRTUAL_ENV': str(venv)}


def link_interpreters():
    """build/pybin: every Python of the matrix, by its real path (ansible-test --python X.Y looks for pythonX.Y)."""
    shutil.rmtree(PYBIN, ignore_errors=True)
    PYBIN.mkdir(parents=True)
    for version in sorted(set(MATRIX.values())):
        found = find_python(version)
        if found:
            (PYBIN / ('python' + version)).symlink_to(found)


def installed_tree(session):
    """The collection built and installed into build/collections, as users get it: once per run."""
    if getattr(installed_tree, 'done', False):
        return TREE
    link_interpreters()
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


def ansible_test_env(home, env):
    """ansible-test's environment: ``env`` (a core venv's, or the project's when empty) and a HOME of its own holding
    the offline get-pip stand-in of that venv's ansible-test."""
    home.mkdir(parents=True, exist_ok=True)
    ansible_test.pip_bootstrap(str(home), os.path.join(env.get('VIRTUAL_ENV', sys.prefix), 'bin', 'python'))
    return dict(env, HOME=str(home))


def run_ansible_test(session, tree, *args, env=None, home=AT_HOME):
    with session.chdir(str(tree)):
        session.run('ansible-test', *args, env=ansible_test_env(home, env or {}))


def sanity(session, tree, python, env=None):
    """ansible-test sanity, every test, with no ignore file (the policy: fix what it finds)."""
    if glob.glob(str(tree / 'tests' / 'sanity' / 'ignore-*.txt')):
        session.warn('tests/sanity/ignore-*.txt exist: the policy is to fix what sanity finds, not to ignore it')
    AT_HOME.mkdir(parents=True, exist_ok=True)
    with open(AT_HOME / 'sanity.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs sharing ansible-test's sanity venvs break each other's
        run_ansible_test(session, tree, 'sanity', '--venv', '--python', python, env=env)


@contextmanager
def background_ansible_test(session, tree, log, args, env, home):
    """ansible-test ``args`` in ``tree``, in the background, its output in ``log``: yields the process."""
    with open(log, 'w', encoding='utf-8') as output:
        process = subprocess.Popen(['ansible-test', *args], cwd=str(tree), stdout=output, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                   stdin=subprocess.DEVNULL, env=dict(os.environ, **ansible_test_env(home, env)))
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def tree_copy(name):
    """A copy of the installed tree under build/<name>, for a run that goes alongside another."""
    copy = BUILD / name / 'ansible_collections' / 'datagrok' / 'platform'
    shutil.rmtree(copy.parents[2], ignore_errors=True)
    shutil.copytree(TREE, copy, symlinks=True, ignore=shutil.ignore_patterns('output'))
    return copy


def vendor_cli(session):
    """The vendor CLI (grok) from tests/vendor_cli's lock, installed with npm ci into build/vendor-cli, kept while the
    lock and Node.js are unchanged. Its puppeteer would download a browser, which grok s never starts."""
    cli, lock = BUILD / 'vendor-cli', REPO / 'tests' / 'vendor_cli'
    wanted = (lock / 'package.json').read_text() + (lock / 'package-lock.json').read_text() + session.run('node', '--version', silent=True)
    if not ((cli / '.lock-stamp').exists() and (cli / '.lock-stamp').read_text() == wanted):
        shutil.rmtree(cli, ignore_errors=True)
        cli.mkdir(parents=True)
        for name in ('package.json', 'package-lock.json'):
            shutil.copy(lock / name, cli / name)
        with session.chdir(str(cli)):
            session.run('npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error', env={'PUPPETEER_SKIP_DOWNLOAD': '1'}, external=True)
        (cli / '.lock-stamp').write_text(wanted)
    return cli / 'node_modules' / '.bin' / 'grok'


def broken_links():
    """Each relative link of README.md and docs/ (docs/reference aside) whose target does not exist."""
    broken = []
    for page in [REPO / 'README.md'] + [p for p in (REPO / 'docs').rglob('*.md') if 'reference' not in p.parts]:
        for target in re.findall(r'\]\(([^) ]*)\)', page.read_text()):
            target = target.split('#')[0]
            if target and '://' not in target and not target.startswith('mailto:') and not (page.parent / target).exists():
                broken.append('%s links to %s, which does not exist' % (page.relative_to(REPO), target))
    return broken


def unrendered_plugins(smoke):
    """Each module and lookup that is missing from the collection installed in ``smoke``, or that ansible-doc does not
    render there (ansible-doc only warns when a plugin cannot be loaded: anything on stderr counts)."""
    problems, plugins = [], sorted(glob.glob(str(REPO / 'plugins' / 'modules' / '*.py')) + glob.glob(str(REPO / 'plugins' / 'lookup' / '*.py')))
    for plugin in (Path(p) for p in plugins if not p.endswith('__init__.py')):
        kind = 'lookup' if plugin.parent.name == 'lookup' else 'module'
        if not (Path(smoke) / 'ansible_collections' / 'datagrok' / 'platform' / plugin.relative_to(REPO)).is_file():
            problems.append('%s is missing from the tarball' % plugin.relative_to(REPO))
            continue
        shown = subprocess.run(['ansible-doc', '-t', kind, 'datagrok.platform.' + plugin.stem], capture_output=True, text=True,
                               env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(smoke)), check=False)
        if shown.returncode or shown.stderr or 'datagrok.platform.' + plugin.stem not in shown.stdout:
            problems.append('ansible-doc -t %s datagrok.platform.%s did not render:\n%s' % (kind, plugin.stem, shown.stderr))
    return problems, len(plugins)


def galaxy_import_problems(log, contents):
    """What galaxy-importer's ``log`` and the contents of its result show that Galaxy would show as a problem."""
    found = {(item['content_type'], item['content_name']): item for item in contents}
    problems = [line for line in log.splitlines() if line.startswith(('WARNING', 'ERROR'))]
    problems += ['module %s: no documentation' % name for kind, name in found
                 if kind == 'module' and not (found[kind, name].get('doc_strings') or {}).get('doc')]
    problems += ['role %s: no README' % name for kind, name in found if kind == 'role' and not found[kind, name].get('readme_html')]
    if not any(kind == 'module' for kind, dummy in found):
        problems.append('no modules found')
    kinds = sorted({kind for kind, dummy in found})
    return problems, ', '.join('%d %s' % (sum(1 for k, dummy in found if k == kind), kind) for kind in kinds)
