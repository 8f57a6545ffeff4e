# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Saved plans (_converge/saved_plan.py): what a plan file holds, and what an apply of it carries out, refuses and writes.

The in-memory server of fakes.py stands in for Datagrok; its ``calls`` are the request log: a refused connection
must show no save and no delete there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

import pytest

from ansible_collections.datagrok.platform.plugins.module_utils._converge.saved_plan import SavedPlan, changes, from_options
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError, PlanFileError
from ansible_collections.datagrok.platform.tests.unit.fakes import FakeModule, FakeServer, run_many, run_one

SECRET = 'Pl4n-s3cret-value'
URL = 'http://dg'


def item(name, port=5432, password=SECRET, **extra):
    return dict({'name': name, 'state': 'present', 'data_source': 'Postgres', 'update_credentials': 'when_changed',
                 'parameters': {'server': 'db', 'port': port, 'db': name}, 'credentials': {'login': 'app', 'password': password}},
                **extra)


def writes(server):
    return [call for call in server.calls if call[0] in ('save', 'delete')]


def save(server, items, path, **kwargs):
    module = FakeModule(server)
    module.check_mode = True
    plan = SavedPlan.new(str(path), 'the-key', URL, 'bulk')
    server.calls = []
    results = run_many(module, items, **kwargs, saved_plan=plan)
    return results, plan.written


def apply(server, items, path, mode='per_item', check_mode=False, **kwargs):
    module = FakeModule(server)
    module.check_mode = check_mode
    plan = SavedPlan.load(str(path), 'the-key', URL, 'bulk', mode)
    server.calls = []
    return run_many(module, items, **kwargs, saved_plan=plan)


def errors(results):
    return dict((r['name'], r['error']) for r in results if r.get('error'))


@pytest.fixture
def served(tmp_path):
    """A server holding a and b (with credentials), and the path of a plan."""
    server = FakeServer.holding('a', 'b')
    run_many(FakeModule(server), [item('a'), item('b')])
    return server, tmp_path / 'plan.json'


def test_changes_lists_each_field_that_differs_by_path():
    before = {'name': 'A:x', 'parameters': {'port': 1, 'db': 'd'}, 'tags': ['a']}
    after = {'name': 'A:x', 'parameters': {'port': 2, 'db': 'd', 'ssl': True}, 'tags': ['a', 'b']}
    assert changes(before, after) == {'parameters.port': {'before': 1, 'after': 2}, 'parameters.ssl': {'before': None, 'after': True},
                                      'tags': {'before': ['a'], 'after': ['a', 'b']}}
    assert changes(after, after) == {}


def test_a_plan_file_holds_no_secret_and_keys_each_secret_written(served):
    server, path = served
    results, document = save(server, [item('a', port=5433, password='rotated-' + SECRET), item('b'), item('c')], path)
    text = path.read_text()
    assert SECRET not in text and json.loads(text) == document
    by_name = dict((e['name'], e) for e in document['connections'])
    assert [r['action'] for r in results] == ['update', None, 'create']
    assert document['summary'] == {'create': 1, 'none': 1, 'update': 1}
    assert by_name['Admin:b'] == dict(by_name['Admin:b'], action='none', changes={})
    rotated = by_name['Admin:a']['changes']
    assert rotated['parameters.port'] == {'before': 5432, 'after': 5433}
    assert rotated['credentials.password']['after'] == '<secret: will be written>'
    assert rotated['credentials.password']['digest'].startswith('hmac-sha256:')
    # The same secret in two connections does not show as the same digest.
    assert by_name['Admin:c']['changes']['credentials.password']['digest'] != rotated['credentials.password']['digest']
    assert by_name['Admin:c']['server_version'] is None and by_name['Admin:a']['server_version']['updatedOn']
    assert writes(server) == []


def test_a_plan_is_applied_exactly_and_a_second_apply_refuses_what_it_changed(served):
    server, path = served
    wanted = [item('a', port=5433), item('b'), item('c')]
    save(server, wanted, path)
    first = apply(server, wanted, path)
    assert errors(first) == {} and [r['action'] for r in first] == ['update', None, 'create']
    assert [call[:2] for call in writes(server)] == [('save', 'a'), ('save', 'c')]
    second = apply(server, wanted, path)
    assert writes(server) == []
    assert sorted(errors(second)) == ['Admin:a', 'Admin:c']
    assert re.match(r"^Refused connection 'Admin:a': changed on the server since the plan \(updatedOn 2026-01-01T00:00:03.000Z "
                    r"then, 2026-01-01T00:00:0[56].000Z now\)$", errors(second)['Admin:a'])
    assert errors(second)['Admin:c'] == "Refused connection 'Admin:c': changed on the server since the plan (it now exists)"
    assert [r.get('refused') for r in second] == [True, None, True]


