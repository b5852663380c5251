# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.order_status_notify_sms.tests.common import SmsCommon


@tagged('post_install', '-at_install')
class TestSmsSecurity(SmsCommon, HttpCase):
    """Who may use the SMS providers' buttons, and how their delivery report secrets are kept."""

    def setUp(self):
        super().setUp()
        self.sales_admin = new_test_user(self.env, 'sms_sales_admin', groups='sales_team.group_sale_manager')
        self.accountant = new_test_user(self.env, 'sms_accountant', groups='account.group_account_invoice')

    def test_notification_admin_tests_connection_and_reads_balance(self):
        """A Sales Manager (made notification admin by the addon) uses the buttons he sees, and
        still cannot read the keys they use."""
        provider = self._create_esms()
        self.esms.balance = 120000
        as_admin = provider.with_user(self.sales_admin)
        self.assertEqual(as_admin.action_test_connection()['params']['type'], 'success')
        self.assertEqual(as_admin.action_sms_refresh_balance()['params']['type'], 'success')
        self.assertEqual(provider.sms_balance, 120000)
        with self.assertRaises(AccessError):
            as_admin.read(['esms_api_key'])
        with self.assertRaises(AccessError):
            provider.with_user(self.accountant).action_sms_refresh_balance()
        self.assertEqual(len(self._sends(self.esms, '/MainService.svc/json/GetBalance_json')), 2)

    def test_each_provider_has_its_own_report_token(self):
        self.assertIsNone(self.env['order.notify.provider']._fields['sms_report_token'].default)
        esms, speedsms, vietguys = self._create_esms(), self._create_speedsms(), self._create_vietguys()
        tokens = (esms | speedsms | vietguys).mapped('sms_report_token')
        self.assertEqual(len(set(tokens)), 3)
        self.assertTrue(all(tokens))
        # Installed before tokens were per provider: the migration gives each its own.
        (speedsms | vietguys).write({'sms_report_token': esms.sms_report_token})
        self.env['order.notify.provider'].search([])._sms_ensure_report_token()
        self.assertEqual(len(set((esms | speedsms | vietguys).mapped('sms_report_token'))), 3)
        # Admins rotate it; the notification admin cannot.
        with self.assertRaises(AccessError):
            esms.with_user(self.sales_admin).action_sms_rotate_report_token()
        old_url = esms.sms_report_url
        esms.with_user(self.env.ref('base.user_admin')).action_sms_rotate_report_token()
        self.assertNotEqual(esms.sms_report_url, old_url)

    def test_report_token_is_masked_in_the_access_log(self):
        """werkzeug writes each request line to the access log: the gateway's call over HTTP."""
        provider = self._create_esms()
        token = provider.sms_report_token
        self.env.flush_all()
        # Odoo names its level 25 "INFO": the number is werkzeug's level.
        with self.assertLogs('werkzeug', logging.INFO) as logs:
            self.url_open(f'/order_status_notify_sms/esms/{token}?SMSID=unknown&SendStatus=5')
        self.assertTrue([line for line in logs.output if '/order_status_notify_sms/esms/***?SMSID=unknown' in line],
                        logs.output)
        self.assertFalse([line for line in logs.output if token in line])

    def test_a_copied_database_forgets_the_gateways_keys(self):
        from odoo.modules.neutralize import neutralize_database  # noqa: PLC0415
        esms, speedsms = self._create_esms(), self._create_speedsms(state='test')
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertRecordValues(esms | speedsms, [
            {'state': 'disabled', 'esms_api_key': False, 'esms_secret_key': False, 'speedsms_access_token': False,
             'sms_report_token': False},
        ] * 2)
