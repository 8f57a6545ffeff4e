"""Reliability suite, faults and crashes: the connections role against a server that misbehaves.

Each scenario runs ``datagrok.platform.connections`` (one bulk call of ``datagrok_connection``) against
fresh emulators (tests/emulator/run.py) started by the ``emulator`` fixture:

* **A flaky server** (:func:`test_flaky_server_converges_like_a_fault_free_one`). The emulator answers a
  fifth of all requests with 429 (``Retry-After: 1``), 503 or a dropped connection; half of the dropped
  POSTs are carried out before the answer is lost. During the converge a proxy adds latency spikes
  (0.2-1.8 s on about 4 % of the requests, with a 1 s client timeout: some requests time out, and some
  of those reach the server late, after their retry). The role still converges 200 connections: no
  ``Name_1`` twin, none lost, and the server ends in the same state (names, data source, parameters,
  tags, stored credentials, shares) as a fault-free reference server given the same inventory. A second
  run against the flaky server reports no change and sends no write.
* **Retries exhausted.** With every request failing (``--fail-rate 1.0``,
  :func:`test_retries_exhausted_on_the_first_read`), the role stops on its first read: the message names
  the operation and the server's *last* answer, and exactly ``retries + 1`` attempts reached the server.
  With every connection write failing (a scripted proxy in front of a healthy emulator, so that the
  reads succeed: :func:`test_retries_exhausted_on_writes_names_each_connection`), the role fails naming each
  connection, its operation (create or update) and the last answer (503 after two 429s). Nothing is written.
* **A crash mid-converge** (:func:`test_crash_mid_converge_then_rerun`). The emulator is SIGKILLed while the
  role creates 500 connections, then restarted on the same SQLite state file (on a new port). The crashed
  run (``retries: 0``: the server never answers at that address again) fails naming each connection it
  could not write. The next run converges exactly the 500 connections with their parameters, credentials
  and shares, without twins, creating only those that did not survive, and a further run reports no
  change and writes nothing.

The request logs prove that the faults really happened (statuses 429/503, and 0 for a dropped
connection) and tell which writes reached the server. The test reads the server through
:func:`list_connections` and :func:`fetch`, which retry the faults a flaky emulator also injects into
the test's own reads (``Emulator.connections()`` does not).

Timing (2 cores, other work running): about 55 s for this module, most of it the fixed cost of eight
ansible-playbook runs.
"""
from __future__ import annotations

import http.client
import http.server
import json
import random
import re
import sys
import threading
import time
import urllib.error
import uuid
from concurrent.futures import ThreadPoolExecutor

from datagrok_emulator.process import list_pages

from datagrok_testkit.playbooks import collect

PLAYBOOK = """\
- name: Converge the data connections with the role
  hosts: datagrok
  gather_facts: false
  roles:
    - datagrok.platform.connections
"""
SUMMARY = re.compile(r'(\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged, (\d+) failed')
CONNECTIONS_PATH = '/public/v1/connections'
LISTING_PATH = '/connectors/connections'  # the internal router the module lists through, as the vendor CLI does
FAULTS = (429, 503, 0)  # 0: the request log's status for a dropped connection
LAST_ANSWER = {
    429: '(HTTP 429) Too many requests',
    503: '(HTTP 503) Service temporarily unavailable',
    0: 'cannot reach http://127.0.0.1:',
}


# -- inventories and runs ----------------------------------------------------------------------


def make_connections(count, start=0, prefix='rel'):
    """``count`` Postgres connections as tests/performance/benchmark.py makes them; every 20th is also shared."""
    items = []
    for index in range(start, start + count):
        number = index + 1
        item = {
            'name': '%s-%05d' % (prefix, number),
            'data_source': 'Postgres',
            'parameters': {'server': 'db%02d.rel.example.com' % (index % 20), 'port': 5432, 'db': 'db_%05d' % number},
            'credentials': {'login': 'user_%05d' % number, 'password': 'secret-%05d' % number},
            'tags': ['reliability', 'team-%d' % (index % 5)],
        }
        if number % 20 == 0:
            item['shares'] = [{'group': 'Developers', 'access': 'View'}]
        items.append(item)
    return items


