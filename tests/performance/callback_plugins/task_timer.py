# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark helper: the wall time of each task of a run, as JSON lines in $DATAGROK_BENCH_TIMINGS.

A task's time runs from its start (after the controller templated the task's name) to its result
(after the module returned and the controller processed the result), so the converge task's time
includes templating its arguments and handling its result; the play's start-up is what comes
before the first task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = '''
name: task_timer
type: aggregate
short_description: Write each task's wall time to a file (benchmark only)
description: Writes a JSON line per task, with its name and seconds, to the file named by E(DATAGROK_BENCH_TIMINGS).
requirements: [DATAGROK_BENCH_TIMINGS set]
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.path = os.environ.get('DATAGROK_BENCH_TIMINGS')
        self.started = time.time()
        self.task = None

    def _write(self, record):
        if self.path:
            with open(self.path, 'a') as handle:
                handle.write(json.dumps(record) + '\n')

    def _close_task(self):
        if self.task is not None:
            name, start = self.task
            self._write({'task': name, 'seconds': time.time() - start})
            self.task = None

    def v2_playbook_on_start(self, playbook):
        self._write({'task': '(start-up: reading the playbook and inventory)', 'seconds': time.time() - self.started})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self.task = (task.get_name(), time.time())

    def v2_playbook_on_stats(self, stats):
        self._close_task()
