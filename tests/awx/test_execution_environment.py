"""The execution environment.

* meta/execution-environment.yml declares exactly the third-party packages the modules import.
* ``ansible-builder create`` writes a build context from tests/awx/execution-environment.yml and the
  built tarball, and the context's own scripts, run here without a container, install the
  collection offline and find those requirements, as the image build would.
"""
from __future__ import annotations

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys

import yaml
from datagrok_testkit.pipeline import MATRIX, pin
from packaging.requirements import Requirement

EE_DEFINITION = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'execution-environment.yml')
VENV_BIN = os.path.dirname(sys.executable)

# Import name -> distribution name, for the packages the modules may import.
DISTRIBUTIONS = {'requests': 'requests'}


def _tree(collections_path):
    return os.path.join(collections_path, 'ansible_collections', 'datagrok', 'platform')


def third_party_imports(plugins):
    """Top-level names imported by the plugins that are neither the standard library nor Ansible."""
    names = set()
    for root, dirs, files in os.walk(plugins):
        dirs[:] = [name for name in dirs if name != '__pycache__']
        for filename in files:
            if not filename.endswith('.py'):
                continue
            with open(os.path.join(root, filename), encoding='utf-8') as handle:
                tree = ast.parse(handle.read(), filename)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split('.')[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split('.')[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in ('ansible', 'ansible_collections', '__future__')}


def requirement_lines(path):
    with open(path, encoding='utf-8') as handle:
        lines = [line.split('#', 1)[0].strip() for line in handle]
    return [line for line in lines if line]


def test_requirements_are_what_the_modules_import(collections_path):
    tree = _tree(collections_path)
    with open(os.path.join(tree, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        meta = yaml.safe_load(handle)
    assert meta['version'] == 1
    dependencies = meta['dependencies']
    assert set(dependencies) <= {'python', 'system'}
    imported = third_party_imports(os.path.join(tree, 'plugins'))
    unknown = imported - set(DISTRIBUTIONS)
    assert not unknown, 'the plugins import %s: add it to requirements.txt and to DISTRIBUTIONS here' % sorted(unknown)
    declared = {Requirement(line).name for line in requirement_lines(os.path.join(tree, dependencies['python']))}
    assert declared == {DISTRIBUTIONS[name] for name in imported}
    # No system packages are needed; a bindep.txt, when one is added, must be declared and shipped.
    if 'system' in dependencies:
        assert os.path.isfile(os.path.join(tree, dependencies['system']))


def test_builder_context(collections_path, tarball, tmp_path):
    stage = tmp_path / 'ee'
    stage.mkdir()
    shutil.copy(EE_DEFINITION, stage / 'execution-environment.yml')
    shutil.copy(tarball, stage / 'datagrok-platform.tar.gz')
    context = stage / 'context'
    subprocess.run([os.path.join(VENV_BIN, 'ansible-builder'), 'create', '-f', str(stage / 'execution-environment.yml'),
                    '-c', str(context), '--output-filename', 'Containerfile'], check=True, cwd=stage)
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    build = context / '_build'
    assert (build / 'collections' / 'datagrok-platform.tar.gz').is_file()

    # The image gets an ansible-core of the matrix, and the ansible-runner this pipeline tests with.
    with open(EE_DEFINITION, encoding='utf-8') as handle:
        definition = yaml.safe_load(handle)
    core = Requirement(definition['dependencies']['ansible_core']['package_pip'])
    runner = Requirement(definition['dependencies']['ansible_runner']['package_pip'])
    assert core.name == 'ansible-core' and all(core.specifier.contains(pin(version).split('==')[1]) for version in MATRIX), core
    assert runner.name == 'ansible-runner' and runner.specifier.contains(importlib.metadata.version('ansible-runner')), runner
    assert all(definition['dependencies'][name]['package_pip'] in containerfile for name in ('ansible_core', 'ansible_runner'))

    # The galaxy stage: install the collection from the context's requirements.yml, offline.
    installed = tmp_path / 'usr-share-ansible-collections'
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(installed), ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1')
    subprocess.run([os.path.join(VENV_BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
                    '--collections-path', str(installed)], check=True, cwd=build, env=env)
    assert (installed / 'ansible_collections' / 'datagrok' / 'platform' / 'MANIFEST.json').is_file()

    # The builder stage: the context's introspect script finds the collection's requirements.
    out = subprocess.run([sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect', str(installed)],
                         check=True, capture_output=True, text=True).stdout
    found = yaml.safe_load(out)
    assert found['system'] == []
    assert [line.split('#', 1)[0].strip() for line in found['python']] == requirement_lines(os.path.join(_tree(collections_path), 'requirements.txt'))
    assert all(line.endswith('# from collection datagrok.platform') for line in found['python'])
