# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon
from odoo.addons.order_status_notify_zalo.tests.test_zalo_http import WEBHOOK


@tagged('post_install', '-at_install')
class TestZaloSecurity(ZaloCommon, HttpCase):
    """The Zalo provider's tokens, OA binding and webhook, attacked by each role over HTTP."""

    def setUp(self):
        super().setUp()
        self.salesman = new_test_user(self.env, 'zalo_own_docs', password='zalo_own_docs',
                                      groups='sales_team.group_sale_salesman')
        self.accountant = new_test_user(self.env, 'zalo_accountant', password='zalo_accountant',
                                        groups='account.group_account_readonly')
        self.sales_admin = new_test_user(self.env, 'zalo_sales_admin', password='zalo_sales_admin',
                                         groups='sales_team.group_sale_manager')
        self.company_b = self.env['res.company'].create({'name': 'Shop B', 'country_id': self.vn.id})
        self.manager_b = new_test_user(
            self.env, 'zalo_manager_b', password='zalo_manager_b', groups='sales_team.group_sale_manager',
            company_id=self.company_b.id, company_ids=[self.company_b.id],
        )
        self.admin_2 = new_test_user(self.env, 'zalo_admin_2', password='zalo_admin_2', groups='base.group_system,sales_team.group_sale_manager')

    def _call_button(self, login, method):
        """Click a provider button as ``login`` over JSON-RPC, the way the web client does."""
        self.authenticate(login, login)
        self.env.flush_all()
        try:
            return self.make_jsonrpc_request('/web/dataset/call_button', {
                'model': 'order.notify.provider', 'method': method, 'args': [[self.provider.id]], 'kwargs': {},
            })
        finally:
            self.env.invalidate_all()

    def test_other_roles_cannot_rotate_tokens_or_sync(self):
        refresh_token = self.provider.zalo_refresh_token
        for login in ('zalo_own_docs', 'zalo_accountant', 'zalo_manager_b'):
            for method in ('action_zalo_refresh_token', 'action_zalo_sync_templates', 'action_test_connection'):
                with self.subTest(login=login, method=method), self.assertRaises(Exception) as caught:
                    self._call_button(login, method)
                self.assertIn('AccessError', str(caught.exception))
        self.assertFalse(self.zns.requests.all(), "no call may reach Zalo before the rights are checked")
        self.assertEqual(self.provider.zalo_refresh_token, refresh_token)
        # The notification admin of the company may.
        self._call_button('zalo_sales_admin', 'action_zalo_refresh_token')
        self.assertNotEqual(self.provider.zalo_refresh_token, refresh_token)
        self.assertEqual(len(self._token_calls()), 1)

    def test_only_settings_admins_connect_an_oa(self):
        for user in (self.salesman, self.sales_admin):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.provider.with_user(user).action_zalo_connect()
        with self.assertRaises(AccessError):
            self.provider.with_user(self.sales_admin).write({'zalo_oauth_base_url': 'https://attacker.example'})
        self.assertEqual(self.provider.zalo_oauth_base_url, self.server.url)

    def test_callback_needs_the_state_of_this_admins_session(self):
        self.provider.write({'zalo_access_token': False, 'zalo_refresh_token': False, 'zalo_oa_id': False})
        # An admin starts a connection; the link back from Zalo is opened in another admin's session.
        action = self._connect_over_http('zalo_admin_2')
        callback = self._consent(action)
        self.authenticate('admin', 'admin')
        response = self._over_http(self.url_open, callback, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.provider.zalo_access_token)
        # A forged state without any pending connection is refused too.
        forged = callback.replace('state=', 'state=x')
        self.authenticate('zalo_admin_2', 'zalo_admin_2')
        self.assertEqual(self._over_http(self.url_open, forged, allow_redirects=False).status_code, 400)
        self.assertFalse(self.provider.zalo_access_token)

    def test_oa_id_comes_from_zalo_not_from_the_url(self):
        self.provider.write({'zalo_access_token': False, 'zalo_refresh_token': False, 'zalo_oa_id': False})
        action = self._connect_over_http('admin')
        callback = self._consent(action).replace(f'oa_id={self.zns.oa_id}', 'oa_id=attacker-oa')
        self.assertIn('oa_id=attacker-oa', callback)
        response = self._over_http(self.url_open, callback, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text)
        self.assertEqual(self.provider.zalo_oa_id, self.zns.oa_id)

    def test_stale_signed_event_is_rejected(self):
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        day_ago = int((time.time() - 86400) * 1000)
        raw, headers = self.zns.delivery_event(message.provider_message_ref, delivery_time=day_ago)
        response = self._over_http(self.url_open, WEBHOOK, data=raw, headers=headers)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(message.state, 'sent')

    def test_a_copied_database_sends_nothing_and_burns_no_token(self):
        from odoo.modules.neutralize import neutralize_database  # noqa: PLC0415
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertRecordValues(self.provider, [{
            'state': 'disabled', 'zalo_access_token': False, 'zalo_refresh_token': False,
            'zalo_app_secret': False, 'zalo_oa_secret_key': False,
        }])
        self.assertEqual(self.sms_provider.state, 'enabled', "the sandbox sends nothing: it stays")
        self.assertFalse(self.company.order_notify_webhook_secret)
        self.env['order.notify.provider']._cron_zalo_refresh_tokens()
        self.assertFalse(self._token_calls())
