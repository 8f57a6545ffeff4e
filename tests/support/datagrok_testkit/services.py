"""The services the tests run against, started from Python: a private PostgreSQL, and the Datagrok API emulators.

The pytest fixtures (fixtures.py) and the pipeline (noxfile.py) start them through these classes alone.
"""
from __future__ import annotations

import glob
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager

import yaml
from datagrok_emulator.process import EmulatorProcess

from datagrok_testkit import ADMIN_KEY, USER_KEY


def free_ports(count):
    """``count`` distinct free loopback ports (bound at once, then released: a small race, fine on a test box)."""
    sockets = [socket.socket() for dummy in range(count)]
    try:
        for sock in sockets:
            sock.bind(('127.0.0.1', 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Postgres:
    """A private PostgreSQL cluster on a free loopback port, in a folder of its own under /tmp (the postgres user,
    which runs it when we are root, cannot enter most other folders). ``start()`` and ``stop()`` can be repeated."""

    USER, DB = 'postgres', 'datagrok_test'

    def __init__(self, root, password, name='main'):
        self.data = os.path.join(root, name)
        self.sockets = os.path.join(root, 'sock')
        self.log = os.path.join(root, name + '.log')
        self.password = password
        self.port = free_ports(1)[0]
        self.bin = os.path.dirname(self.initdb())

    @staticmethod
    def initdb():
        found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'), key=lambda p: [int(x) for x in p.split('/')[4].split('.')])
        return found[-1] if found else shutil.which('initdb')

    @classmethod
    def why_not(cls):
        """Why no cluster can be started here, or None."""
        if not cls.initdb():
            return 'the PostgreSQL server binaries are not installed (apt-get install postgresql)'
        if os.geteuid() == 0 and subprocess.run(['id', 'postgres'], capture_output=True, check=False).returncode:
            return "running as root, and there is no 'postgres' user to run the server as"
        return None

    def _as_server_user(self, command):
        return (['runuser', '-u', 'postgres', '--'] if os.geteuid() == 0 else []) + command

    def command(self, action):
        """The shell command that starts or stops the cluster (for a test that takes it down and up again)."""
        options = '-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off' % (self.port, self.sockets)
        tool = [os.path.join(self.bin, 'pg_ctl'), '-D', self.data]
        if action == 'start':
            return shlex.join(self._as_server_user(tool + ['-l', self.log, '-w', '-t', '60', '-o', options, 'start']))
        stop = shlex.join(self._as_server_user(tool + ['-m', 'fast', '-w', '-t', '60', 'stop']))
        return 'if %s >/dev/null 2>&1; then %s; fi' % (shlex.join(self._as_server_user(tool + ['status'])), stop)

    def create(self):
        """initdb, with the password as the only way in over TCP."""
        os.makedirs(self.sockets, mode=0o700, exist_ok=True)
        password_file = self.data + '.pw'
        with open(password_file, 'w', encoding='utf-8') as handle:
            handle.write(self.password + '\n')
        if os.geteuid() == 0:
            shutil.chown(os.path.dirname(self.data), 'postgres')
            for path in (self.sockets, password_file):
                shutil.chown(path, 'postgres')
        try:
            subprocess.run(self._as_server_user([os.path.join(self.bin, 'initdb'), '-D', self.data, '-U', self.USER,
                                                 '--pwfile=' + password_file, '-A', 'scram-sha-256', '--encoding=UTF8',
                                                 '--locale=C', '--no-sync']),
                           check=True, capture_output=True, text=True)
        finally:
            os.remove(password_file)
        return self

    def start(self):
        subprocess.run(self.command('start'), shell=True, check=True, capture_output=True, text=True)
        return self

    def stop(self):
        subprocess.run(self.command('stop'), shell=True, check=False, capture_output=True)

    def create_db(self):
        subprocess.run([os.path.join(self.bin, 'createdb'), '-h', '127.0.0.1', '-p', str(self.port), '-U', self.USER, self.DB],
                       env=dict(os.environ, PGPASSWORD=self.password), check=True, capture_output=True, text=True)
        return self

    @property
    def settings(self):
        """What a test needs to connect: host, port, user, password, db."""
        return {'host': '127.0.0.1', 'port': self.port, 'user': self.USER, 'password': self.password, 'db': self.DB}


@contextmanager
def postgres_cluster(password, name='main', started=True):
    """A cluster with the test database (started), or only created (``started=False``: the target of the connection
    tests of a server that is down, then up again). It is stopped and removed at the end."""
    root = tempfile.mkdtemp(prefix='datagrok-pg-')
    os.chmod(root, 0o755)
    cluster = None
    try:
        cluster = Postgres(root, password, name).create()
        yield cluster.start().create_db() if started else cluster
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def start_emulator(folder, name='emulator', extra=(), admin_key=ADMIN_KEY, user_key=USER_KEY, state=None):
    """A started emulator with its state file, request log and stderr in ``folder``."""
    return EmulatorProcess(state or os.path.join(folder, name + '-state.sqlite'), os.path.join(folder, name + '-emulator.log'),
                           admin_key, user_key, list(extra), request_log=os.path.join(folder, name + '-requests.log')).start()


# The three emulators of the integration targets: credentials read in clear with statuses, masked with HTTP 200 and
# the api-error header, and one that fails a fifth of the requests (tests/emulator/FIDELITY.md).
INTEGRATION_EMULATORS = (
    ('main', ('--credentials-read', 'clear', '--error-style', 'status')),
    ('masked', ('--credentials-read', 'masked', '--error-style', 'ok-with-header')),
    ('flaky', ('--credentials-read', 'clear', '--fail-rate', '0.2')),
)


@contextmanager
def integration_emulators(folder, reading, prefix=''):
    """The integration targets' emulators under one reading of the fidelity ledger; yields their variables."""
    with ExitStack() as stack:
        config = {'datagrok_admin_key': ADMIN_KEY, 'datagrok_user_key': USER_KEY}
        for name, extra in INTEGRATION_EMULATORS:
            emulator = start_emulator(folder, prefix + name, ('--reading', reading) + extra)
            stack.callback(emulator.stop)
            key = '' if name == 'main' else name + '_'
            config.update({'datagrok_%surl' % key: emulator.url, 'datagrok_%srequest_log' % key: emulator.request_log})
        yield config


def postgres_config(main, down):
    """The integration targets' variables of the two clusters (postgres_available false without them)."""
    if main is None:
        return {'postgres_available': False}
    return dict({'postgres_available': True, 'postgres_down_port': down.port, 'postgres_down_start_command': down.command('start'),
                 'postgres_down_stop_command': down.command('stop')}, **{'postgres_' + k: v for k, v in main.settings.items()})


def write_integration_config(tree, config):
    """ansible-test passes no environment to the targets: they read the services from this file."""
    path = os.path.join(tree, 'tests', 'integration', 'integration_config.yml')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('# Written by the pipeline (noxfile.py) for this run; do not edit or commit.\n')
        yaml.safe_dump(config, handle, default_flow_style=False, sort_keys=True, width=1000)
    return path


@contextmanager
def integration_services(folder, reading, prefix=''):
    """Everything the integration targets need under one reading: the emulators and, where PostgreSQL can run, a
    started cluster and a stopped one. Yields the targets' variables (``write_integration_config``)."""
    with ExitStack() as stack:
        main = down = None
        if Postgres.why_not() is None:
            password = 'pg-' + secrets.token_hex(12)
            main = stack.enter_context(postgres_cluster(password, 'main'))
            down = stack.enter_context(postgres_cluster(password, 'down', started=False))
        config = stack.enter_context(integration_emulators(folder, reading, prefix))
        yield dict(config, **postgres_config(main, down))
