# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloReconcile(ZaloCommon):
    """ZNS has no idempotency key: a send whose answer is lost (connection cut or read timeout
    once Zalo had the request) is reconciled, never resent blindly (issue 9, item 3)."""

    def _cut_send(self):
        self.zns.reset_after_accept()  # Zalo accepts the message, the answer never arrives
        order = self._confirmed_order()
        self._dispatch()
        return self._messages(order, event='placed')

    def test_policy_shown_by_the_provider(self):
        self.assertFalse(self.provider.support_idempotency_key)
        self.assertTrue(self.sms_provider.support_idempotency_key, "the sandbox never leaves Odoo")

    def test_cut_answer_is_reconciled_by_the_webhook_not_resent(self):
        message = self._cut_send()
        self.assertRecordValues(message, [{'state': 'reconciling', 'reason_code': 'reconciling', 'attempt_count': 1}])
        self.assertEqual(len(self.zns.messages), 1, "Zalo has the message")
        self.assertIn("no idempotency key", message.reason)
        # The dispatcher runs again and again during the window: nothing is sent twice.
        self._dispatch()
        self.env['order.notify.message']._cron_dispatch()
        self.assertEqual(message.state, 'reconciling')
        self.assertEqual(len(self._sends()), 1)
        # Zalo's delivery event names the message by its tracking id: the proof it accepted it.
        msg_id = next(iter(self.zns.messages))
        self.zns.deliver(msg_id, webhook=False)
        raw, headers = self.zns.delivery_event(msg_id)
        self.assertEqual(self.env['order.notify.provider']._zalo_process_webhook(raw, headers), (200, 'ok'))
        self.assertRecordValues(message, [{
            'state': 'delivered', 'provider_message_ref': msg_id, 'reason_code': False,
        }])
        self.assertTrue(message.sent_date)
        self.assertEqual(len(self.zns.inbox.messages()), 1, "the buyer got it once")
        self.assertFalse(self._messages(message.order_id, channel='sms'), "no fallback either")

    def test_no_proof_within_the_window_becomes_unknown_not_resent(self):
        self.provider.reconcile_window_minutes = 30
        message = self._cut_send()
        self.assertAlmostEqual(message.next_attempt_at, fields.Datetime.now() + timedelta(minutes=30),
                               delta=timedelta(minutes=1))
        message.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)  # the window ended
        self.env['order.notify.message']._cron_dispatch()
        self.assertRecordValues(message, [{'state': 'unknown', 'reason_code': 'not_confirmed'}])
        self.assertEqual(len(self._sends()), 1)
        # A late proof still settles it.
        msg_id = next(iter(self.zns.messages))
        raw, headers = self.zns.delivery_event(msg_id)
        self.env['order.notify.provider']._zalo_process_webhook(raw, headers)
        self.assertEqual(message.state, 'delivered')

    def test_refused_connection_is_retried(self):
        """Nothing reached Zalo: a plain retry, no reconciliation."""
        url = self.provider.api_base_url
        self.provider.api_base_url = 'http://127.0.0.1:9'
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'transient', 'error_code': 'network'}])
        self.provider.api_base_url = url
        message.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self.zns.messages), 1)
