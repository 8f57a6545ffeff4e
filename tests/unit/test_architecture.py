# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""docs/architecture.md stays true to the code: every file, class, function and method it names exists."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UTILS = os.path.join(ROOT, 'plugins', 'module_utils')


def _sources():
    """{file stem: {top-level name: set of method names}} of every module_utils file and plugin."""
    found = {}
    for folder in (UTILS, os.path.join(ROOT, 'plugins', 'modules')):
        for root, dirs, files in os.walk(folder):
            for filename in files:
                if filename.endswith('.py'):
                    with open(os.path.join(root, filename), encoding='utf-8') as handle:
                        tree = ast.parse(handle.read())
                    names = found.setdefault(filename[:-3].lstrip('_'), {})
                    for node in tree.body:
                        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                            names[node.name] = set(n.name for n in node.body if isinstance(n, ast.FunctionDef))
                        elif isinstance(node, ast.Assign):
                            names.update((t.id, set()) for t in node.targets if isinstance(t, ast.Name))
    return found


def _named():
    with open(os.path.join(ROOT, 'docs', 'architecture.md'), encoding='utf-8') as handle:
        text = handle.read()
    return re.findall(r'`([^`\s]+)`', text) + re.findall(r'^ *[\w/]*?(\w+\.py)\b', text, re.M)


def test_every_file_named_exists():
    files = [name for name in _named() if name.endswith(('.py', '.md', '.json', '.yml')) or name.endswith('/')]
    assert files
    basenames = set(f for root, dirs, fs in os.walk(ROOT) if '.git' not in root for f in fs)
    for name in files:
        # A path from the root or from module_utils, or a file name found anywhere in the repository.
        found = os.path.exists(os.path.join(ROOT, name)) or os.path.exists(os.path.join(UTILS, name)) or \
            ('/' not in name.rstrip('/') and name in basenames)
        # The built collection that ansible-test runs in leaves out what is not shipped (galaxy.yml build_ignore).
        found = found or not os.path.isdir(os.path.join(ROOT, name.split('/')[0])) and '/' in name
        assert found, '%s is named in docs/architecture.md but does not exist' % name


def test_every_code_name_exists():
    sources = _sources()
    everything = dict((name, methods) for names in sources.values() for name, methods in names.items())
    checked = 0
    for name in _named():
        parts = name.rstrip('()').split('.')
        if not all(re.match(r'^[A-Za-z_]\w*$', p) for p in parts) or name.endswith('.py'):
            continue
        if len(parts) == 2 and parts[0] in sources:  # file.function
            assert parts[1] in sources[parts[0]], '%s: %s.py has no %s' % (name, parts[0], parts[1])
        elif len(parts) == 2 and parts[0] in everything:  # Class.method
            assert parts[1] in everything[parts[0]], '%s: %s has no method %s' % (name, parts[0], parts[1])
        elif len(parts) == 1 and re.match(r'^[A-Z][a-z]+[A-Z]\w*$', name):  # a class
            assert name in everything, '%s is named in docs/architecture.md but defined nowhere' % name
        else:
            continue
        checked += 1
    assert checked >= 20
