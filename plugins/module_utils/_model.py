# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The connection model: names, secrets, normalisation, comparison, masking and diff.

Everything here is pure (no I/O), so the single and the bulk form of the modules share it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import difflib
import re

from ansible_collections.datagrok.platform.plugins.module_utils._catalogue import (
    DATA_SOURCES,
    canonical,
    find_key,
    is_secret,
    lookup,
    missing_required,
    parameter_errors,
    squash,
    suggestion,
)
from ansible_collections.datagrok.platform.plugins.module_utils._shares import own_access, plan_shares, shares_view

# Datagrok's own placeholders for a stored secret (grok_shared credentials.dart): 13 underscores,
# and "not-changed" with an EM DASH. Sending either back keeps the stored value.
PASSWORD_PLACEHOLDER = '_' * 13
SAME_PASSWORD = u'not\u2014changed'
PLACEHOLDERS = (PASSWORD_PLACEHOLDER, SAME_PASSWORD)

# What results and diffs show instead of a secret.
MASK = '********'
SECRET_KEPT = '<secret>'
SECRET_WRITTEN = '<secret: will be written>'

# The rule for keys the catalogue (_catalogue.py) does not know: password-class names in Datagrok
# (GrokConnect "password"/"rsa" editors and file shares), and any key that looks like a secret.
SECRET_KEY_SPELLINGS = (
    'password', 'secretKey', 'PWD', 'passPhrase', 'privateKey', '#OAuthAccessToken', 'token',
    'SAS', 'shared token', 'access token', 'refresh token', 'apiKey', 'clientSecret',
)
SECRET_KEYS = frozenset(k.casefold() for k in SECRET_KEY_SPELLINGS)
SECRET_KEY_FRAGMENTS = ('password', 'secret', 'passphrase', 'privatekey', 'token')
# Secrets embedded in a connection string (connString): "password=...;" and "scheme://user:pass@host".
EMBEDDED_SECRETS = (
    re.compile(r'(?i)(\b(?:password|pwd|passphrase|secret\w*|\w*token)\s*=\s*)([^;&\s]+)'),
    re.compile(r'(\w+://[^:/@\s]*:)([^@/\s]+)(?=@)'),
)

# The vendor client refuses to test the AWS secrets manager; so do we.
UNTESTABLE_DATA_SOURCES = ('AWS',)


# -- names -----------------------------------------------------------------------------------

def split_grok_name(name):
    """``'Ns:Name'`` -> ``('Ns:', 'Name')``; ``'Name'`` -> ``(None, 'Name')``. Nested spaces split on the last colon."""
    if ':' in name:
        namespace, short = name.rsplit(':', 1)
        return namespace + ':', short
    return None, name


def name_error(name):
    """Why ``name`` cannot be used for a connection, or None."""
    if name is None or not name.strip():
        return 'must not be empty'
    namespace, short = split_grok_name(name)
    if not short.strip() or (namespace is not None and not namespace.strip(':').strip()):
        return "must be 'Name' or 'Namespace:Name', got %r" % name
    # Datagrok URLs write ':' as '.', and the server turns every '.' back into ':'.
    bad = [c for c in '.\\/' if c in name] + (['control characters'] if any(ord(c) < 32 for c in name) else [])
    if bad:
        return "%r cannot be addressed through the API (it contains %s)" % (name, ', '.join(repr(b) for b in bad))
    return None


def grok_name(conn):
    return (conn.get('namespace') or '') + (conn.get('name') or '')


def name_key(namespace, short):
    return ((namespace or '').casefold(), short.casefold())


