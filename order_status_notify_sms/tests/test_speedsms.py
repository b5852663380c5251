# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import base64

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import DEFAULT_TOKEN, SmsCommon


@tagged('post_install', '-at_install')
class TestSpeedSms(SmsCommon):
    """SpeedSMS over real HTTP to the fake SpeedSMS (shared/notes/sms_providers.md §3)."""

    def setUp(self):
        super().setUp()
        self.provider = self._create_speedsms()

    def test_send_and_webhook(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        sends = self._sends(self.speedsms, '/index.php/sms/send')
        self.assertEqual(len(sends), 1)
        self.assertEqual(sends[0].json, {
            'to': ['84912345678'], 'content': message.content, 'sms_type': 3, 'sender': 'SHOPDEMO',
        })
        expected_auth = 'Basic ' + base64.b64encode(f'{DEFAULT_TOKEN}:x'.encode()).decode()
        self.assertEqual(sends[0].header('authorization'), expected_auth)
        # SpeedSMS tells the price when it accepts: that is the provider's price already.
        self.assertRecordValues(message, [{
            'state': 'sent', 'cost': 250 * message.segment_count, 'cost_source': 'provider',
        }])
        tran_id = message.provider_message_ref
        self.assertTrue(tran_id.isdigit())
        token = self.provider.sms_report_token
        report = {'type': 'report', 'tranId': int(tran_id), 'phone': '84912345678', 'status': 0}
        self.assertEqual(self.provider._sms_process_report('speedsms', 'wrong', report)[0], 404)
        self.assertEqual(self.provider._sms_process_report('speedsms', token, {'type': 'incoming', 'phone': '8491'}),
                         (200, 'ignored'))
        self.assertEqual(self.provider._sms_process_report('speedsms', token, report), (200, 'ok'))
        self.assertEqual(message.state, 'delivered')
        self.assertEqual(self.provider._sms_process_report('speedsms', token, report), (200, 'ok'))
        self.assertEqual(message.state, 'delivered')

    def test_cut_answer_is_never_resent(self):
        """SpeedSMS has no idempotency key: a send whose answer is lost is not sent again."""
        self.assertFalse(self.provider.support_idempotency_key)
        self.speedsms.reset_after_accept()
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'reconciling', 'reason_code': 'reconciling'}])
        self._dispatch()
        message.next_attempt_at = fields.Datetime.now()
        self.env['order.notify.message']._cron_dispatch()
        self.assertRecordValues(message, [{'state': 'unknown', 'reason_code': 'not_confirmed'}])
        self.assertEqual(len(self.speedsms.records), 1, "sent once")

    def test_rate_limit_waits_for_reset(self):
        # One call allowed per 42 s: the balance read uses it, the send gets HTTP 429.
        self.speedsms.rate_limit, self.speedsms.rate_window = 1, 42
        self.provider._order_notify_test_connection()
        order = self._shipped_order()
        before = fields.Datetime.now()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'transient', 'error_code': 'http_429'}])
        wait = (message.next_attempt_at - before).total_seconds()
        self.assertTrue(40 <= wait <= 45, wait)
        self.assertEqual(len(self.speedsms.records), 0)

    def test_error_codes(self):
        self.speedsms.fail_next(code='300')
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'balance'}])
        self.assertTrue(self.provider.is_paused)
        self.provider.action_resume()
        self._dispatch()
        self.assertEqual(message.state, 'sent', "kept while paused, sent once resumed")
        self.provider.speedsms_access_token = 'wrong'
        order2 = self._shipped_order()
        self._dispatch()
        message2 = self._messages(order2, event='shipped')
        self.assertRecordValues(message2, [{'state': 'failed', 'reason_code': 'config', 'error_code': 'http_404'}])

    def test_balance_and_polling(self):
        self.speedsms.balance = 80000
        self.assertIn("Balance", self.provider._order_notify_test_connection())
        self.assertEqual(self.provider.sms_balance, 80000)
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        (msg_id,) = self.speedsms.message_ids(message.provider_message_ref)
        self.speedsms.deliver(msg_id, success=False, report=False)
        self.provider._order_notify_fetch_status(message)
        self.assertEqual(message.state, 'failed')
