# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Top-level tests (this folder): plain pytest tests and Odoo test cases side by side.

* The fake providers are imported as the package ``fake_providers``: this folder has no
  ``__init__.py``, so pytest's default import mode puts it on sys.path; this makes it explicit
  (and true under ``--import-mode=importlib``). Addon tests, imported as
  ``odoo.addons.<addon>.tests.*``, add the folder themselves (see
  order_status_notify_sms/tests/common.py) so that Odoo's own test runner finds the fakes too.
* Odoo gives its default test tags ({'standard', 'at_install'}) only to classes of
  ``odoo.addons.*`` modules; without them a TransactionCase defined here crashes in setUpClass
  (no ``test_tags``), or, once ``@tagged``, runs without the 'standard' tag and so without
  Odoo's block of outgoing HTTP requests. Under pytest-odoo (./setup/test.sh), the Odoo test
  classes of this folder get the same defaults as an addon's.
"""
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))


def pytest_ignore_collect(collection_path, config):
    """The reliability suite's small variant and the uninstall test need pytest-odoo's Odoo."""
    if collection_path.name in ('test_reliability.py', 'test_channel_uninstall.py') and 'odoo.tools' not in sys.modules:
        return True
    return None


def _defined_here(cls):
    module_file = getattr(sys.modules.get(cls.__module__), '__file__', None) or ''
    return Path(module_file).resolve().parent == TESTS_DIR if module_file else False


def pytest_configure(config):
    if 'odoo.tests.common' not in sys.modules:  # plain pytest, no Odoo: nothing to adjust
        return
    from odoo.tests.common import MetaCase
    if getattr(MetaCase, '_osn_top_level_defaults', False):
        return
    original_init = MetaCase.__init__

    def __init__(cls, name, bases, attrs):
        original_init(cls, name, bases, attrs)
        if not cls.__module__.startswith('odoo.addons.') and getattr(cls, 'test_tags', None) is None \
                and _defined_here(cls):
            cls.test_tags = {'standard', 'at_install'}
            cls.test_module = 'tests'
            cls.test_class = name
            cls.test_sequence = 0

    MetaCase.__init__ = __init__
    MetaCase._osn_top_level_defaults = True


@pytest.fixture
def serve():
    """``serve(fake)`` or ``serve(mounts=…)``: a started FakeServer, stopped after the test."""
    from fake_providers import FakeServer  # noqa: PLC0415 - importable once TESTS_DIR is on sys.path

    servers = []

    def start(*args, **kwargs):
        server = FakeServer(*args, **kwargs).start()
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()