def test_an_input_changed_since_the_plan_is_refused_and_the_rest_applied(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000)], path)
    results = apply(server, [item('a', port=5434), item('b', port=6000)], path)
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': input changed since the plan"}
    assert [call[:2] for call in writes(server)] == [('save', 'b')]


def test_a_secret_changed_since_the_plan_is_an_input_change(served):
    server, path = served
    save(server, [item('a', password='new-' + SECRET)], path)
    results = apply(server, [item('a', password='other-' + SECRET)], path)
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': input changed since the plan"}
    assert writes(server) == []


def test_a_server_edit_after_the_plan_is_refused_and_left_as_the_other_writer_left_it(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000)], path)
    edited = server.get_connection('Admin:a')
    server.store(dict(edited, description='edited by hand'), False)
    results = apply(server, [item('a', port=5433), item('b', port=6000)], path)
    assert errors(results)['Admin:a'].startswith("Refused connection 'Admin:a': changed on the server since the plan (updatedOn ")
    assert [call[:2] for call in writes(server)] == [('save', 'b')]
    assert server.get_connection('Admin:a')['description'] == 'edited by hand'


def test_a_difference_the_plan_did_not_foresee_is_refused_as_not_planned(served):
    server, path = served
    save(server, [item('a'), item('b')], path)
    edited = server.get_connection('Admin:a')
    server.store(dict(edited, parameters=dict(edited['parameters'], port=9999)), False)
    results = apply(server, [item('a'), item('b')], path)
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': not planned: the plan says no change, and it now "
                                          "needs update of parameters.port"}
    assert writes(server) == []


def test_all_or_nothing_writes_nothing_when_one_connection_is_refused(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000), item('c')], path)
    results = apply(server, [item('a', port=5434), item('b', port=6000), item('c')], path, mode='all_or_nothing')
    held = 'not applied: apply_plan_mode is all_or_nothing and 1 connection was refused'
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': input changed since the plan",
                               'Admin:b': "Refused connection 'Admin:b': " + held, 'Admin:c': "Refused connection 'Admin:c': " + held}
    assert writes(server) == []


def test_check_mode_predicts_the_refusals_with_no_write(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000)], path)
    predicted = apply(server, [item('a', port=5434), item('b', port=6000)], path, check_mode=True)
    assert writes(server) == []
    real = apply(server, [item('a', port=5434), item('b', port=6000)], path)
    assert [(r['name'], r['changed'], r.get('error')) for r in predicted] == [(r['name'], r['changed'], r.get('error')) for r in real]


def test_a_purge_deletes_only_what_the_plan_deletes(tmp_path):
    server = FakeServer.holding('keep', 'old', tags=['managed'])
    path = tmp_path / 'plan.json'
    wanted = [item('keep', tags=['managed'])]
    dummy, document = save(server, wanted, path, purge=True, scope={'tag': 'managed'})
    assert [(e['name'], e['action'], e.get('purged')) for e in document['connections']] == [
        ('Admin:keep', 'update', None), ('Admin:old', 'delete', True)]
    server.store({'name': 'late', 'dataSource': 'Postgres', 'parameters': {}, 'tags': ['managed']}, False)
    results = apply(server, wanted, path, purge=True, scope={'tag': 'managed'})
    assert errors(results) == {'Admin:late': "Refused connection 'Admin:late': changed on the server since the plan: purge "
                                             "would now delete it, and the plan does not"}
    assert sorted(c['name'] for c in server.connections.values()) == ['keep', 'late']


def test_a_planned_change_no_item_makes_any_more_is_refused(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000)], path)
    results = apply(server, [item('b', port=6000)], path)
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': input changed since the plan: it is no longer in the input"}
    assert results[-1]['refused'] is True and [call[:2] for call in writes(server)] == [('save', 'b')]


def test_a_rename_is_planned_and_a_stale_rename_refused(served):
    server, path = served
    renamed = [item('a2', previous_names=['a']), item('b')]
    dummy, document = save(server, renamed, path)
    entry = [e for e in document['connections'] if e['name'] == 'Admin:a2'][0]
    assert entry['renamed_from'] == 'Admin:a' and entry['changes']['name'] == {'before': 'Admin:a', 'after': 'Admin:a2'}
    edited = server.get_connection('Admin:a')
    server.store(dict(edited, description='edited'), False)
    results = apply(server, renamed, path)
    assert errors(results)['Admin:a2'].startswith("Refused connection 'Admin:a2': changed on the server since the plan")
    assert writes(server) == [] and server.get_connection('Admin:a') is not None


