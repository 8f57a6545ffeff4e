#!/usr/bin/env python3
"""Snapshot the connection templates of Datagrok's Grok Connect providers as JSON facts.

Usage: snapshot_grok_connect.py SOURCES_DIR [--out tests/emulator/evidence/grok_connect.json] [--check]

Reads a copy (never committed) of datagrok-ai/public connectors/grok_connect sources from SOURCES_DIR, each file
found by its exact name (`X.old_<commit>.java` copies are ignored): ProviderManager.java (the registered providers),
DbCredentials.java (key constants, shared templates) and each provider's descriptor.type and the connection,
credentials and jdbcProperties templates it builds or inherits. The output holds facts only (key names, types,
editors, categories, choices): no code, no descriptions. "inferred": true marks a fact the sources lack (members
missing from the newest DbCredentials.java); "unresolved": true a key named by a vendor driver's constant.
--check compares fresh facts with the JSON and exits 1 with a diff.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import functools
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / 'tests' / 'emulator' / 'evidence' / 'grok_connect.json'
UPSTREAM = 'connectors/grok_connect/src/main/{lang}/grok_connect/providers/{name}'
GENERATED_FROM = 'datagrok-ai/public connectors/grok_connect (see hacking/snapshot_grok_connect.py)'
TEMPLATES = {'connectionTemplate': 'parameters', 'credentialsTemplate': 'credentials', 'jdbcPropertiesTemplate': 'jdbc_properties'}
# Property.java's type constants (only older copies of Property.java were found; these have never changed).
PROPERTY_TYPES = {'BOOL_TYPE': 'bool', 'INT_TYPE': 'int', 'FLOAT_TYPE': 'double', 'STRING_TYPE': 'string',
                  'DATETIME_TYPE': 'datetime', 'MAP_TYPE': 'map'}
# Members the providers use that the newest DbCredentials.java we have lacks (see the module docstring).
FALLBACKS = {
    'getSsl': {'name': 'ssl', 'type': 'bool', 'inferred': True},
    'dbCredentialsTemplate': [{'name': 'login', 'type': 'string', 'inferred': True},
                              {'name': 'password', 'type': 'string', 'editor': 'password', 'inferred': True}],
}
LIST_FUNCTIONS = {'mutableListOf', 'listOf', 'arrayListOf', 'Arrays.asList', 'List.of'}
TOKEN = re.compile(r'''(?P<ws>\s+) | (?P<comment>//[^\n]*|/\*.*?\*/) | (?P<str>"(?:\\.|[^"\\])*") |
                       (?P<chr>'(?:\\.|[^'\\])*') | (?P<name>[A-Za-z_$][\w$]*) | (?P<num>\d[\w.]*) | (?P<op>->|.)''', re.S | re.X)
UNKNOWN = object()
WARNINGS: list[str] = []


class Unresolved(str):
    """A constant defined outside the sources (a vendor driver's); its name stands for its value."""


class Editor(str):
    """The editor a `new Prop(editor)` names."""


def make_property(args):
    """new Property(type, name[, description][, category][, Prop][, format or label]) as a dict."""
    args = list(args) + [None] * (4 - len(args))
    editor = next((a for a in args[2:] if isinstance(a, Editor) and a), None)
    category = args[3] if isinstance(args[3], str) and not isinstance(args[3], Editor) else None
    return {'name': args[1], 'type': args[0], 'editor': editor, 'category': category}


class Unit:
    """One source file: its tokens and a lazy evaluator for the expressions the templates are built from."""

    def __init__(self, root, path):
        self.root, self.path, self.cache = root, path, {}
        tokens = TOKEN.finditer(path.read_text(encoding='utf-8'))
        self.toks = [(m.lastgroup, m.group()) for m in tokens if m.lastgroup not in ('ws', 'comment')]

    def tok(self, i):
        return self.toks[i][1] if 0 <= i < len(self.toks) else ''

    def skip(self, i, stops=(',', ')', ';', '}')):
        depth = 0
        while i < len(self.toks) and not (depth == 0 and self.tok(i) in stops):
            depth += {'(': 1, '{': 1, '[': 1, ')': -1, '}': -1, ']': -1}.get(self.tok(i), 0)
            i += 1
        return i

    def expr(self, i):
        value, i = self.term(i)
        while self.tok(i) == '+':
            right, i = self.term(i + 1)
            value = value + right if isinstance(value, str) and isinstance(right, str) else UNKNOWN
        return value, i

    def term(self, i):
        kind, text = self.toks[i]
        if kind == 'str':
            return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': '\t'}.get(m.group(1), m.group(1)), text[1:-1]), i + 1
        if kind == 'num' or text in ('null', 'true', 'false'):  # only `null` matters: it is no category
            return {'null': None}.get(text, text), i + 1
        if text == 'new':
            name, i = self.qualname(i + 1)
            if self.tok(i) == '<':
                i = self.skip(i, ('>',)) + 1
            args, i = self.args(i) if self.tok(i) == '(' else ([], i)
            value = self.call(name, args)
            if self.tok(i) == '{' and self.tok(i + 1) == '{':
                i = self.double_brace(value, i + 2)
            return value, i
        if kind == 'name':
            name, i = self.qualname(i)
            if self.tok(i) == '(':
                args, i = self.args(i)
                return self.call(name, args), i
            return self.resolve(name), i
        return UNKNOWN, self.skip(i)

    def qualname(self, i):
        parts = [self.tok(i)]
        while self.tok(i + 1) == '.' and self.toks[i + 2][0] == 'name':
            parts.append(self.tok(i + 2))
            i += 2
        return '.'.join(parts), i + 1

    def args(self, i):
        values, i = [], i + 1
        while self.tok(i) != ')':
            value, i = self.expr(i)
            values.append(value)
            i = self.skip(i, (',', ')'))
            i += self.tok(i) == ','
        return values, i + 1

    def double_brace(self, target, i):
        """The body of `new ArrayList<...>() {{ add(x); ... }}`; returns the index after `}}`."""
        while self.tok(i) != '}':
            if self.tok(i) == 'add' and self.tok(i + 1) == '(' and isinstance(target, list):
                values, i = self.args(i + 1)
                target.extend(values[:1])
            i = self.skip(i, (';', '}'))
            i += self.tok(i) == ';'
        return i + 2

    def call(self, name, args):
        """A constructor (`new` optional, as in Kotlin), a list builder, or a method of a known class."""
        if name == 'Property':
            return make_property(args)
        if name == 'Prop':
            return Editor(args[0] if args and args[0] else '')
        if name in ('ArrayList', 'LinkedList'):
            return copy.deepcopy(args[0]) if args and isinstance(args[0], list) else []
        if name in LIST_FUNCTIONS:
            return list(args)
        if name == 'Collections.unmodifiableList':
            return args[0]
        owner, _, member = name.rpartition('.')
        unit = load(self.root, owner) if owner else self
        return unit.member(member, method=True) if unit else UNKNOWN

    def resolve(self, name):
        owner, _, member = name.rpartition('.')
        if owner == 'Property':
            return PROPERTY_TYPES.get(member, UNKNOWN)
        unit = load(self.root, owner) if owner else self
        return unit.member(member) if unit else Unresolved(name)

    def member(self, name, method=False):
        """A field or constant (`T name = expr`, `val name = expr`), or what a method returns, evaluated once."""
        if name not in self.cache:
            start = self.find(name, method)
            if start is None:
                self.cache[name] = copy.deepcopy(FALLBACKS.get(name, UNKNOWN))
                if name not in FALLBACKS:
                    WARNINGS.append(f'{self.path.name}: cannot resolve {name}')
            else:
                self.cache[name] = value = self.expr(start)[0]
                for i in range(len(self.toks) - 4 if isinstance(value, dict) else 0):  # a Property variable's later `name.choices = ...;`
                    if [self.tok(i), self.tok(i + 1), self.tok(i + 3)] == [name, '.', '='] and self.tok(i + 2) in ('choices', 'category'):
                        value[self.tok(i + 2)] = self.expr(i + 4)[0]
        return copy.deepcopy(self.cache[name])

    def find(self, name, method):
        for i, (_, text) in enumerate(self.toks):
            prev = self.toks[i - 1] if i else ('op', '')
            if text != name or not (prev[0] == 'name' or prev[1] == '>') or prev[1] in ('new', 'return'):
                continue
            if method and self.tok(i + 1) == '(':
                return self.toks.index(('name', 'return'), i) + 1
            if not method and self.tok(i + 1) == '=' and self.tok(i + 2) != '=':
                return i + 2
        return None

    def parent(self):
        i, depth = self.toks.index(('name', 'class')), 0
        while self.tok(i) != '{':  # `class A extends B {` or Kotlin `class A(args) : B(args) {`
            depth += {'(': 1, ')': -1}.get(self.tok(i), 0)
            if depth == 0 and self.tok(i) in ('extends', ':'):
                return self.tok(i + 1)
            i += 1
        return None

    def templates(self):
        """What the constructor leaves in descriptor's three templates, after the parent's constructor ran."""
        parent = load(self.root, self.parent())
        result = parent.templates() if parent else {name: [] for name in TEMPLATES}
        for i in range(len(self.toks) - 5):
            if self.tok(i) != 'descriptor' or self.tok(i - 1) == '.':
                continue
            field, op, verb = self.tok(i + 2), self.tok(i + 3), self.tok(i + 4)
            if self.tok(i + 1) == '=' and field != '=':  # descriptor = new DataSource()
                result = {name: [] for name in TEMPLATES}
            elif self.tok(i + 1) != '.' or field not in TEMPLATES:
                continue
            elif op == '=':
                result[field] = self.expr(i + 4)[0]
            elif op == '.' and verb in ('add', 'addAll'):
                values = self.args(i + 5)[0]
                result[field].extend(values if verb == 'add' else values[0])
            elif op == '.' and verb == 'stream':  # .stream().filter(p -> p.name.equals(K)).forEach(p -> p.category = V)
                end = self.skip(i + 1, (';', 'descriptor'))
                marks = {self.tok(j): j for j in range(i, end) if self.tok(j) in ('equals', 'category')}
                if 'equals' in marks and 'category' in marks:
                    key, value = self.expr(marks['equals'] + 2)[0], self.expr(marks['category'] + 2)[0]
                    for prop in result[field]:
                        if isinstance(prop, dict) and prop['name'] == key:
                            prop['category'] = value
        return result


@functools.cache
def load(root, name):
    """The file holding class `name` (`name.java` or `name.kt`); None for the base class or a class not there."""
    paths = [p for ext in ('java', 'kt') for p in sorted(Path(root).rglob(f'{name}.{ext}'))] if name else []
    return Unit(root, paths[0]) if paths and name != 'JdbcDataProvider' else None


def facts(props, where):
    out = {}
    for prop in props if isinstance(props, list) else [props]:
        if not isinstance(prop, dict) or UNKNOWN in prop.values():
            WARNINGS.append(f'{where}: cannot read a template entry: {prop!r}')
            continue
        entry = {k: v for k, v in prop.items() if k != 'name' and v not in (None, '')}
        entry.update({'unresolved': True} if isinstance(prop['name'], Unresolved) else {})
        entry.update({'secret': True} if entry.get('editor') in ('password', 'rsa') else {})
        out[str(prop['name'])] = entry
    return out


def snapshot(sources):
    manager = load(sources, 'ProviderManager')
    classes = [manager.tok(i + 1) for i in range(len(manager.toks) - 2)
               if manager.tok(i) == 'new' and manager.tok(i + 1).endswith('Provider') and manager.tok(i + 2) == '(']
    providers = {}
    for name in classes:
        unit = load(sources, name)
        if unit is None:
            WARNINGS.append(f'no source for {name}')
            continue
        i = next(i for i in range(len(unit.toks)) if [unit.tok(i + k) for k in range(4)] == ['descriptor', '.', 'type', '='])
        lang = 'kotlin' if unit.path.suffix == '.kt' else 'java'
        entry = {'file': UPSTREAM.format(lang=lang, sub='providers', name=unit.path.name)}
        entry.update({TEMPLATES[field]: facts(props, f'{name}.{field}') for field, props in unit.templates().items()})
        providers[unit.expr(i + 4)[0]] = entry
    return {'generated_from': GENERATED_FROM, 'providers': providers}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('sources', help='directory holding the grok_connect sources')
    parser.add_argument('--out', default=str(DEFAULT_OUT), help='the JSON file to write (default: %(default)s)')
    parser.add_argument('--check', action='store_true', help='exit 1 when the JSON differs from fresh facts')
    args = parser.parse_args(argv)
    text = json.dumps(snapshot(args.sources), indent=1, sort_keys=True, ensure_ascii=False) + '\n'
    for warning in WARNINGS:
        print(f'warning: {warning}', file=sys.stderr)
    if args.check:
        old = Path(args.out).read_text(encoding='utf-8') if os.path.exists(args.out) else ''
        diff = list(difflib.unified_diff(old.splitlines(True), text.splitlines(True), args.out, 'fresh facts'))
        sys.stdout.writelines(diff or [f'{args.out} is up to date\n'])
        return 1 if diff else 0
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding='utf-8')
    print(f'wrote {args.out}: {len(json.loads(text)["providers"])} providers')
    return 0


if __name__ == '__main__':
    sys.exit(main())
