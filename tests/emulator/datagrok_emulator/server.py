"""HTTP front: routing, authentication, the two error styles, fault injection and the request log."""
from __future__ import annotations

import json
import random
import re
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

from .api import EMPTY, Request
from .model import ApiError

HEALTHCHECK = '/public/v1/healthcheck'
PUBLIC = 'public'      # no API key needed
UNLOCKED = 'unlocked'  # long-running (network) handler: no transaction around it; it reads a snapshot itself
INTERNAL = 'internal'  # an internal router: absent with --internal-routes off

_ROUTES = [
    ('GET', HEALTHCHECK, 'healthcheck', PUBLIC),
    ('GET', '/info/server', 'info_server', PUBLIC),
    ('POST', '/users/login/dev/{ref}', 'login_dev', PUBLIC),
    ('GET', '/public/v1/users/current', 'users_current', None),
    ('GET', '/public/v1/users/{ref}', 'users_get', None),
    ('GET', '/public/v1/groups', 'groups_list', None),
    ('GET', '/public/v1/groups/lookup', 'groups_lookup', None),
    ('GET', '/public/v1/groups/current', 'groups_current', None),
    ('GET', '/public/v1/groups/{ref}/members', 'groups_members', None),
    ('GET', '/public/v1/groups/{ref}/memberships', 'groups_memberships', None),
    ('GET', '/public/v1/groups/{ref}', 'groups_get', None),
    ('GET', '/public/v1/connections', 'connections_list', None),
    ('GET', '/public/v1/connections/count', 'connections_count', None),
    ('POST', '/public/v1/connections', 'connections_save', None),
    ('POST', '/public/v1/connections/test', 'connections_test', UNLOCKED),
    ('GET', '/public/v1/connections/{ref}', 'connections_get', None),
    ('DELETE', '/public/v1/connections/{ref}', 'connections_delete', None),
    ('GET', '/public/v1/credentials/for/{ref}', 'credentials_for', None),
    ('POST', '/public/v1/credentials', 'credentials_save', None),
    ('DELETE', '/public/v1/credentials/{ref}', 'credentials_delete', None),
    ('POST', '/public/v1/entities/{ref}/shares', 'shares', None),
    ('GET', '/public/v1/functions', 'functions_list', None),
    ('POST', '/public/v1/functions', 'functions_save', None),
    ('GET', '/privileges/permissions', 'permissions_list', None),
    ('DELETE', '/privileges/permissions/{ref}', 'permissions_delete', None),
    # The internal routers of the vendor CLI (internal.py); --internal-routes off leaves them out.
    ('POST', '/users/login/dev', 'login_dev_header', PUBLIC),
    ('GET', '/users/current', 'users_current_internal', INTERNAL),
    ('GET', '/groups/{ref}', 'groups_get_internal', INTERNAL),
    ('GET', '/connectors/connections', 'connectors_list', INTERNAL),
    ('GET', '/connectors/connections/count', 'connectors_count', INTERNAL),
    ('POST', '/connectors/connections', 'connectors_save', INTERNAL),
    ('GET', '/connectors/connections/{ref}', 'connectors_get', INTERNAL),
    ('DELETE', '/connectors/connections/{ref}', 'connectors_delete', INTERNAL),
    ('GET', '/entities', 'entities_find', INTERNAL),
    ('GET', '/entities/{ref}', 'entities_get', INTERNAL),
    # Always served: tests make projects with it (pusher.js pushRelations); the collection never calls it.
    ('POST', '/projects', 'projects_save', None),
    ('GET', '/projects/{ref}', 'projects_get', INTERNAL),
]
ROUTES = [(method, re.compile('^' + pattern.replace('{ref}', '(?P<ref>[^/]+)') + '$'), name, flag)
          for method, pattern, name, flag in _ROUTES]


def route_path(raw_path: str) -> str:
    """Behind nginx the API lives under /api; a bare Datlas serves the same routes at the root."""
    path = raw_path
    if path == '/api' or path.startswith('/api/'):
        path = path[4:]
    return path.rstrip('/') or '/'


class EmulatorServer(ThreadingHTTPServer):
    # On shutdown, requests still in flight are abandoned; every write is already committed.
    daemon_threads = True
    block_on_close = False
    # socketserver listens with a backlog of 5: more clients connecting at once than that got their connection reset.
    request_queue_size = 128

    def __init__(self, address, api, options):
        super().__init__(address, Handler)
        self.api = api
        self.options = options
        self.rng = random.Random()
        self.log_lock = threading.Lock()
        self.log_file = open(options.request_log, 'a', encoding='utf-8') if options.request_log else None

    def log_request_line(self, method, path, query, status, user):
        if self.log_file is None:
            return
        line = json.dumps({'ts': time.time(), 'method': method, 'path': path, 'query': query, 'status': status,
                           'user': user['login'] if user else None})
        with self.log_lock:
            self.log_file.write(line + '\n')
            self.log_file.flush()

    def pick_fault(self):
        if self.options.fail_rate <= 0 or self.rng.random() >= self.options.fail_rate:
            return None
        return self.rng.choice(('429', '503', 'drop'))

    def handle_error(self, request, client_address):
        # Failed TLS handshakes and clients that hang up are not worth a traceback.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (OSError, ssl.SSLError)):
            traceback.print_exc()

    def process_request_thread(self, request, client_address):
        # One thread per client connection, each with its own SQLite connection: close it when the thread ends.
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.api.store.release()

    def server_close(self):
        super().server_close()
        if self.log_file is not None:
            self.log_file.close()


