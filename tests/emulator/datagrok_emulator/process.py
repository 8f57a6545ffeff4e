"""Run the emulator as a child process on a free loopback port (for tests and the benchmark)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request

RUN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'run.py')
READY = re.compile(r'^datagrok emulator listening on (https?://127\.0\.0\.1:\d+)$')


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

    def requests(self):
        """Every request in the request log so far, one dict each (method, path, query, status, user)."""
        if not self.request_log or not os.path.exists(self.request_log):
            return []
        with open(self.request_log, encoding='utf-8') as handle:
            return [json.loads(line) for line in handle if line.strip()]

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
