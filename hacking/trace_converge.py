#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace one converge of datagrok_connection in-process, against a fresh emulator: the functions of the plugins it
calls, the files in the order their functions are first called, and how many times that order moves back into a file
it had already left.

    .venv/bin/python hacking/trace_converge.py [--checkout DIR]

Two scenarios: the single form updating one field (``description``) of an existing connection, and the bulk form of
three items, one of them changed. The bulk form runs with max_workers=1, so that the order is the same every time.
``--checkout`` traces another checkout of the collection (a worktree of an older commit, say) with the same scenarios.
"""

from __future__ import absolute_import, division, print_function

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

ITEM = {'data_source': 'Postgres', 'parameters': {'server': 'db.example.com', 'db': 'orders'}, 'description': 'first'}


class Tracer(object):
    """Records each function of ``plugins`` the first time it is called, in order."""

    def __init__(self, plugins):
        self.plugins = plugins + os.sep
        self.functions = []
        self._seen = set()
        self._lock = threading.Lock()

    def __call__(self, frame, event, arg):
        code = frame.f_code
        if event != 'call' or not code.co_filename.startswith(self.plugins):
            return
        key = (code.co_filename, code.co_firstlineno, code.co_name)
        with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self.functions.append((os.path.relpath(code.co_filename, self.plugins), code.co_name))

    def files(self):
        """``(the files in the order their functions are first called, the moves back into a file already left)``."""
        order, moves_back, current = [], 0, None
        for name, dummy in self.functions:
            if name != current:
                moves_back += name in order
                order += [] if name in order else [name]
                current = name
        return order, moves_back


def run_module(module, args):
    """Run a module's main() in-process with ``args`` (read from a file, as ansible-core hands them over)."""
    from ansible.module_utils import basic  # pylint: disable=import-outside-toplevel
    basic._ANSIBLE_ARGS = None  # pylint: disable=protected-access
    with tempfile.NamedTemporaryFile('w', suffix='.json', encoding='utf-8') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(args, _ansible_no_log=False)}, handle)
        handle.flush()
        sys.argv = ['datagrok_connection', handle.name]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                module.main()
            except SystemExit:
                pass
    result = json.loads(buffer.getvalue())
    if result.get('failed'):
        raise SystemExit('the module failed: %s' % result.get('msg'))
    return result


def traced(plugins, module, args):
    tracer = Tracer(plugins)
    threading.setprofile(tracer)
    sys.setprofile(tracer)
    try:
        result = run_module(module, args)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    return tracer, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--checkout', default=REPO, help='the checkout of the collection to trace (default: this one)')
    args = parser.parse_args(argv)
    checkout = os.path.abspath(args.checkout)
    sys.path[:0] = [os.path.join(REPO, 'tests', 'support'), os.path.join(REPO, 'tests', 'emulator')]
    from datagrok_testkit import ADMIN_KEY  # pylint: disable=import-outside-toplevel,import-error
    from datagrok_testkit.services import start_emulator  # pylint: disable=import-outside-toplevel,import-error

    with tempfile.TemporaryDirectory(prefix='trace-converge-') as workdir:
        parent = os.path.join(workdir, 'collections', 'ansible_collections', 'datagrok')
        os.makedirs(parent)
        os.symlink(checkout, os.path.join(parent, 'platform'))
        sys.path.insert(0, os.path.join(workdir, 'collections'))
        from ansible_collections.datagrok.platform.plugins.modules import datagrok_connection  # pylint: disable=import-outside-toplevel,import-error

        emulator = start_emulator(workdir, 'trace')
        try:
            server = {'url': emulator.url, 'api_key': ADMIN_KEY}
            names = ['trace_a', 'trace_b', 'trace_c']
            run_module(datagrok_connection, dict(server, connections=[dict(ITEM, name=n) for n in names]))
            # Warm the imports, so that the trace follows the converge and not the loading of modules.
            run_module(datagrok_connection, dict(server, name='trace_a', **ITEM))
            plugins = os.path.join(parent, 'platform', 'plugins')  # as the modules were imported, through the link
            scenarios = [
                ('single form, one field updated', dict(server, name='trace_a', **dict(ITEM, description='second'))),
                ('bulk form, three items, one changed', dict(server, max_workers=1, connections=[
                    dict(ITEM, name=n, description='third' if n == 'trace_b' else 'first') for n in names])),
            ]
            for title, module_args in scenarios:
                tracer, result = traced(plugins, datagrok_connection, module_args)
                assert result['changed'], title
                order, moves_back = tracer.files()
                print('%s: %d functions in %d files, %d moves back' % (title, len(tracer.functions), len(order), moves_back))
                for name in order:
                    print('    ' + name)
        finally:
            emulator.stop()


if __name__ == '__main__':
    main()