class Handler(BaseHTTPRequestHandler):
    server_version = 'datagrok-emulator'
    sys_version = ''
    # Keep-alive, as the real server (behind its web server) does: HTTP/1.0 would open a new TCP
    # connection for every request, and clients would pay for it. Every reply carries Content-Length.
    protocol_version = 'HTTP/1.1'
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds the body
    # back until the client's delayed ACK, some 40 ms per request on a kept-alive connection.
    disable_nagle_algorithm = True
    timeout = 60

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            # The handshake happens here, in the request thread, so a slow client cannot stall accept().
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def version_string(self):
        return self.server_version

    def log_message(self, *args):
        return

    def do_GET(self):
        self._handle()

    do_POST = do_GET
    do_DELETE = do_GET
    do_PUT = do_GET
    do_PATCH = do_GET

    def _handle(self):
        srv = self.server
        raw_path, raw_query = self.path.partition('?')[::2]
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else b''
        if srv.options.latency_ms > 0:
            time.sleep(srv.options.latency_ms / 1000.0)
        path = route_path(raw_path)
        user = srv.api.authenticate(self.headers.get('Authorization'))
        fault = None if path == HEALTHCHECK else srv.pick_fault()
        drop_after = fault == 'drop' and self.command == 'POST' and srv.rng.random() < 0.5
        if fault in ('429', '503') or (fault == 'drop' and not drop_after):
            # Injected faults always carry real statuses, whatever the error style.
            # The log line is written before the client can see the outcome.
            srv.log_request_line(self.command, raw_path, raw_query, int(fault) if fault != 'drop' else 0, user)
            if fault == '429':
                self._reply(429, _error_body(429, 'Too many requests'), {'api-error': 'true', 'Retry-After': '1'})
            elif fault == '503':
                self._reply(503, _error_body(503, 'Service temporarily unavailable'), {'api-error': 'true'})
            else:
                self.close_connection = True
            return
        status, payload, headers = self._dispatch(path, raw_query, body, user)
        srv.log_request_line(self.command, raw_path, raw_query, 0 if drop_after else status, user)
        if drop_after:
            # The request was processed, but the client never hears about it.
            self.close_connection = True
            return
        self._reply(status, payload, headers)

    def _dispatch(self, path, raw_query, body, user):
        api = self.server.api
        try:
            for method, pattern, name, flag in ROUTES:
                match = pattern.match(path)
                if match and method == self.command and (flag != INTERNAL or self.server.options.internal_routes == 'on'):
                    break
            else:
                raise ApiError(404, 'Not Found: no route for %s %s' % (self.command, path))
            if flag != PUBLIC and user is None:
                raise ApiError(401, 'Unauthorized: missing or invalid API key')
            try:
                parsed = json.loads(body) if body.strip() else None
            except ValueError:
                raise ApiError(400, 'Request body is not valid JSON')
            query = {key: values[0] for key, values in parse_qs(raw_query, keep_blank_values=True).items()}
            request = Request(user, query, parsed, {key: unquote(value) for key, value in match.groupdict().items()},
                              authorization=self.headers.get('Authorization'))
            # A GET reads one snapshot and waits for nobody. Anything else may read, decide and write (a unique
            # name, an existing grant), so it runs whole under the write lock, as one transaction.
            if flag == UNLOCKED:
                result = getattr(api, name)(request)
            elif self.command == 'GET':
                with api.store.reading():
                    result = getattr(api, name)(request)
            else:
                with api.store.writing():
                    result = getattr(api, name)(request)
            if result is EMPTY:
                return 200, b'', {}
            return 200, json.dumps(result).encode('utf-8'), {'Content-Type': 'application/json'}
        except ApiError as exc:
            error = exc
        except Exception as exc:
            traceback.print_exc()
            error = ApiError(500, 'Internal server error: %s' % exc)
        status = error.code if self.server.options.error_style == 'status' else 200
        return status, _error_body(error.code, error.message, self.server.options.error_body), {
            'api-error': 'true', 'Content-Type': 'text/plain' if self.server.options.error_body == 'text' else 'application/json'}

    def _reply(self, status, payload, headers):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if 'Content-Type' not in headers and payload:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


# A Dart stack trace, as real ApiErrors carry one (node-dapi.js throwHttpError reads stackTrace); clients must not show it.
STACK_TRACE = '#0      DataConnectionsController.handle (package:datlas/api/connections.dart:214:7)\n' \
              '#1      Router.dispatch (package:datlas/server/router.dart:88:12)\n<asynchronous suspension>'


def _error_body(code: int, message: str, shape: str = 'object') -> bytes:
    """An ApiError: a JSON object; a JSON string holding that object (a handler that returned text); or that object as
    text/plain (node-dapi.js throwIfApiError and getBytes). The shape is chosen by --error-body."""
    error = json.dumps({'#type': 'ApiError', 'message': message, 'errorCode': code, 'stackTrace': STACK_TRACE})
    return (json.dumps(error) if shape == 'string' else error).encode('utf-8')
