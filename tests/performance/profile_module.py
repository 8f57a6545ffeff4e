# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the bulk form of datagrok_connection spends its time: one module run, in this process, split by phase.

    python tests/performance/profile_module.py --url URL --api-key KEY --items items.json [--check]

It runs the module's main() as Ansible would (the arguments as ANSIBLE_MODULE_ARGS), with each phase
wrapped in a timer, and prints one JSON object: the wall seconds of each phase, the module's peak RSS,
and the module's summary. benchmark.py --profile runs it after the role's passes; see docs/performance.md.

The phases, in order: ``arguments`` (AnsibleModule's parsing and checking of the arguments), ``validate``
(the collection's checks of each item, before any request), ``list`` (the paged list of every connection),
``plan`` (the plans, with the credential reads they need, in the worker pool), ``apply`` (the writes, in the
pool), ``output`` (masking the result and writing it as JSON).
"""

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import threading
import time

PHASES = ('arguments', 'validate', 'list', 'plan', 'apply', 'output')


class Phases(object):
    """Per phase, the span from the first start to the last end, across threads."""

    def __init__(self):
        self.spans = {}
        self.lock = threading.Lock()

    def wrap(self, owner, attribute, phase):
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            start = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                end = time.monotonic()
                with self.lock:
                    first, last = self.spans.get(phase, (start, end))
                    self.spans[phase] = (min(first, start), max(last, end))
        setattr(owner, attribute, timed)

    def seconds(self):
        return dict((phase, round(self.spans[phase][1] - self.spans[phase][0], 3)) for phase in PHASES if phase in self.spans)


def run(url, api_key, items, items_path, check):
    # Imported here: the caller puts the collection on sys.path (--collections-path).
    from ansible.module_utils import basic
    from ansible_collections.datagrok.platform.plugins.module_utils import _module
    from ansible_collections.datagrok.platform.plugins.module_utils._client.api import DatagrokClient
    from ansible_collections.datagrok.platform.plugins.module_utils._converge import run as converge_run
    from ansible_collections.datagrok.platform.plugins.modules import datagrok_connection

    phases = Phases()
    phases.wrap(basic.AnsibleModule, '__init__', 'arguments')
    phases.wrap(converge_run.Run, 'validate', 'validate')
    phases.wrap(converge_run.Run, 'plan', 'plan')
    phases.wrap(converge_run, 'apply_plan', 'apply')
    phases.wrap(_module.DatagrokModule, 'exit_json', 'output')
    phases.wrap(_module.DatagrokModule, 'fail_json', 'output')
    phases.wrap(DatagrokClient, 'list_connections', 'list')

    args = {'url': url, 'api_key': api_key, 'connections': items, '_ansible_check_mode': check, '_ansible_no_log': False}
    basic._ANSIBLE_ARGS = None  # pylint: disable=protected-access
    args_path = os.path.join(os.path.dirname(os.path.abspath(items_path)), 'module-args-%d.json' % os.getpid())
    with open(args_path, 'w', encoding='utf-8') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        sys.argv = ['datagrok_connection', args_path]
        start = time.monotonic()
        try:
            datagrok_connection.main()
        except SystemExit:
            pass
        total = time.monotonic() - start
    os.unlink(args_path)
    result = json.loads(buffer.getvalue())
    if result.get('failed'):
        raise SystemExit('the module failed: %s' % result.get('msg'))
    return {'seconds': round(total, 3), 'phases': phases.seconds(), 'summary': result.get('summary'),
            'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--url', required=True)
    parser.add_argument('--api-key', required=True)
    parser.add_argument('--items', required=True, help='a JSON file holding the list of connections')
    parser.add_argument('--collections-path', required=True, help='the directory that holds ansible_collections/')
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.abspath(args.collections_path))
    with open(args.items, encoding='utf-8') as handle:
        items = json.load(handle)
    print(json.dumps(run(args.url, args.api_key, items, args.items, args.check)))


if __name__ == '__main__':
    main()
