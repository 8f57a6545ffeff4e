"""ansible-test on these machines: its offline pip bootstrap (shared/reference/toolchain.md).

sanity --venv (and --venv generally) downloads a get-pip script from a host that is not reachable here, and only
checks that the cached file ``~/.ansible/test/cache/get_pip_<pip version>.py`` exists. The stand-in written here
runs ``ensurepip`` and then installs the pip ansible-test asks for, from PyPI.
"""
from __future__ import annotations

import os
import re
import subprocess

# ansible-test runs the file as __main__ with pip's arguments, e.g. "pip==24.2 --no-setuptools --no-wheel", inside a
# fresh venv created without pip.
GET_PIP_STUB = '''"""Offline stand-in for get-pip.py, written by datagrok_testkit.ansible_test."""
import subprocess
import sys

PIP_VERSION = %r
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
packages = [arg for arg in sys.argv[1:] if not arg.startswith("-")] or ["pip==" + PIP_VERSION]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"] + packages)
'''


def pip_version(python):
    """The pip version that the ansible-test of ``python`` installs into its venvs."""
    package = subprocess.run([python, '-c', 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))'],
                             check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(package, '_internal', 'python_requirements.py'), encoding='utf-8') as handle:
        text = handle.read()
    block = re.search(r'default_packages\s*=\s*dict\((.*?)\)', text, re.S)
    found = re.search(r"pip\s*=\s*['\"]([0-9][0-9.]*)['\"]", block.group(1) if block else text)
    if not found:
        raise RuntimeError('cannot find the pip version ansible-test wants in %s' % package)
    return found.group(1)


def pip_bootstrap(home, python):
    """Write the get-pip stand-in for the ansible-test of ``python`` into the cache under ``home``."""
    version = pip_version(python)
    cache = os.path.join(home, '.ansible', 'test', 'cache')
    os.makedirs(cache, exist_ok=True)
    for name in os.listdir(cache):  # a failed download leaves an empty *.download file behind
        path = os.path.join(cache, name)
        if name.startswith('get_pip_') and name.endswith('.download') and os.path.getsize(path) == 0:
            os.remove(path)
    target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
    temporary = '%s.tmp%d' % (target, os.getpid())
    with open(temporary, 'w', encoding='utf-8') as handle:
        handle.write(GET_PIP_STUB % version)
    os.replace(temporary, target)  # atomic: another run may be reading it
    return target
