"""Run the emulator as a child process on a free loopback port (for tests and the benchmark)."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from urllib.parse import urlencode, urlsplit

WRITE_METHODS = frozenset(('POST', 'PUT', 'PATCH', 'DELETE'))
RUN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run.py')
READY = re.compile(r'^datagrok emulator listening on (https?://127\.0\.0\.1:\d+)$')


class Response:
    """An answer as it came: status, headers (lower-case names) and body."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    def json(self):
        return json.loads(self.raw) if self.raw else None

    @property
    def is_api_error(self):
        return 'api-error' in self.headers


class EmulatorProcess:
    """``run.py --port 0``: the emulator binds a free port itself and prints it, so there is no race for it."""

    def __init__(self, state, stderr_path, admin_key, user_key, extra=(), request_log=None):
        self.state = state
        self.stderr_path = stderr_path
        self.admin_key = admin_key
        self.user_key = user_key
        self.request_log = request_log
        self.extra = (['--request-log', request_log] if request_log else []) + list(extra)
        self.proc = None
        self.url = None
        self.ssl_context = None  # for call() over HTTPS
        self.workdir = None      # the folder of its files, when one holds them all

    def start(self, timeout=30):
        cmd = [sys.executable, RUN, '--port', '0', '--state', self.state, '--admin-key', self.admin_key,
               '--user-key', self.user_key] + self.extra
        with open(self.stderr_path, 'a', encoding='utf-8') as stderr:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
        # readline() would wait forever on an emulator that hangs before printing its address.
        timer = threading.Timer(timeout, self.proc.kill)
        timer.start()
        try:
            line = self.proc.stdout.readline().strip()
        finally:
            timer.cancel()
        match = READY.match(line)
        if not match:
            self.stop()
            with open(self.stderr_path, encoding='utf-8') as stderr:
                raise RuntimeError('the emulator did not start (%r): %s' % (line, stderr.read()[-2000:]))
        self.url = match.group(1)
        return self

    def api(self, method, path, body=None, key=None, context=None):
        """One REST call, as the admin unless ``key`` says otherwise; returns the decoded JSON (None when empty)."""
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            'Authorization': 'Bearer ' + (key or self.admin_key), 'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def call(self, method, path, user='admin', body=None, params=None, key=None, bearer=True, timeout=15):
        """One request as ``user`` ('admin', 'alice' or None for no key), or with an explicit ``key``; the answer
        as it came (:class:`Response`), errors included."""
        parts = urlsplit(self.url)
        if parts.scheme == 'https':
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        headers = {'Content-Type': 'application/json'}
        key = key or {'admin': self.admin_key, 'alice': self.user_key}.get(user)
        if key is not None:
            headers['Authorization'] = ('Bearer ' + key) if bearer else key
        target = path + ('?' + urlencode(params) if params else '')
        try:
            conn.request(method, target, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def requests(self):
        """Every request in the request log so far, one dict each (method, path, query, status, user)."""
        if not self.request_log or not os.path.exists(self.request_log):
            return []
        with open(self.request_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def mark(self):
        """A position in the request log (its size in bytes); pass it to :meth:`requests_since`."""
        return os.path.getsize(self.request_log) if os.path.exists(self.request_log) else 0

    def requests_since(self, mark):
        """The requests logged after ``mark``. The emulator writes (and flushes) a request's line before it answers,
        so once a client has its answers, every one of its requests is there."""
        if not os.path.exists(self.request_log):
            return []
        with open(self.request_log, encoding='utf-8') as handle:
            handle.seek(mark)
            return [json.loads(line) for line in handle if line.strip()]

    def writes_since(self, mark):
        return [r for r in self.requests_since(mark) if r.get('method') in WRITE_METHODS]

    def connections(self, context=None):
        """Every connection on the server, as the admin lists it."""
        return list_pages(lambda path: self.api('GET', path, context=context))

    def kill(self):
        """SIGKILL, as a crash would end it: no clean shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self, extra=None):
        """Start again on the same state file (and request log); optionally with other extra args."""
        self.stop()
        if extra is not None:
            self.extra = (['--request-log', self.request_log] if self.request_log else []) + list(extra)
        return self.start()

    def stop(self):
        """SIGTERM, as a CI runner would; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


def list_pages(get, path='/public/v1/connections'):
    """Every connection behind ``path``, whichever paging reading the emulator runs (tests/emulator/FIDELITY.md).

    Datagrok pages with a 1-based page number, or (datagrok-tools CHANGELOG 6.5.8) ignores limit and page on
    its public list and answers everything each time: a page that brings nothing new ends the walk too.
    """
    found, seen, number = [], set(), 1
    while True:
        page = get('%s?limit=500&page=%d' % (path, number)) or []
        fresh = [conn for conn in page if conn['id'] not in seen]
        found.extend(fresh)
        seen.update(conn['id'] for conn in fresh)
        if len(page) < 500 or not fresh:
            return found
        number += 1
