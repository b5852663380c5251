# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
from datetime import timedelta
from urllib.parse import parse_qsl

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_zalo.tests.common import DEMO_APP_ID, DEMO_APP_SECRET_KEY, ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloTokens(ZaloCommon):
    """The OAuth v4 token lifecycle against the fake: 25 h access tokens, single-use rotating
    refresh tokens."""

    def test_expired_token_refreshes_once_and_retries_once(self):
        old_access, old_refresh = self.zns.access_token, self.zns.refresh_token
        self.zns.expire_access_tokens()
        order = self._confirmed_order()
        self._dispatch()
        paths = [(r.method, r.path) for r in self.zns.requests]
        self.assertEqual(paths, [
            ('POST', '/message/template'), ('POST', '/v4/oa/access_token'), ('POST', '/message/template'),
        ])
        token_call = self._token_calls()[0]
        self.assertEqual(token_call.content_type, 'application/x-www-form-urlencoded')
        self.assertEqual(token_call.header('secret_key'), DEMO_APP_SECRET_KEY)
        self.assertEqual(dict(parse_qsl(token_call.body.decode())), {
            'refresh_token': old_refresh, 'app_id': DEMO_APP_ID, 'grant_type': 'refresh_token',
        })
        retry = self._sends()[1]
        self.assertNotEqual(retry.header('access_token'), old_access)
        self.assertEqual(json.loads(retry.body), json.loads(self._sends()[0].body))
        self.assertEqual(self._messages(order, event='placed').state, 'sent')
        # The rotated pair is stored: the old refresh token is spent at Zalo.
        self.assertEqual(self.provider.zalo_access_token, retry.header('access_token'))
        self.assertNotEqual(self.provider.zalo_refresh_token, old_refresh)
        self.assertEqual(self.zns.tokens.check(old_refresh, 'refresh'), 'used')
        self.assertEqual(self.zns.tokens.check(self.provider.zalo_refresh_token, 'refresh'), 'ok')
        self.assertGreater(self.provider.zalo_access_token_expiry, fields.Datetime.now() + timedelta(hours=24))

    def test_reused_refresh_token_pauses_without_losing_the_message(self):
        spent = self.zns.refresh_token
        self.provider._zalo_refresh_access_token()
        self.assertEqual(self.zns.tokens.check(spent, 'refresh'), 'used')
        # A restored backup holds the spent refresh token, and the access token has expired.
        self.provider.zalo_refresh_token = spent
        self.zns.expire_access_tokens()
        self.zns.requests.clear()
        order = self._confirmed_order()
        self._dispatch()
        self.assertEqual(len(self._token_calls()), 1)
        self.assertEqual(len(self._sends()), 1)  # no retry without a token
        message = self._messages(order, event='placed')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'balance', 'error_code': 'token'}])
        self.assertFalse(self._messages(order, channel='sms'))
        self.assertTrue(self.provider.is_paused)
        self.assertIn('-14014', self.provider.zalo_token_error)
        activity = self.provider.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn('-14014', activity.note)
        # The admin pastes a fresh refresh token and renews: sending resumes, the message leaves.
        self.provider.zalo_refresh_token = self.zns.issue_tokens()['refresh_token']
        self.provider.action_zalo_refresh_token()
        self.assertFalse(self.provider.is_paused)
        self.assertFalse(self.provider.zalo_token_error)
        self._dispatch()
        self.assertEqual(message.state, 'sent')

    def test_refresh_skipped_when_another_worker_already_renewed(self):
        # Another worker renewed while this one waited for the lock: its token is used as is.
        self.provider.zalo_access_token = 'fake-zalo-access-renewed-by-another-worker'
        token = self.provider._zalo_refresh_access_token(failed_token='the-token-that-failed')
        self.assertEqual(token, 'fake-zalo-access-renewed-by-another-worker')
        self.assertFalse(self._token_calls())

    def test_missing_access_token_is_fetched_before_sending(self):
        self.provider.write({'zalo_access_token': False, 'zalo_access_token_expiry': False})
        order = self._confirmed_order()
        self._dispatch()
        self.assertEqual([r.path for r in self.zns.requests], ['/v4/oa/access_token', '/message/template'])
        self.assertEqual(self._messages(order, event='placed').state, 'sent')

    def test_cron_refreshes_tokens_about_to_expire(self):
        self.provider.zalo_access_token_expiry = fields.Datetime.now() + timedelta(hours=1)
        old_refresh = self.provider.zalo_refresh_token
        self.env['order.notify.provider']._cron_zalo_refresh_tokens()
        self.assertEqual(len(self._token_calls()), 1)
        self.assertNotEqual(self.provider.zalo_refresh_token, old_refresh)
        # A fresh token is left alone.
        self.env['order.notify.provider']._cron_zalo_refresh_tokens()
        self.assertEqual(len(self._token_calls()), 1)

    def test_cron_alerts_when_access_expires_and_cannot_be_renewed(self):
        self.provider.write({
            'zalo_refresh_token': False,
            'zalo_access_token_expiry': fields.Datetime.now() + timedelta(hours=20),
        })
        self.env['order.notify.provider']._cron_zalo_refresh_tokens()
        self.assertFalse(self._token_calls())
        self.assertIn('[order_notify] Zalo access expiring', self.provider.activity_ids.mapped('summary'))

    def test_low_quota_alerts(self):
        self.zns.remaining_quota = 40  # of 500: under 10 % after this send
        self._confirmed_order()
        self._dispatch()
        self.assertEqual(self.provider.zalo_remaining_quota, 39)
        self.assertIn('[order_notify] ZNS quota low', self.provider.activity_ids.mapped('summary'))

    def test_refresh_error_is_a_clear_sentence_and_no_token_is_logged(self):
        self.provider.zalo_refresh_token = 'never-issued'
        with self.assertLogs('odoo.addons.order_status_notify_zalo', level='INFO') as logs, \
                self.assertRaises(OrderNotifyError) as caught:
            self.provider._zalo_refresh_access_token()
        self.assertIn('Connect Zalo OA', caught.exception.message)
        self.assertFalse([line for line in logs.output if 'never-issued' in line or self.zns.access_token in line])