def role_vars(url, server, items, **extra):
    """Extra vars of one role run; ``datagrok_retries`` and the like come in ``extra``."""
    values = {'datagrok_url': url, 'datagrok_api_key': server.admin_key, 'datagrok_connections': items}
    values.update(extra)
    return values


def task_result(run, suffix):
    """The host result of the role task whose name ends with ``suffix`` (the callback prefixes the role's name)."""
    for play in (run.document or {}).get('plays', []):
        for task in play.get('tasks', []):
            if task['task']['name'].endswith(suffix):
                return next(iter(task['hosts'].values()), None)
    return None


def summary(run):
    """(created, updated, deleted, unchanged, failed), as the role's Summary task printed them."""
    result = task_result(run, 'Summary')
    assert result is not None and 'msg' in result, run.text[-3000:]
    match = SUMMARY.search(result['msg'])
    assert match, result['msg']
    return tuple(int(n) for n in match.groups())


def finish(proc, timeout=300):
    """Wait for a background ansible-playbook run and return its AnsibleRun (``collect`` does not wait)."""
    proc.wait(timeout)
    return collect(proc, proc.stdout_path, proc.stderr_path, True)


def failure_message(run, task='Fail, naming each connection that failed'):
    result = task_result(run, task)
    assert result is not None and result.get('failed'), run.text[-3000:]
    return result['msg']


# -- reading the server ------------------------------------------------------------------------


def fetch(server, path, attempts=60):
    """GET as the admin; retries the faults a flaky emulator also injects into the test's own reads."""
    for _attempt in range(attempts):
        try:
            return server.api('GET', path)
        except urllib.error.HTTPError as exc:
            if exc.code not in (429, 503):
                raise
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
            pass
        time.sleep(0.02)
    raise AssertionError('GET %s kept failing' % path)


def list_connections(server):
    """Every connection on the server, each read retried through the faults of a flaky emulator."""
    return list_pages(lambda path: fetch(server, path), CONNECTIONS_PATH)


def snapshot(server):
    """A normalised view of the server: full name -> what the connection holds, without ids or timestamps."""
    listed = list_connections(server)

    def details(conn):
        creds = fetch(server, '/public/v1/credentials/for/%s' % conn['id'])  # the emulator reads them back in clear
        grants = fetch(server, '/privileges/permissions?entityId=%s&all=true' % conn['id']) or []
        return creds, grants

    with ThreadPoolExecutor(4) as pool:
        read = list(pool.map(details, listed))
    # Permission rows name only the group's id (server.js handleSharesList of datagrok-tools looks names up).
    group_names = dict((g['id'], g['name']) for g in fetch(server, '/public/v1/groups'))
    view = {}
    for conn, (creds, grants) in zip(listed, read):
        key = conn['namespace'] + conn['name']
        assert key not in view, 'two connections named %s' % key
        view[key] = {
            'dataSource': conn['dataSource'],
            'friendlyName': conn.get('friendlyName'),
            'description': conn.get('description'),
            'parameters': conn.get('parameters'),
            'tags': sorted(conn.get('tags') or []),
            'credentials': (creds or {}).get('parameters'),
            'shares': sorted((group_names[g['userGroup']['id']], g['permission']['name']) for g in grants),
        }
    return view


def expected_view(items, namespace='Admin:'):
    """What :func:`snapshot` must show once ``items`` are converged by the admin."""
    return dict((namespace + item['name'], {
        'dataSource': item['data_source'],
        'friendlyName': item['name'],
        'description': None,
        'parameters': item['parameters'],
        'tags': sorted(item['tags']),
        'credentials': item['credentials'],
        'shares': [('Developers', 'View')] if item.get('shares') else [],
    }) for item in items)


def twins(names):
    """Names that look like the server's rename of a taken name (``Name_1``, ``Name_2``, ...)."""
    return sorted(n for n in names if re.search(r'_\d+$', n))