def test_no_plan_is_saved_when_a_connection_fails(served):
    server, path = served
    server.queries = {server.ids()['a']: ['Sales by month']}
    with pytest.raises(ItemError):
        save(server, [dict(item('a'), state='absent')], path)
    assert not path.exists()


def test_the_single_form_refuses_in_one_line(served):
    server, path = served
    module = FakeModule(server)
    module.check_mode = True
    planned = SavedPlan.new(str(path), 'the-key', URL, 'single')
    run_one(module, item('a', port=5433), saved_plan=planned)
    server.calls = []
    loaded = SavedPlan.load(str(path), 'the-key', URL, 'single')
    with pytest.raises(ItemError, match=r"^Refused connection 'Admin:a': input changed since the plan$"):
        run_one(FakeModule(server), item('a', port=5434), saved_plan=loaded)
    assert writes(server) == []


@pytest.mark.parametrize('document, key, server, form, message', [
    (None, 'the-key', URL, 'bulk', 'cannot read'),
    ('{"not": "a plan"', 'the-key', URL, 'bulk', r'is not a plan \(not JSON'),
    ('{"format": "other"}', 'the-key', URL, 'bulk', 'is not a plan saved by save_plan'),
    ('{"format": "datagrok.platform/plan", "connections": [{"action": "none"}]}', 'the-key', URL, 'bulk',
     'is not a plan saved by save_plan: an entry lacks its name or action'),
    ('SAVED', 'the-key', 'http://elsewhere', 'bulk', 'the plan was made for http://dg, not for http://elsewhere'),
    ('SAVED', 'the-key', URL, 'single', 'the plan was made with connections, so apply it with connections too'),
    ('SAVED', 'another-key', URL, 'bulk', 'the plan was made with another plan_key'),
])
def test_a_plan_that_cannot_be_used_fails_before_any_request(tmp_path, document, key, server, form, message):
    path = tmp_path / 'plan.json'
    if document == 'SAVED':
        save(FakeServer(), [item('a')], path)
    elif document is not None:
        path.write_text(document)
    with pytest.raises(PlanFileError, match=message):
        SavedPlan.load(str(path), key, server, form)


def test_options_save_only_in_check_mode_and_name_the_option(tmp_path):
    params = {'plan_key': None, 'api_key': 'k', 'url': 'http://dg/api/', 'save_plan': str(tmp_path / 'p'), 'apply_plan': None,
              'apply_plan_mode': 'per_item'}
    with pytest.raises(PlanFileError, match='^save_plan: a plan is saved by a check run'):
        from_options(params, False, 'bulk')
    assert from_options(params, True, 'bulk').server == 'http://dg/api'
    with pytest.raises(PlanFileError, match='^apply_plan: cannot read'):
        from_options(dict(params, save_plan=None, apply_plan=str(tmp_path / 'missing')), False, 'bulk')
    assert from_options(dict(params, save_plan=None), False, 'bulk') is None


def test_a_plan_edited_after_it_was_saved_is_refused_as_edited_and_the_rest_applied(served):
    server, path = served
    save(server, [item('a', port=5433), item('b', port=6000)], path)
    document = json.loads(path.read_text())
    entry = [e for e in document['connections'] if e['name'] == 'Admin:a'][0]
    entry['changes']['parameters.port']['after'] = 5432  # what a reviewer would have approved instead
    path.write_text(json.dumps(document))
    results = apply(server, [item('a', port=5433), item('b', port=6000)], path)
    assert errors(results) == {'Admin:a': "Refused connection 'Admin:a': the plan file does not match what save_plan wrote: "
                                          "its entry was edited after it was saved; plan again"}
    assert [call[:2] for call in writes(server)] == [('save', 'b')]


def test_a_plan_that_cannot_be_written_names_the_path_and_leaves_nothing_behind(tmp_path):
    folder = tmp_path / 'missing'
    with pytest.raises(ItemError, match=r"^Cannot save the plan: cannot write .*/missing/plan.json: No such file or directory$"):
        save(FakeServer(), [item('a')], folder / 'plan.json')
    assert list(tmp_path.iterdir()) == []
