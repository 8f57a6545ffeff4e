"""Password-class parameters: Datagrok never sends them back, it sends a placeholder instead.

Which keys are password-class follows the switch ``--masking``:
* ``template`` (public code): the keys whose property has a ``password`` or ``rsa`` editor in the
  connector's template (evidence/grok_connect.json, from Grok Connect), and the secret fields of the
  file-share forms (help/access/files/shares/*.md). A key the template does not know is not masked:
  the server has no reason to treat it as a secret. Sources with no known template fall back to names.
* ``names``: every key whose name looks secret, whatever the source (the emulator's first guess).
"""
from __future__ import annotations

import json
import os

# grok_shared/lib/src/credentials.dart: PASSWORD_PLACEHOLDER (13 underscores) and SAME_PASSWORD (with an EM DASH).
PLACEHOLDER = '_' * 13
SAME_PASSWORD = 'not\u2014changed'

EVIDENCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'evidence', 'grok_connect.json')

# The name rule: password-class names of GrokConnect and the file-share forms, and anything with password/secret in it.
SECRET_NAMES = frozenset(key.lower() for key in (
    'password', 'secretKey', 'PWD', 'passPhrase', 'privateKey', '#OAuthAccessToken', 'token', 'SAS',
    'shared token', 'access token', 'refresh token',
))

# File shares are Dart connectors with no public template; their secret fields, from the help pages.
FILE_SHARE_SECRETS = {
    'S3': ('secretKey',), 'CoreWeave': ('secretKey',), 'Azure Blob': ('shared token', 'SAS'),
    'GoogleCloud': ('credentials',), 'Files': ('password',), 'Dropbox': ('password',),
    'SharePoint': ('access token', 'refresh token'), 'GitHub': ('token',),
}


def _template_secrets() -> dict:
    with open(EVIDENCE, encoding='utf-8') as handle:
        providers = json.load(handle)['providers']
    found = {}
    for source, facts in providers.items():
        keys = [key for part in ('parameters', 'credentials') for key, fact in facts.get(part, {}).items() if fact.get('secret')]
        found[source] = frozenset(key.lower() for key in keys)
    for source, keys in FILE_SHARE_SECRETS.items():
        found[source] = frozenset(key.lower() for key in keys)
    return found


TEMPLATE_SECRETS = _template_secrets()
_mode = ['template']


def use(mode: str):
    """Set the --masking reading for this process."""
    _mode[0] = mode


def is_secret(key: str, data_source: str = None) -> bool:
    low = str(key).lower()
    if _mode[0] == 'template' and data_source in TEMPLATE_SECRETS:
        return low in TEMPLATE_SECRETS[data_source]
    return low in SECRET_NAMES or 'password' in low or 'secret' in low


def is_placeholder(value) -> bool:
    return isinstance(value, str) and value in (PLACEHOLDER, SAME_PASSWORD)


def mask(params: dict, data_source: str = None) -> dict:
    """What a read shows: secrets replaced by the placeholder (empty or null secrets are shown as they are)."""
    return {key: PLACEHOLDER if is_secret(key, data_source) and value not in (None, '') else value for key, value in params.items()}


def open_parameters(params: dict, data_source: str = None) -> dict:
    """Credentials.openParameters: the non-secret credential values, in clear."""
    return {key: value for key, value in params.items() if not is_secret(key, data_source)}


def lookup(params: dict, key: str):
    """GrokConnect reads parameters case-insensitively; so does the emulator."""
    low = key.lower()
    for stored_key, value in params.items():
        if stored_key.lower() == low:
            return True, value
    return False, None


def merge_placeholders(new: dict, stored: dict) -> dict:
    """A placeholder sent back keeps the stored value; a placeholder with nothing stored behind it is dropped."""
    result = {}
    for key, value in new.items():
        if is_placeholder(value):
            found, old = lookup(stored, key)
            if found:
                result[key] = old
        else:
            result[key] = value
    return result