# Names people use for a data source that Datagrok names otherwise, as squash() folds them.
DATA_SOURCE_ALIASES = {
    'sqlserver': 'MS SQL', 'mssqlserver': 'MS SQL', 'microsoftsqlserver': 'MS SQL', 'azuresql': 'MS SQL',
    'postgresql': 'Postgres', 'pg': 'Postgres', 'psql': 'Postgres', 'aurorapostgresql': 'Postgres',
    'aurora': 'MySQL', 'aurorasql': 'MySQL', 'bigquerydb': 'BigQuery', 'googlebigquery': 'BigQuery',
    'amazons3': 'S3', 'awss3': 'S3', 'minio': 'S3', 'amazonredshift': 'Redshift', 'amazonathena': 'Athena',
    'azureblobstorage': 'Azure Blob', 'azurestorage': 'Azure Blob', 'gcs': 'GoogleCloud', 'googlecloudstorage': 'GoogleCloud',
    'db2luw': 'DB2', 'ibmdb2': 'DB2', 'saphana': 'SAP HANA', 'hana': 'SAP HANA', 'mongo': 'MongoDB',
    'oracledb': 'Oracle', 'sparksql': 'Databricks',
}


def data_source_error(data_source, allow_unknown=False):
    """A one-line reason when ``data_source`` is not a known Datagrok data source, or None."""
    if data_source in DATA_SOURCES or allow_unknown:
        return None
    key = squash(data_source)
    exact = dict((squash(d), d) for d in DATA_SOURCES).get(key) or DATA_SOURCE_ALIASES.get(key)
    close = [exact] if exact else difflib.get_close_matches(data_source, DATA_SOURCES, n=1, cutoff=0.6)
    hint = (" Did you mean '%s'?" % close[0]) if close else ''
    return ("'%s' is not a known data source.%s Set allow_unknown_data_source=true for a data source "
            "newer than this collection." % (data_source, hint))


# -- secrets ---------------------------------------------------------------------------------

def is_secret_key(key, data_source=None):
    """The one place that decides whether a parameter or credential key holds a secret.

    The catalogue decides for the keys it knows of ``data_source``; a name rule for the rest.
    """
    known = is_secret(data_source, key)
    if known is not None:
        return known
    folded = str(key).casefold()
    return folded in SECRET_KEYS or any(f in folded.replace(' ', '') for f in SECRET_KEY_FRAGMENTS)


def is_placeholder(value):
    return value in PLACEHOLDERS


def embedded_secrets(value):
    """Secrets written inside a string value, such as a connection string."""
    if not isinstance(value, str):
        return []
    return [m.group(2) for pattern in EMBEDDED_SECRETS for m in pattern.finditer(value) if not is_placeholder(m.group(2))]


def misspelt_secret_key(key, data_source=None):
    """Whether ``key``, which the catalogue does not list for ``data_source``, most likely means one of its secrets.

    A misspelt secret (``passwd``, ``pasword``) fails the task, and the failure carries the module's
    arguments; its value must be hidden all the same. Keys the catalogue knows are never affected.
    """
    if is_secret(data_source, key) is not None:
        return False
    source = lookup(data_source)
    candidates = (list(source.parameters) + list(source.credentials or {})) if source else SECRET_KEY_SPELLINGS
    meant = suggestion(key, candidates)
    return meant is not None and is_secret_key(meant, data_source)


def secret_values(params, data_source=None):
    """The secret values in a parameter dict, for Ansible's no_log scrubbing (also those of misspelt secret keys)."""
    values = []
    for key, value in (params or {}).items():
        if is_secret_key(key, data_source) or misspelt_secret_key(key, data_source):
            if value not in (None, '') and not is_placeholder(value):
                values.append(str(value))
        else:
            values.extend(embedded_secrets(value))
    return values


def _mask_value(key, value, data_source=None):
    if is_secret_key(key, data_source):
        return MASK if value not in (None, '') else value
    if isinstance(value, str):
        for pattern in EMBEDDED_SECRETS:
            value = pattern.sub(lambda m: m.group(1) + MASK, value)
    return value


def mask_parameters(params, data_source=None):
    return dict((k, _mask_value(k, v, data_source)) for k, v in (params or {}).items())


def mask_connection(conn):
    """A connection as a module may return it: secrets replaced, stored credential values dropped."""
    if not conn:
        return conn
    masked = copy.deepcopy(conn)
    data_source = masked.get('dataSource')
    masked['parameters'] = mask_parameters(masked.get('parameters'), data_source)
    creds = masked.get('credentials')
    if isinstance(creds, dict):
        creds['parameters'] = dict((k, MASK) for k in (creds.get('parameters') or {}))
        creds['openParameters'] = dict((k, v) for k, v in (creds.get('openParameters') or {}).items()
                                       if not is_secret_key(k, data_source))
    return masked


