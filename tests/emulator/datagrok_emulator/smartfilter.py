"""A small subset of Datagrok's smart search: `field = "v"`, `field starts "v"`, `field contains "v"`, joined by `and`.

Anything else is free text: a case-insensitive substring of the name, the friendly name or the description.
"""
from __future__ import annotations

import re

_TOKEN = re.compile(r'"[^"]*"|\'[^\']*\'|\s+and\s+|[^"\'\s]+|\s+|.', re.IGNORECASE)
_CLAUSE = re.compile(r'^(?P<field>[A-Za-z_#][\w.]*)\s*(?P<op>=|\s+starts\s+|\s+contains\s+)\s*'
                     r'(?:"(?P<dq>[^"]*)"|\'(?P<sq>[^\']*)\'|(?P<bare>[^\s\'"]+))$', re.IGNORECASE)


def _split_and(text: str) -> list:
    parts, current = [], ''
    for token in _TOKEN.findall(text):
        if token.strip().lower() == 'and' and token != token.strip():
            parts.append(current)
            current = ''
        else:
            current += token
    parts.append(current)
    return [part.strip() for part in parts]


def parse(text: str, fields: dict) -> list:
    """Returns a list of predicates over an item; `fields` maps a (case-insensitive) field name to a getter."""
    lookup = {name.lower(): getter for name, getter in fields.items()}
    structured, free = [], []
    for part in _split_and(text or ''):
        match = _CLAUSE.match(part)
        getter = lookup.get(match.group('field').lower()) if match else None
        if getter is None:
            free.append(part)
            continue
        value = next(v for v in (match.group('dq'), match.group('sq'), match.group('bare')) if v is not None)
        structured.append(_predicate(getter, match.group('op').strip().lower(), value))
    if not structured:
        # Nothing recognised: the whole text is one free-text term.
        return [_free_text(text.strip())] if text and text.strip() else []
    return structured + [_free_text(term) for term in free if term]


def _predicate(getter, op: str, value: str):
    wanted = value.casefold()

    def check(item) -> bool:
        actual = getter(item)
        actual = ('true' if actual else 'false') if isinstance(actual, bool) else str(actual or '').casefold()
        if op == 'starts':
            return actual.startswith(wanted)
        if op == 'contains':
            return wanted in actual
        return actual == wanted
    return check


def _free_text(term: str):
    wanted = term.casefold()

    def check(item) -> bool:
        return any(wanted in str(item.get(key) or '').casefold() for key in ('name', 'friendly_name', 'description'))
    return check
