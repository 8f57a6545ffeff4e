"""Datagrok REST API emulator: python tests/emulator/run.py --port N --state FILE --admin-key KEY --user-key KEY2 [...]"""
from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading

# Run as a script, Python puts this file's directory first on sys.path, so the package next to it imports.
from datagrok_emulator import lookups, masking, readings
from datagrok_emulator.api import Api
from datagrok_emulator.server import EmulatorServer
from datagrok_emulator.store import ADMIN_USER, ALICE_USER, Store


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Emulates the Datagrok public REST API for data connections.')
    parser.add_argument('--port', type=int, required=True, help='port on 127.0.0.1 (0 picks a free one)')
    parser.add_argument('--state', required=True, help='SQLite file holding the state; created and seeded when new')
    parser.add_argument('--admin-key', required=True, help='API key of the admin user')
    parser.add_argument('--user-key', required=True, help='API key of the non-admin user alice')
    parser.add_argument('--tls-cert', help='PEM certificate: serve HTTPS')
    parser.add_argument('--tls-key', help='PEM private key for --tls-cert')
    parser.add_argument('--fail-rate', type=float, default=0.0, help='fraction of requests that get 429, 503 or a dropped connection')
    parser.add_argument('--latency-ms', type=int, default=0, help='delay before each request is handled')
    parser.add_argument('--request-log', help='append one JSON line per request to this file')
    readings.add_arguments(parser)
    args = readings.resolve(parser.parse_args(argv))
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error('--tls-cert and --tls-key go together')
    if args.admin_key == args.user_key:
        parser.error('--admin-key and --user-key must differ')
    if not 0.0 <= args.fail_rate <= 1.0:
        parser.error('--fail-rate must be between 0 and 1')
    if args.list_cap < 0:
        parser.error('--list-cap must be 0 or more')
    return args


def main(argv=None):
    args = parse_args(argv)
    store = Store(args.state)
    masking.use(args.masking)
    lookups.use_pick(args.credentials_pick)
    api = Api(store, {args.admin_key: ADMIN_USER, args.user_key: ALICE_USER}, args)
    server = EmulatorServer(('127.0.0.1', args.port), api, args)
    scheme = 'http'
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = 'https'

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so it cannot run in the (main) thread that serves.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print('datagrok emulator listening on %s://127.0.0.1:%d' % (scheme, server.server_address[1]), flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        store.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
