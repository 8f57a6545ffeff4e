"""The emulator's switches: each server behaviour that public code leaves open, or that our old notes got wrong.

Every switch has two readings. ``public-code`` is what the vendor's own code records (the default);
``alternate`` is the other plausible reading.
``--reading alternate`` flips all of them at once; a single ``--<switch> VALUE`` overrides one.
tests/emulator/FIDELITY.md gives each switch its evidence and the tests of both readings.
"""
from __future__ import annotations

import argparse

# name: (public-code reading, alternate reading, every allowed value, help)
SWITCHES = {
    'inherited-rows': ('container-id', 'link-flag', ('container-id', 'link-flag'),
                       'how /privileges/permissions?all=true marks a grant inherited from a project: by the '
                       "project's entityId (walker.js grantsOf), or by inheritedByLink with the connection's entityId"),
    'permission-rows': ('id-only', 'named', ('id-only', 'named'),
                        'permission rows carry only userGroup.id (server.js handleSharesList looks names up), or names too'),
    'delete-unknown': ('ok', 'not-found', ('ok', 'not-found'),
                       'DELETE /public/v1/connections/{unknown} answers 200 (node-dapi.js NodeConnectionsDataSource.delete) or 404'),
    'public-list-paging': ('ignore', 'honour', ('ignore', 'honour'),
                           'the public connection list ignores limit/page and has no /count (datagrok-tools CHANGELOG 6.5.8), '
                           'or honours them'),
    'internal-routes': ('on', 'off', ('on', 'off'),
                        'the internal routers the vendor CLI uses (/connectors/connections, /entities, /groups/{id}, '
                        '/users/current) are served, or only /public/v1 (plus /privileges/permissions)'),
    'user-project': ('internal', 'absent', ('internal', 'public', 'absent'),
                     'which /users/current carries project.name: the internal one only (pusher.js currentNamespace), '
                     'both, or neither'),
    'error-body': ('object', 'text', ('object', 'string', 'text'),
                   'an ApiError as a JSON object, as a JSON string holding the object, or as text/plain '
                   '(node-dapi.js throwIfApiError, getBytes)'),
    'masking': ('template', 'names', ('template', 'names'),
                'which parameters a read masks: those with a password or rsa editor in the connector template '
                '(evidence/grok_connect.json), or every key whose name looks secret'),
    'credentials-read': ('clear', 'masked', ('clear', 'masked'),
                         'GET /credentials/for/{id} shows stored secrets in clear (python-api tests, package '
                         'credentials) or as the placeholder'),
    'credentials-pick': ('member', 'admin-any', ('member', 'admin-any'),
                         'GET /credentials/for/{id} answers the set of one of the caller\'s groups only '
                         '(help/govern/access-control/access-control.md), or gives an administrator who is in none of '
                         'them the first set of another group'),
    'rename-by-save': ('in-place', 'kept', ('in-place', 'kept'),
                       'a save with the id of an existing connection and another name renames it, keeping its id '
                       '(the save is an upsert by id), or keeps the stored name'),
    'queries-route': ('on', 'off', ('on', 'off'),
                      'GET/POST /public/v1/functions serve data queries, each with its connection (python-api '
                      'functions.py list_queries, models/query.py), or answer 404'),
    'edit-grant': ('view-and-edit', 'edit-only', ('view-and-edit', 'edit-only'),
                   'a share with access=Edit stores the View and the Edit permission ("Full control" holds every '
                   'permission, help/govern/access-control/access-control.md), or the Edit permission alone'),
    'updated-on': ('save', 'kept', ('save', 'kept'),
                   'a save of a connection stamps its updatedOn (the CLI filters "updated since" with updatedOn, '
                   'tools/bin/utils/migrate/walker.ts compileFilter), or leaves it as it was (no code says a save moves it)'),
    'error-style': ('status', 'ok-with-header', ('status', 'ok-with-header'),
                    'errors carry their status, or come as HTTP 200 with the api-error header (datagrok-tools CHANGELOG 6.5.8)'),
}

PRESETS = ('public-code', 'alternate')


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument('--reading', choices=PRESETS, default='public-code',
                        help='set every switch below to the public-code reading (default) or to the alternate one')
    for name, (_public, _alternate, values, text) in SWITCHES.items():
        parser.add_argument('--' + name, choices=values, default=None, help=text)
    parser.add_argument('--list-cap', type=int, default=0,
                        help='answer at most this many connections per list request, whatever limit says (0: no cap)')


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Fill each switch left unset from the preset, so the rest of the emulator reads plain attributes."""
    index = PRESETS.index(args.reading)
    for name, spec in SWITCHES.items():
        attr = name.replace('-', '_')
        if getattr(args, attr) is None:
            setattr(args, attr, spec[index])
    return args


def defaults() -> argparse.Namespace:
    """The public-code reading, for code that builds an Api without a command line (unit tests)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return resolve(parser.parse_args([]))
