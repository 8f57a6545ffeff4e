"""Test support for the datagrok.platform collection: services (services.py), an ansible-playbook runner
(playbooks.py), ansible-test's offline bootstrap (ansible_test.py), what the sessions of noxfile.py share
(pipeline.py), and pytest fixtures over them (fixtures.py)."""
from __future__ import annotations

import secrets

# The API keys of the emulators the tests start: random per process, long enough for the leak scan to search every
# 12-character piece of them (tests/reliability/test_secret_leaks.py).
ADMIN_KEY = 'admin-key-' + secrets.token_hex(10)
USER_KEY = 'alice-key-' + secrets.token_hex(10)