def statuses(requests):
    counts = {}
    for request in requests:
        counts[request['status']] = counts.get(request['status'], 0) + 1
    return counts


def creates(requests):
    """The connection saves in a request log slice that the server carried out (0: done, answer dropped)."""
    return [r for r in requests if r['method'] == 'POST' and r['path'] == CONNECTIONS_PATH and r['status'] in (200, 0)]


# -- a scripted proxy --------------------------------------------------------------------------


class ScriptedProxy(http.server.ThreadingHTTPServer):
    """A loopback HTTP proxy to an emulator that answers some requests itself, as ``script`` decides.

    ``script(method, path, body)`` returns None to forward the request, or ``(status, headers, payload)``;
    it may also block, to hold a request back. ``after(method, path, status)``, if given, is called once the
    answer is known, before the client gets it. ``log`` holds ``(method, path, body, status)`` of every request.
    Leaving the ``with`` block waits for the requests still in the proxy, so that none reaches the server later.
    """

    daemon_threads = False  # server_close() joins the request threads

    def __init__(self, upstream, script, after=None):
        super().__init__(('127.0.0.1', 0), _ProxyHandler)
        self.upstream = upstream.split('://', 1)[1]
        self.script = script
        self.after = after
        self.log = []
        self.log_lock = threading.Lock()
        self.url = 'http://127.0.0.1:%d' % self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], OSError):  # not a client that timed out and hung up, say
            super().handle_error(request, client_address)

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()

    def forward(self, method, path, headers, body):
        connection = http.client.HTTPConnection(self.upstream, timeout=30)
        try:
            connection.request(method, path, body=body, headers=dict((k, v) for k, v in headers.items()
                                                                     if k.lower() in ('authorization', 'content-type')))
            response = connection.getresponse()
            kept = dict((k, v) for k, v in response.getheaders() if k.lower() in ('content-type', 'api-error', 'retry-after'))
            return response.status, kept, response.read()
        finally:
            connection.close()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):

    def log_message(self, *args):  # pylint: disable=arguments-differ
        return

    def do_GET(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else None
        answer = self.server.script(self.command, self.path, json.loads(body) if body else None)
        if answer is None:
            answer = self.server.forward(self.command, self.path, self.headers, body)
        status, headers, payload = answer
        with self.server.log_lock:
            self.server.log.append((self.command, self.path, json.loads(body) if body else None, status))
        if self.server.after is not None:
            self.server.after(self.command, self.path, status)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_DELETE = do_PUT = do_GET


def api_error(status, message, **headers):
    body = json.dumps({'#type': 'ApiError', 'message': message, 'errorCode': status}).encode('utf-8')
    return status, dict({'Content-Type': 'application/json', 'api-error': 'true'}, **headers), body


# -- a flaky server ----------------------------------------------------------------------------


class LatencySpikes:
    """A proxy script: a few requests wait 0.2-1.8 s, before they reach the server or before their answer leaves it.

    ``rate`` is the chance of each of the two waits, so about 4 % of the requests are held up.
    """

    def __init__(self, rate=0.02, seed=7):
        self.rate = rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.delays = []

    def _spike(self):
        with self.lock:
            delay = self.rng.uniform(0.2, 1.8) if self.rng.random() < self.rate else 0
            if delay:
                self.delays.append(delay)
        time.sleep(delay)

    def before(self, _method, _path, _body):
        self._spike()  # may arrive after the client gave up, and after its retry

    def after(self, _method, _path, _status):
        self._spike()  # carried out, but the answer may come too late


def test_flaky_server_converges_like_a_fault_free_one(start_emulator, ansible):
    items = make_connections(200)
    reference = start_emulator()
    flaky = start_emulator('--fail-rate', '0.2', '--latency-ms', '2')
    # The fault-free reference converges at the same time (its run is mostly waiting, as is the flaky one).
    background = ansible(PLAYBOOK, extra_vars=role_vars(reference.url, reference, items), json=True, background=True)
    # 8 retries: losing an item would take 9 faults in a row on one request (0.2 ** 9, about 5e-7).
    # The emulator's latency is constant, so a proxy adds the spikes; those over the 1 s timeout are retried too.
    flaky_vars = dict(datagrok_retries=8, datagrok_timeout=1)
    spikes = LatencySpikes()
    with ScriptedProxy(flaky.url, spikes.before, spikes.after) as proxy:
        run = ansible(PLAYBOOK, extra_vars=role_vars(proxy.url, flaky, items, **flaky_vars), json=True)
    assert run.rc == 0, run.text[-3000:]
    assert summary(run) == (200, 0, 0, 0, 0)
    converge = flaky.requests()
    faults = statuses(converge)
    assert all(faults.get(code, 0) > 0 for code in FAULTS), faults
    assert [d for d in spikes.delays if d > 1.0], spikes.delays
    # No create came back renamed (a twin to undo), and every connection was saved at least once.
    assert not [r for r in converge if r['method'] == 'DELETE'], 'a renamed twin was created, then deleted'
    assert len(creates(converge)) >= 200

    ref_run = finish(background)
    assert ref_run.rc == 0, ref_run.text[-3000:]
    assert summary(ref_run) == (200, 0, 0, 0, 0)
    wanted = snapshot(reference)
    assert wanted == expected_view(items)

    mark = flaky.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(flaky.url, flaky, items, **flaky_vars), json=True)
    assert run.rc == 0, run.text[-3000:]
    assert summary(run) == (0, 0, 0, 200, 0)
    assert flaky.writes_since(mark) == []
    noop_faults = statuses(flaky.requests_since(mark))
    assert sum(noop_faults.get(code, 0) for code in FAULTS) > 0, noop_faults

    # The final state, read without faults: the same as the fault-free server's, no twin, none lost.
    flaky.restart(extra=[])
    state = snapshot(flaky)
    assert twins(state) == []
    assert sorted(state) == sorted(wanted)
    assert state == wanted
    print('\nflaky server: statuses of the converge %s, of the no-op run %s; %d latency spikes, %d over the timeout'
          % (faults, noop_faults, len(spikes.delays), len([d for d in spikes.delays if d > 1.0])))


