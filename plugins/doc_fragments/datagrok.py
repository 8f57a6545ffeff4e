# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The server options of every module and the lookup: SERVER_OPTIONS in plugins/module_utils/_client/options.py
    # (tests/unit/plugins/doc_fragments/test_datagrok.py holds the two together).
    DOCUMENTATION = r'''
options:
  url:
    description:
      - URL of the Datagrok server.
      - Both the API root behind the web server, for example V(https://datagrok.example.com/api), and a bare
        server, for example V(http://localhost:8082), work, with or without a trailing slash.
      - If not set, the value of the E(DATAGROK_URL) environment variable is used.
    type: str
    required: true
  api_key:
    description:
      - API key (or session token) of the Datagrok user to act as.
      - 'Sent as C(Authorization: Bearer <api_key>); a value that already starts with C(Bearer ) is sent as it is.'
      - If not set, the value of the E(DATAGROK_API_KEY) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to validate the server's TLS certificate.
      - If not set, the value of the E(DATAGROK_VALIDATE_CERTS) environment variable is used, and V(true) when that is unset.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM file) to validate the server's certificate with, for servers with a private CA.
      - If not set, the bundle named by E(REQUESTS_CA_BUNDLE) or E(CURL_CA_BUNDLE) is used when either is set,
        else the system's trust store (which honours E(SSL_CERT_FILE) and E(SSL_CERT_DIR)).
      - Ignored when O(validate_certs=false).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer. Must be greater than V(0).
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after HTTP 429, 502, 503 or 504, a dropped connection or a timeout.
      - Waits grow exponentially with jitter; a C(Retry-After) header is honoured (clamped to 0.1 to 60 seconds).
      - Other errors are never retried. Reads are simply retried. A create (M(datagrok.platform.datagrok_connection)) is
        retried only after reading the connection back by the id the collection chose for it, so a retry never
        creates a duplicate.
      - V(0) disables retries.
    type: int
    default: 3
requirements:
  - requests (Python package, on the host that talks to Datagrok)
notes:
  - The modules run on the controller or the host they are delegated to, the lookup on the controller; either talks
    to the Datagrok REST API (C(/public/v1)) from there.
  - They reach the server through the proxy that E(HTTPS_PROXY) or E(HTTP_PROXY) names (an C(http://) or
    C(https://) proxy), unless E(NO_PROXY) lists it, and they do not follow redirects.
'''

    # The lookup reads the environment through ansible-core's config manager, which needs each variable named here;
    # the modules read it through env_fallback (the same SERVER_OPTIONS).
    PLUGINS = r'''
options:
  url:
    env:
      - name: DATAGROK_URL
  api_key:
    env:
      - name: DATAGROK_API_KEY
  validate_certs:
    env:
      - name: DATAGROK_VALIDATE_CERTS
'''

    ACTIONGROUP = r'''
attributes:
  action_group:
    description: Use C(group/datagrok.platform.datagrok) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - datagrok.platform.datagrok
'''

    ATTRIBUTES = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
'''
