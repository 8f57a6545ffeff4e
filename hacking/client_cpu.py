#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CPU time of the client per request (a GET that answers 404), for this checkout and, with BEFORE=<checkout>, another:

    BEFORE=/tmp/old-checkout .venv/bin/python hacking/client_cpu.py
"""
import importlib
import os
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [REPO + '/tests/support', REPO + '/tests/emulator']
from datagrok_testkit import ADMIN_KEY
from datagrok_testkit.services import start_emulator
N = 1000
with tempfile.TemporaryDirectory() as work:
    em = start_emulator(work, 'cpu')
    try:
        out = {}
        for label, checkout in ([('before', os.environ['BEFORE'])] if os.environ.get('BEFORE') else []) + [('this checkout', REPO)]:
            d = os.path.join(work, label.split()[0], 'ansible_collections', 'datagrok'); os.makedirs(d)
            os.symlink(checkout, os.path.join(d, 'platform'))
            for m in [m for m in sys.modules if m.startswith('ansible_collections')]: del sys.modules[m]
            sys.path.insert(0, os.path.dirname(os.path.dirname(d)))
            try:
                api = importlib.import_module('ansible_collections.datagrok.platform.plugins.module_utils._client.api')
            except ImportError:
                api = importlib.import_module('ansible_collections.datagrok.platform.plugins.module_utils._api')
            client = api.DatagrokClient(em.url, ADMIN_KEY)
            client.get_connection('Admin:nothing-here')
            best = None
            for attempt in range(3):
                c0 = time.process_time()
                for i in range(N):
                    client.get_connection('Admin:nothing-here')
                cpu = (time.process_time() - c0) / N * 1000
                best = cpu if best is None else min(best, cpu)
            print('%s: %.3f ms CPU per request (best of 3 x %d)' % (label, best, N))
            sys.path.pop(0)
    finally:
        em.stop()