# -- retries exhausted -------------------------------------------------------------------------


def test_retries_exhausted_on_the_first_read(start_emulator, ansible):
    server = start_emulator('--fail-rate', '1.0')
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, make_connections(3), datagrok_retries=2), json=True)
    assert run.rc != 0
    message = failure_message(run, 'Stop when the module ran no connection')
    log = server.requests()
    # The first request (who the caller is: names without a namespace land in the caller's project, read from the
    # internal /users/current as datagrok-tools pusher.js does) and its 2 retries.
    assert [r['path'] for r in log] == ['/users/current'] * 3, log
    assert all(r['status'] in FAULTS for r in log), log
    assert message.startswith('Cannot read the current user'), message
    assert LAST_ANSWER[log[-1]['status']] in message, (message, log[-1])
    assert server.writes_since(0) == []
    server.restart(extra=[])
    assert list_connections(server) == []


def test_retries_exhausted_on_writes_names_each_connection(start_emulator, ansible):
    server = start_emulator()
    items = make_connections(3)
    # rel-00001 exists with another port, so the run updates it and creates the other two.
    existing = dict(items[0], parameters=dict(items[0]['parameters'], port=6543))
    server.api('POST', CONNECTIONS_PATH + '?saveCredentials=true', {
        'name': existing['name'], 'dataSource': 'Postgres', 'parameters': existing['parameters'], 'tags': existing['tags'],
        'credentials': {'parameters': existing['credentials']}})
    before = snapshot(server)
    retries = 2
    attempts = {}

    def script(method, path, body):
        # Every save of a connection fails: 429 (Retry-After 0) until the last attempt, which gets a 503.
        if method != 'POST' or path.split('?')[0] != CONNECTIONS_PATH:
            return None
        key = body.get('id')
        attempts[key] = attempts.get(key, 0) + 1
        if attempts[key] <= retries:
            return api_error(429, 'Too many requests', **{'Retry-After': '0'})
        return api_error(503, 'Service temporarily unavailable: connection store is read-only')

    with ScriptedProxy(server.url, script) as proxy:
        mark = server.mark()
        run = ansible(PLAYBOOK, extra_vars=role_vars(proxy.url, server, items, datagrok_retries=retries), json=True)
    assert run.rc != 0
    assert summary(run) == (0, 0, 0, 0, 3)
    message = failure_message(run)
    last = '(HTTP 503) Service temporarily unavailable: connection store is read-only'
    assert "Cannot update connection 'Admin:rel-00001': " + last in message, message
    for name in ('rel-00002', 'rel-00003'):
        assert "Cannot create connection 'Admin:%s': " % name + last in message, message
    assert 'HTTP 429' not in message, message
    # Each connection was sent retries + 1 times, under one id; a create re-read that id before each resend.
    saves = [(m, body) for m, p, body, _status in proxy.log if m == 'POST' and p.startswith(CONNECTIONS_PATH + '?')]
    assert len(saves) == 3 * (retries + 1)
    assert sorted(attempts.values()) == [retries + 1] * 3
    assert all(uuid.UUID(key) for key in attempts)
    rereads = [p for m, p, _body, status in proxy.log if m == 'GET' and p.split('/')[-1] in attempts and status == 404]
    assert len(rereads) == 2 * retries
    # Nothing was written, and the server holds what it held.
    assert server.writes_since(mark) == []
    assert snapshot(server) == before


