# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Uninstalling a channel addon, for real: ``odoo-bin`` installs the addons in a database of
its own, enabled providers are created, then Odoo's own uninstall runs (registry reload,
selection values dropped, ``uninstall_hook``). Afterwards no provider may be left enabled with
another code (before the hooks, Odoo's ``ondelete='set default'`` turned an enabled Zalo account
into an enabled sandbox that marked buyers' messages delivered), and the channel's routes go.

Collected only under pytest-odoo (see conftest.py), which provides the Odoo command line.
"""
import json
import subprocess

import pytest

from osn_databases import ADDONS, fresh_database

SETUP = """
Provider = env['order.notify.provider'].sudo()
company = env.ref('base.main_company')
Provider.create({'name': 'Zalo OA', 'code': 'zalo_zns', 'channel': 'zalo', 'state': 'enabled', 'company_id': company.id})
Provider.create({'name': 'Zalo sandbox', 'code': 'sandbox', 'channel': 'zalo', 'state': 'enabled', 'company_id': company.id})
Provider.create({'name': 'eSMS', 'code': 'esms', 'channel': 'sms', 'state': 'enabled', 'company_id': company.id})
Provider.create({'name': 'Messenger Page', 'code': 'messenger', 'channel': 'messenger', 'state': 'enabled', 'company_id': company.id})
env.ref('order_status_notify.provider_mail').state = 'enabled'
env.cr.commit()
"""

UNINSTALL = """
env['ir.module.module'].search([('name', '=', %r)]).button_immediate_uninstall()
env.cr.commit()
"""

REPORT = """
import json
providers = env['order.notify.provider'].sudo().with_context(active_test=False).search([])
routes = env['order.notify.route'].sudo().with_context(active_test=False).search([])
print('OSN-REPORT ' + json.dumps({
    'providers': [[p.name, p.code, p.state] for p in providers],
    'route_channels': sorted(set(routes.mapped('channel'))),
}))
"""


def _shell(command, db, script):
    result = subprocess.run(
        [*command, 'shell', '-d', db, '--no-http', '--log-level=warn'], input=script, text=True,
        capture_output=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _report(command, db):
    out = _shell(command, db, REPORT)
    line = next(line for line in out.splitlines() if line.startswith('OSN-REPORT '))
    return json.loads(line[len('OSN-REPORT '):])


@pytest.fixture
def channel_db():
    with fresh_database('osn_uninstall', addons=ADDONS + ',order_status_notify_messenger') as database:
        yield database


def test_uninstalling_a_channel_leaves_no_enabled_provider_behind(channel_db):
    command, db = channel_db
    _shell(command, db, SETUP)
    before = _report(command, db)
    assert before['route_channels'] == ['email', 'messenger', 'sms', 'zalo']

    _shell(command, db, UNINSTALL % 'order_status_notify_messenger')
    after_messenger = _report(command, db)
    states = {name: (code, state) for name, code, state in after_messenger['providers']}
    assert states['Messenger Page'] == ('none', 'disabled'), after_messenger
    enabled = sorted((code, name) for name, code, state in after_messenger['providers'] if state == 'enabled')
    assert enabled == [('esms', 'eSMS'), ('mail', 'E-mail'), ('sandbox', 'Zalo sandbox'), ('zalo_zns', 'Zalo OA')], \
        after_messenger
    assert after_messenger['route_channels'] == ['email', 'sms', 'zalo']

    _shell(command, db, UNINSTALL % 'order_status_notify_zalo')
    after_zalo = _report(command, db)
    enabled = sorted((code, name) for name, code, state in after_zalo['providers'] if state == 'enabled')
    # Only the providers of installed codes stay enabled: the Zalo OA and the Zalo sandbox are off.
    assert enabled == [('esms', 'eSMS'), ('mail', 'E-mail')], after_zalo
    states = {name: (code, state) for name, code, state in after_zalo['providers']}
    assert states['Zalo OA'] == ('none', 'disabled')
    assert states['Zalo sandbox'] == ('sandbox', 'disabled')
    assert after_zalo['route_channels'] == ['email', 'sms']

    _shell(command, db, UNINSTALL % 'order_status_notify_sms')
    after_sms = _report(command, db)
    enabled = [(code, name) for name, code, state in after_sms['providers'] if state == 'enabled']
    assert enabled == [('mail', 'E-mail')], after_sms
    assert after_sms['route_channels'] == ['email']
