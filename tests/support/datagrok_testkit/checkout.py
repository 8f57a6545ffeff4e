"""The collection's own code, imported from this checkout as Ansible imports it (for the tools and tests that compare
the emulator, or a generated page, with the data-source catalogue)."""
from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def import_from_checkout(name):
    """``ansible_collections.datagrok.platform.<name>`` from this checkout, through a throwaway ansible_collections
    tree (a symlink to the checkout), which is taken off sys.path again at once."""
    root = tempfile.mkdtemp(prefix='datagrok-checkout-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'datagrok'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'datagrok', 'platform'))
    sys.path.insert(0, root)
    try:
        return importlib.import_module('ansible_collections.datagrok.platform.' + name)
    finally:
        sys.path.remove(root)
        shutil.rmtree(root)
