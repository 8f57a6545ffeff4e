# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The doc fragment documents the server options as SERVER_OPTIONS defines them, for the modules and the lookup."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.datagrok.platform.plugins.doc_fragments.datagrok import ModuleDocFragment
from ansible_collections.datagrok.platform.plugins.module_utils._client.options import SERVER_OPTIONS, server_argument_spec


def test_each_server_option_is_documented_as_defined():
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
    assert set(documented) == set(SERVER_OPTIONS)
    for name, option in SERVER_OPTIONS.items():
        doc = documented[name]
        assert doc['type'] == option['type'], name
        assert doc.get('default') == option.get('default'), name
        assert bool(doc.get('required')) == bool(option.get('required')), name
        if option.get('env'):
            assert 'E(%s)' % option['env'] in ' '.join(doc['description']), name


def test_the_lookup_reads_the_same_environment_variables_as_the_modules():
    plugins = yaml.safe_load(ModuleDocFragment.PLUGINS)['options']
    assert dict((name, [e['name'] for e in doc['env']]) for name, doc in plugins.items()) == \
        dict((name, [option['env']]) for name, option in SERVER_OPTIONS.items() if option.get('env'))
    spec = server_argument_spec()
    assert dict((name, spec[name]['fallback'][1]) for name in plugins) == \
        dict((name, [e['name'] for e in doc['env']]) for name, doc in plugins.items())
    assert not [name for name in spec if 'env' in spec[name]]  # a key AnsibleModule would refuse
