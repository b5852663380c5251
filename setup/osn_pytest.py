# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""pytest plugin loaded by ./setup/test.sh (``-p osn_pytest``), next to pytest-odoo.

* A skipped test is a failure: a browser tour that Odoo skips because Chromium or
  websocket-client is missing, or a test skipped for a missing module, proves nothing. The run
  then exits 1 and says which tests were skipped. (pytest's own "no tests ran" already exits 5.)
* pytest-odoo imports ``odoo.tests`` before it switches Odoo's test mode on, which makes Odoo
  log a false "Importing test framework, avoid importing from business modules" ERROR with a
  stack trace at every start: that one message is dropped, nothing else.
"""
import logging

import pytest


class _DropFalseImportAlarm(logging.Filter):
    def filter(self, record):
        return not record.getMessage().startswith('Importing test framework')


logging.getLogger('odoo.tests.common').addFilter(_DropFalseImportAlarm())

_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, 'wasxfail'):
        _skipped.append(report.nodeid)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _skipped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.section('skipped tests count as failures', sep='=', red=True, bold=True)
        for nodeid in _skipped:
            terminalreporter.write_line(f'SKIPPED (= failed) {nodeid}')
        terminalreporter.write_line(
            'A skipped test proves nothing: install what it needs (Chromium and websocket-client for '
            'browser tours, see README > Troubleshooting) rather than letting it skip.')
