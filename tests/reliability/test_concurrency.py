"""Reliability suite, concurrency: two converges of overlapping inventories at the same time.

Run A converges items 0..149 and run B items 100..249 (the 50 in the overlap have the same definitions in
both) against one emulator, at the same time. Each run lists the server once and then writes, so a name
that neither saw in its list is created by both; Datagrok stores the second create under ``Name_1``.

To make that race certain rather than likely, each run talks to the emulator through its own loopback
proxy (``ScriptedProxy`` of test_faults.py), and the two proxies hold back every POST until *both* runs
have had their connection list answered. Every one of the 50 shared names is then created twice, and
exactly one create of each comes back renamed, whichever run is first.

The test proves that:

* both runs succeed: the run that lost a name deletes its ``Name_1`` twin and converges the item as an
  update of the connection that won (here: no change, the definitions agree), rather than failing;
* the request log holds exactly 50 twin removals (DELETE) and the server ends with exactly the 250 names,
  no twin, each with the parameters, tags, credentials and shares of its definition;
* a run of the union (A and B together) then reports no change and sends no write.
"""
from __future__ import annotations

import contextlib
import threading

from test_faults import (
    CONNECTIONS_PATH,
    LISTING_PATH,
    PLAYBOOK,
    ScriptedProxy,
    expected_view,
    finish,
    make_connections,
    role_vars,
    snapshot,
    summary,
    twins,
)


def test_overlapping_converges_at_the_same_time(start_emulator, ansible):
    items = make_connections(250)
    runs = {
        'A': items[0:150],
        # B creates its own 100 first and the shared 50 last, as A does, so the two reach the overlap together.
        'B': items[150:250] + items[100:150],
    }
    server = start_emulator()
    listed = dict((label, threading.Event()) for label in runs)

    def hold_writes(method, _path, _body):
        if method != 'GET':
            assert all(event.wait(120) for event in listed.values()), 'a run never listed the connections'
        return None

    def gate(label):
        def after(method, path, status):
            if method == 'GET' and path.split('?')[0] == LISTING_PATH and status == 200:
                listed[label].set()
        return after

    with contextlib.ExitStack() as stack:
        proxies = dict((label, stack.enter_context(ScriptedProxy(server.url, hold_writes, gate(label)))) for label in runs)
        procs = dict((label, ansible(PLAYBOOK, extra_vars=role_vars(proxies[label].url, server, runs[label]), json=True,
                                     background=True)) for label in runs)
        done = dict((label, finish(proc)) for label, proc in procs.items())

    for label, run in done.items():
        assert run.rc == 0, '%s: %s' % (label, run.text[-3000:])
    counts = dict((label, summary(run)) for label, run in done.items())
    created = counts['A'][0] + counts['B'][0]
    settled = sum(counts[label][1] + counts[label][3] for label in runs)  # updated or unchanged after the conflict
    assert created == 250, counts
    assert settled == 50, counts
    assert all(c[2] == 0 and c[4] == 0 for c in counts.values()), counts

    log = server.requests()
    deletes = [r for r in log if r['method'] == 'DELETE']
    assert len(deletes) == 50 and all(r['path'].startswith(CONNECTIONS_PATH + '/') and r['status'] == 200 for r in deletes)
    saves = [r for r in log if r['method'] == 'POST' and r['path'] == CONNECTIONS_PATH]
    assert len(saves) >= 300  # 250 creates that kept their name, 50 that came back renamed

    state = snapshot(server)
    assert twins(state) == []
    assert state == expected_view(items)

    mark = server.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items), json=True)
    assert run.rc == 0, run.text[-3000:]
    assert summary(run) == (0, 0, 0, 250, 0)
    assert server.writes_since(mark) == []
    print('\nconcurrency: A %s, B %s (created, updated, deleted, unchanged, failed); %d twins removed'
          % (counts['A'], counts['B'], len(deletes)))