# -- a crash mid-converge ----------------------------------------------------------------------


def test_crash_mid_converge_then_rerun(start_emulator, ansible):
    items = make_connections(500)
    names = set('Admin:' + item['name'] for item in items)
    server = start_emulator('--latency-ms', '1')
    # retries 0: the killed server never answers at that address again, so waiting out retries would tell nothing.
    proc = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items, datagrok_retries=0), json=True, background=True)
    deadline = time.time() + 120
    while len(creates(server.requests())) < 100:
        assert proc.poll() is None and time.time() < deadline, 'the converge ended before the kill'
        time.sleep(0.02)
    server.kill()
    crashed = finish(proc)
    landed = len(creates(server.requests()))
    assert 100 <= landed < 500, landed
    assert crashed.rc != 0
    created, updated, deleted, unchanged, failed = summary(crashed)
    assert (updated, deleted, unchanged) == (0, 0, 0) and created + failed == 500 and failed > 0
    message = failure_message(crashed)
    # Each failed connection is named once, with what went wrong: the server was gone.
    assert message.count("connection 'Admin:rel-") == failed and 'cannot reach http://127.0.0.1:' in message, message

    server.restart()
    survived = set(c['namespace'] + c['name'] for c in list_connections(server))
    # What the server committed before it died: only names of the inventory, each once, at least what was
    # acknowledged, and what was logged give or take the saves in flight (the log line follows the commit).
    assert survived <= names and twins(survived) == []
    assert created <= len(survived) <= landed + 8

    mark = server.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items), json=True)
    assert run.rc == 0, run.text[-3000:]
    created_now, updated_now, deleted_now, unchanged_now, failed_now = summary(run)
    assert created_now == 500 - len(survived)
    assert (deleted_now, failed_now) == (0, 0) and created_now + updated_now + unchanged_now == 500
    assert not [r for r in server.requests_since(mark) if r['method'] == 'DELETE']
    state = snapshot(server)
    assert set(state) == names and twins(state) == []
    assert state == expected_view(items)

    mark = server.mark()
    run = ansible(PLAYBOOK, extra_vars=role_vars(server.url, server, items), json=True)
    assert run.rc == 0, run.text[-3000:]
    assert summary(run) == (0, 0, 0, 500, 0)
    assert server.writes_since(mark) == []
    print('\ncrash: %d saves landed before the kill (%d acknowledged), %d survived; the rerun created %d, updated %d'
          % (landed, created, len(survived), created_now, updated_now))
