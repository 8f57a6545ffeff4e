"""The collection's data-source catalogue against the emulator's own idea of the server.

The emulator masks what the connector templates mark secret (datagrok_emulator/masking.py reads
evidence/grok_connect.json); the collection's catalogue (plugins/module_utils/_data_sources.py) is a
separate copy of the same facts. These tests fail when the two disagree, so a mistake on one side
shows up instead of being mirrored.
"""
from __future__ import annotations

import os

import pytest

from datagrok_emulator import masking, sources
from datagrok_testkit.checkout import import_from_checkout

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PLACEHOLDER = '_' * 13
CONNS = '/public/v1/connections'


catalogue = import_from_checkout('plugins.module_utils._connection.catalogue')

# Where the two sides are known to disagree, with the reason; each is a strict xfail, so it fails
# as soon as the emulator (or the catalogue) changes and the entry must go.
KNOWN_DIFFERENCES = {
    ('Athena', 'token'): 'an AWS session token, read by AthenaDataProvider though not in its template: the server has no '
                         'reason to mask it, so the collection hides it itself',
}


def catalogue_keys():
    for name, source in sorted(catalogue.SOURCES.items()):
        for where, keys in (('parameters', source.parameters), ('credentials', source.credentials or {})):
            for key, kind in sorted(keys.items()):
                marks = ()
                if (name, key) in KNOWN_DIFFERENCES:
                    marks = pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[(name, key)])
                yield pytest.param(name, where, key, kind, marks=marks, id='%s-%s-%s' % (name, where, key))


@pytest.mark.parametrize('data_source, where, key, kind', list(catalogue_keys()))
def test_secret_keys_agree(data_source, where, key, kind):
    assert masking.is_secret(key, data_source) == (kind == catalogue.SECRET)


def test_data_source_names_agree():
    assert set(catalogue.DATA_SOURCES) == set(sources.KNOWN_SOURCES)
    assert set(catalogue.SOURCES) <= set(catalogue.DATA_SOURCES)


def test_the_catalogue_covers_every_grok_connect_provider():
    assert set(masking.TEMPLATE_SECRETS) <= set(catalogue.SOURCES)


def _value(kind, key):
    return {catalogue.INT: 1234, catalogue.BOOL: True, catalogue.DICT: {'k': 'v'}}.get(kind, 'value-of-' + key)


@pytest.mark.parametrize('data_source', sorted(catalogue.SOURCES))
def test_the_server_masks_exactly_the_catalogues_secrets(emulator, data_source):
    """Over HTTP: every key of the data source is saved; a read shows placeholders for the secret ones only."""
    source = catalogue.SOURCES[data_source]
    parameters = dict((k, _value(kind, k)) for k, kind in source.parameters.items())
    credentials = dict((k, _value(kind, k)) for k, kind in (source.credentials or {}).items())
    body = {'name': 'Catalogue %s' % data_source.replace(' ', '_'), 'dataSource': data_source,
            'parameters': parameters, 'credentials': {'parameters': credentials}}
    response = emulator.call('POST', CONNS, body=body, params={'saveCredentials': 'true'})
    assert response.status == 200, response.raw
    read = emulator.call('GET', CONNS + '/' + response.json()['id']).json()

    def as_read(values):
        # What a read shows if the server masks what the catalogue calls secret (known differences left out).
        return dict((k, PLACEHOLDER if catalogue.is_secret(data_source, k) else v) for k, v in values.items()
                    if (data_source, k) not in KNOWN_DIFFERENCES)

    def without_known_differences(values):
        return dict((k, v) for k, v in values.items() if (data_source, k) not in KNOWN_DIFFERENCES)

    assert without_known_differences(read['parameters']) == as_read(parameters)
    assert without_known_differences(read['credentials']['parameters']) == as_read(credentials)
