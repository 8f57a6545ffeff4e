# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The options that reach a Datagrok server, defined once for every module and the lookup.

The doc fragment ``datagrok.platform.datagrok`` documents them (its PLUGINS part names the environment variables for
the lookup, as Ansible's config manager reads them); a unit test holds the two together. Modules take the
environment through ``env_fallback``, the lookup through its documentation: either way from ``SERVER_OPTIONS``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from urllib.parse import urlparse

from ansible.module_utils.basic import env_fallback

from ansible_collections.datagrok.platform.plugins.module_utils._errors import one_line

# Every Datagrok route the collection uses sits under this prefix of the API root, but the internal ones.
API_PREFIX = '/public/v1'

# name -> the option's argument spec, and ``env``: the environment variable that gives it when it is not set.
SERVER_OPTIONS = {
    'url': dict(type='str', required=True, env='DATAGROK_URL'),
    'api_key': dict(type='str', required=True, no_log=True, env='DATAGROK_API_KEY'),
    'validate_certs': dict(type='bool', default=True, env='DATAGROK_VALIDATE_CERTS'),
    'ca_path': dict(type='path'),
    'timeout': dict(type='float', default=30),
    'retries': dict(type='int', default=3),
}


def server_argument_spec():
    """The server options as a module's argument spec."""
    spec = {}
    for name, option in SERVER_OPTIONS.items():
        spec[name] = dict((key, value) for key, value in option.items() if key != 'env')
        if option.get('env'):
            spec[name]['fallback'] = (env_fallback, [option['env']])
    return spec


def base_url(url):
    """``https://host/api``, ``http://host:8082`` and either with a trailing slash or the API prefix, as the root that
    every route is appended to."""
    url = url.strip().rstrip('/')
    if url.endswith(API_PREFIX):
        url = url[:-len(API_PREFIX)]
    return url


def url_problem(url):
    """Why ``url`` cannot be a Datagrok server URL, or None. Checked before any request."""
    url = (url or '').strip()
    if not url.lower().startswith(('http://', 'https://')):
        return 'must start with http:// or https://, got %r' % url
    try:
        parsed = urlparse(url)
        host, port = parsed.hostname, parsed.port
    except ValueError as exc:
        return 'is not a valid URL (%s), got %r' % (one_line(exc), url)
    if not host:
        return 'has no host name, got %r' % url
    if port == 0:
        return 'has port 0, got %r' % url
    return None


def server_option_problems(options):
    """``(option, problem)`` for each server option that cannot work, in the order of ``SERVER_OPTIONS``."""
    problems = []
    problem = url_problem(options['url'])
    if problem:
        problems.append(('url', problem))
    if not (options['api_key'] or '').strip():
        problems.append(('api_key', 'must not be empty (set api_key, or the DATAGROK_API_KEY environment variable)'))
    ca_path = options['ca_path']
    if options['validate_certs'] and ca_path and not os.path.exists(ca_path):
        problems.append(('ca_path', 'no such file or directory: %s' % ca_path))
    if options['timeout'] <= 0:
        problems.append(('timeout', 'must be a number of seconds greater than 0, got %s' % options['timeout']))
    if options['retries'] < 0:
        problems.append(('retries', 'must be 0 or more, got %s' % options['retries']))
    return problems