# -- comparison ------------------------------------------------------------------------------

def _scalar(value):
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ('true', 'false'):
            return text.lower() == 'true'
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return text or None
    return value


def same_value(desired, current):
    """Equality after normalisation: ``'5432'`` equals ``5432``, ``'true'`` equals ``True``, ``''`` equals null.

    Dicts compare their keys case-insensitively (GrokConnect reads parameters that way).
    """
    if isinstance(desired, dict) and isinstance(current, dict):
        a, b = _fold_keys(desired), _fold_keys(current)
        return set(a) == set(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(desired, list) and isinstance(current, list):
        return len(desired) == len(current) and all(same_value(x, y) for x, y in zip(desired, current))
    a, b = _scalar(desired), _scalar(current)
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _fold_keys(mapping):
    return dict((str(k).casefold(), v) for k, v in mapping.items())


def _is_server_default(value):
    # Keys the server fills in on its own (ssl: false, connString: '', cacheSchema: false...).
    return value in (None, '', False, {}, [])


def secret_status(desired, stored):
    """'same', 'differs' or 'unknown' (the server only shows a placeholder) for one secret value."""
    if stored is None:
        return 'differs'
    if is_placeholder(stored):
        return 'unknown'
    return 'same' if same_value(desired, stored) else 'differs'


class Plan(object):
    """What one connection needs: the save body, share grants and revocations, the diff."""

    def __init__(self, name, state):
        self.name = name
        self.state = state
        self.action = None          # 'create', 'update', 'delete' or None
        self.body = None
        self.save_credentials = False
        self.shares_to_add = []     # (group name, access)
        self.grants_to_revoke = []  # permission ids
        self.inherited_shares = None  # read-only: grants from containing projects
        self.credentials_verified = None
        self.unverified_keys = []
        self.before = {}
        self.after = {}
        self.error = None
        self.refusal = None         # check mode: why the server would refuse the write (_access.py)
        self.body_credentials = None
        self.prediction = None      # the connection as the server will hold it, secrets in clear: see predicted
        self.written_parameters = set()  # secret parameter keys this plan sends

    @property
    def changed(self):
        return bool(self.action or self.shares_to_add or self.grants_to_revoke)

    @property
    def predicted(self):
        """The connection after the plan, as a module may return it. Masked when asked for: only the single form's
        result shows it, and masking a copy of each of 10,000 connections costs more than planning them."""
        return mask_connection(self.prediction)


def _secret_write(policy, desired, stored, plan, key):
    """Whether a secret is written under ``update_credentials``; records secrets that cannot be verified."""
    if policy == 'always':
        return True
    if policy == 'on_create':
        return False
    status = secret_status(desired, stored)
    if status == 'unknown':
        plan.unverified_keys.append(key)
    return status == 'differs'


def _credentials_plan(item, current, stored_creds, plan, data_source):
    """Decide whether credentials are sent; return the diff's before and after.

    A secret shows as a marker; a key that is no secret (a login: Datagrok shows it in openParameters) as its value.
    """
    desired = item.get('credentials')
    if not desired:
        return None, None

    def view(values, marker):
        return dict((k, values.get(k) if not is_secret_key(k, data_source) else marker) for k in sorted(desired))
    if current is None:
        plan.save_credentials = True
        plan.body_credentials = dict(desired)
        return None, view(desired, SECRET_WRITTEN)
    policy = item.get('update_credentials') or 'when_changed'
    if policy == 'on_create':
        return None, None
    stored = dict((stored_creds or {}).get('parameters') or {})
    opened = (current.get('credentials') or {}).get('openParameters') or {}
    changed_keys, shown_before = [], {}
    for key, value in desired.items():
        stored_key = find_key(key, stored)
        opened_key = find_key(key, opened)
        stored_value = stored[stored_key] if stored_key is not None else opened.get(opened_key) if opened_key is not None else None
        shown_before[key] = stored_value
        if _secret_write(policy, value, stored_value, plan, key):
            changed_keys.append(key)
    if changed_keys:
        plan.save_credentials = True
        # Every credential given is sent again, and shows as written. One that could not be compared stays
        # in unverified_keys: it is written, but was not compared, so the run has not verified it.
        # Keys the user did not give are sent as the placeholder, so the server keeps them. Which keys
        # exist shows in the stored credentials, or else in the connection as read (masked).
        known = set(stored) | set((current.get('credentials') or {}).get('parameters') or {}) | set(opened)
        plan.body_credentials = dict((k, PASSWORD_PLACEHOLDER) for k in known if find_key(k, desired) is None)
        plan.body_credentials.update(desired)
    return view(shown_before, SECRET_KEPT), view(desired, SECRET_WRITTEN if changed_keys else SECRET_KEPT)


def _parameters_plan(item, current_params, plan, data_source):
    """The parameter dict to send, and whether it differs from what the server holds."""
    desired = item.get('parameters')
    if desired is None:
        return dict(current_params), False
    policy = item.get('update_credentials') or 'when_changed'
    replace = item.get('parameters_mode') == 'replace'
    merged = {} if replace else dict(current_params)
    changed = False
    for key, value in desired.items():
        existing = find_key(key, current_params)
        target = existing if existing is not None else key
        secret = is_secret_key(key, data_source)
        if existing is not None and secret:
            write = _secret_write(policy, value, current_params[existing], plan, key)
            merged[target] = value if write else current_params[existing]
            changed = changed or write
            if write:
                plan.written_parameters.add(target)
            continue
        if secret:
            plan.written_parameters.add(target)
        merged[target] = value
        changed = changed or existing is None or not same_value(value, current_params[existing])
    if replace:
        for key, value in current_params.items():
            if find_key(key, desired) is not None:
                continue
            if is_secret_key(key, data_source) or _is_server_default(value):
                merged[key] = value  # secrets follow update_credentials; defaults belong to the server
            else:
                changed = True
    return merged, changed


def _has_secrets(item, data_source):
    return bool(item.get('credentials')) or any(is_secret_key(k, data_source) for k in (item.get('parameters') or {}))


def _field_view(conn, item, written=()):
    """The managed fields of a connection as a diff shows them; ``written`` are the secret parameters being sent."""
    view = {'name': grok_name(conn), 'data_source': conn.get('dataSource')}
    for option, field in (('description', 'description'), ('friendly_name', 'friendlyName')):
        if item.get(option) is not None:
            view[option] = conn.get(field)
    data_source = conn.get('dataSource')
    view['parameters'] = dict(
        (k, (SECRET_WRITTEN if k in written else SECRET_KEPT) if is_secret_key(k, data_source) and v not in (None, '')
         else _mask_value(k, v, data_source))
        for k, v in (conn.get('parameters') or {}).items())
    if item.get('tags') is not None or item.get('ensure_tags'):
        view['tags'] = sorted(conn.get('tags') or [])
    return view


def _catalogue_error(item, current, data_source, name):
    """What the catalogue refuses once the connection is read: the keys of an update that names no
    data_source (only now known), and a create without the parameters its data source needs."""
    errors = []
    if not item.get('data_source'):
        errors = parameter_errors(data_source, item.get('parameters'), item.get('credentials'),
                                  item.get('allow_unknown_parameters'))
    elif current is None:
        missing = missing_required(data_source, item.get('parameters'))
        errors = ['parameters: ' + missing] if missing else []
    return ("Invalid option for connection '%s': %s" % (name, '; '.join(errors))) if errors else None


def plan_connection(item, current, namespace, stored_creds=None, grants=None, groups=None):
    """Decide what ``item`` (the module's per-connection options) needs against ``current``.

    ``current`` is the server's connection (masked, as read) or None. ``namespace`` is the one the
    connection lives in (or will, for a create). ``stored_creds`` is the answer of credentials/for,
    ``grants`` the permission rows, ``groups`` maps each requested share group to its Group JSON.
    """
    plan = Plan(item['name'], item.get('state') or 'present')
    if plan.state == 'absent':
        if current is not None:
            plan.action = 'delete'
            plan.before = _field_view(current, item)
            plan.body = {'id': current['id']}
        return plan
    if current is None and not item.get('data_source'):
        plan.error = "data_source is required to create connection '%s'" % item['name']
        return plan
    short = split_grok_name(item['name'])[1]
    data_source = item.get('data_source') or current.get('dataSource')
    plan.error = _catalogue_error(item, current, data_source, grok_name(current) if current else (namespace or '') + short)
    if plan.error:
        return plan
    item = dict(item, parameters=canonical(data_source, item.get('parameters')),
                credentials=canonical(data_source, item.get('credentials')))
    base = current or {'name': short, 'namespace': namespace, 'parameters': {}, 'tags': []}
    params, params_changed = _parameters_plan(item, base.get('parameters') or {}, plan, data_source)
    body = {
        '#type': 'DataConnection',
        'name': base['name'],
        'dataSource': data_source,
        'friendlyName': item['friendly_name'] if item.get('friendly_name') is not None else base.get('friendlyName'),
        'description': item['description'] if item.get('description') is not None else base.get('description'),
        'parameters': params,
        'tags': sorted(set(item['tags'] if item.get('tags') is not None else base.get('tags') or [])
                       | set(item.get('ensure_tags') or [])),
    }
    if current is not None:
        body['id'] = current['id']
    creds_before, creds_after = _credentials_plan(item, current, stored_creds, plan, data_source)
    if plan.save_credentials:
        body['credentials'] = {'parameters': plan.body_credentials}
    if current is not None and (item.get('update_credentials') or 'when_changed') == 'when_changed' and _has_secrets(item, data_source):
        # Verified: every secret given was compared with the stored value (written or not).
        plan.credentials_verified = not plan.unverified_keys

    predicted = dict(base)
    predicted.update(body)
    if current is None and not predicted.get('friendlyName'):
        predicted['friendlyName'] = predicted['name']  # the server's default
    fields_changed = current is None or params_changed or any(
        not same_value(body[f], current.get(f)) for f in ('dataSource', 'friendlyName', 'description')
    ) or set(body['tags']) != set(current.get('tags') or [])
    if fields_changed or plan.save_credentials:
        plan.action = 'create' if current is None else 'update'
        plan.body = body

    plan.prediction = predicted
    plan.before = _field_view(current, item) if current is not None else {}
    plan.after = _field_view(predicted, item, plan.written_parameters)
    if creds_after is not None:
        if current is not None:
            plan.before['credentials'] = creds_before
        plan.after['credentials'] = creds_after
    if item.get('shares') is not None:
        shares = plan_shares(item['shares'], grants or [], groups or {}, item.get('shares_mode') == 'exact', current is not None)
        plan.shares_to_add, plan.grants_to_revoke, plan.inherited_shares = shares.to_add, shares.to_revoke, shares.inherited
        if current is not None:
            plan.before['shares'] = shares.before
        plan.after['shares'] = shares.after
        if shares.inherited:
            plan.before['inherited_shares'] = plan.after['inherited_shares'] = shares.inherited
    return plan


# -- export ----------------------------------------------------------------------------------

def export_connection(conn, grants=None):
    """A server connection in exactly the input shape of datagrok_connection, without secrets."""
    data_source = conn.get('dataSource')
    item = {
        'name': grok_name(conn),
        'data_source': data_source,
        # Secrets, and strings with a secret inside (a connection string with a password), are left out:
        # exported masked, they would overwrite the real value when fed back.
        'parameters': dict((k, v) for k, v in (conn.get('parameters') or {}).items()
                           if not is_secret_key(k, data_source) and not is_placeholder(v) and _mask_value(k, v, data_source) == v),
        'tags': sorted(conn.get('tags') or []),
    }
    for option, field in (('description', 'description'), ('friendly_name', 'friendlyName')):
        if conn.get(field) is not None:
            item[option] = conn[field]
    if grants is not None:
        # Only the connection's own grants: inherited ones belong to their project, and applying them would copy them.
        item['shares'] = shares_view(own_access(grants))
    return item
