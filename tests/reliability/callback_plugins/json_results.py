# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A JSON stdout callback for the reliability suite.

ansible-core ships no JSON callback (ansible.posix.json is a Galaxy collection, and Galaxy is not
reachable here). This one prints, at the end of the run, one JSON document in the same shape:
``{"plays": [{"play": {...}, "tasks": [{"task": {"name": ...}, "hosts": {host: result}}]}], "stats": {...}}``.
The results are the ones Ansible hands to every callback, so no_log and the module's own masking
apply to them exactly as they apply to any other callback.
"""
from __future__ import annotations

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: json_results
type: stdout
short_description: the whole run as one JSON document (tests only)
description: Results of every task per host, and the stats, printed as JSON when the run ends.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'json_results'

    def __init__(self):
        super().__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append({'task': {'name': task.get_name()}, 'hosts': {}})

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start

    def _record(self, result, **extra):
        data = dict(self._clean_results_copy(result), **extra)
        self.plays[-1]['tasks'][-1]['hosts'][result._host.get_name()] = data  # pylint: disable=protected-access

    def _clean_results_copy(self, result):
        data = dict(result._result)  # pylint: disable=protected-access
        self._clean_results(data, result._task.action)  # pylint: disable=protected-access
        return data

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_runner_item_on_ok(self, result):
        pass  # the loop's final result holds every item

    def v2_playbook_on_stats(self, stats):
        summary = dict((host, stats.summarize(host)) for host in sorted(stats.processed))
        self._display.display(json.dumps({'plays': self.plays, 'stats': summary}, indent=1, sort_keys=True, default=str))
