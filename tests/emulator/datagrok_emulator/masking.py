"""Password-class parameters: Datagrok never sends them back, it sends a placeholder instead."""
from __future__ import annotations

# grok_shared/lib/src/credentials.dart: PASSWORD_PLACEHOLDER (13 underscores) and SAME_PASSWORD (with an EM DASH).
PLACEHOLDER = '_' * 13
SAME_PASSWORD = 'not\u2014changed'

# Keys whose editor is "password" or "rsa" in the GrokConnect templates and the file-share forms.
SECRET_KEYS = frozenset(key.lower() for key in (
    'password', 'secretKey', 'PWD', 'passPhrase', 'privateKey', '#OAuthAccessToken', 'token', 'SAS',
    'shared token', 'access token', 'refresh token',
))


def is_secret(key: str) -> bool:
    low = str(key).lower()
    return low in SECRET_KEYS or 'password' in low or 'secret' in low


def is_placeholder(value) -> bool:
    return isinstance(value, str) and value in (PLACEHOLDER, SAME_PASSWORD)


def mask(params: dict) -> dict:
    """What a read shows: secrets replaced by the placeholder (empty or null secrets are shown as they are)."""
    return {key: PLACEHOLDER if is_secret(key) and value not in (None, '') else value for key, value in params.items()}


def open_parameters(params: dict) -> dict:
    """Credentials.openParameters: the non-secret credential values, in clear."""
    return {key: value for key, value in params.items() if not is_secret(key)}


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
