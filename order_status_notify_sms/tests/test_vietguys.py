# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import DEFAULT_PASSCODE, DEFAULT_USERNAME, SmsCommon


@tagged('post_install', '-at_install')
class TestVietguys(SmsCommon):
    """VietGuys over real HTTP to the fake VietGuys (shared/notes/sms_providers.md §2)."""

    def setUp(self):
        super().setUp()
        self.provider = self._create_vietguys()

    def test_send_form_and_duplicate(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        sends = self._sends(self.vietguys, '/api/index.php')
        self.assertEqual(len(sends), 1)
        self.assertEqual(sends[0].content_type, 'application/x-www-form-urlencoded')
        self.assertEqual(sends[0].form, {
            'u': DEFAULT_USERNAME, 'pwd': DEFAULT_PASSCODE, 'from': 'SHOPDEMO', 'phone': '84912345678',
            'sms': message.content, 'bid': message.idempotency_key, 'type': '8', 'json': '1',
        })
        self.assertRecordValues(message, [{'state': 'sent', 'cost': 800 * message.segment_count}])
        self.assertTrue(message.provider_message_ref)
        # Sent again within a minute (a retry after a lost answer): VietGuys says -16, it is sent.
        message.write({'state': 'queued', 'provider_message_ref': False})
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self.vietguys.records), 1)
        # Delivery report (shape unconfirmed) on the token URL.
        token = self.provider.sms_report_token
        msg_id = next(iter(self.vietguys.records))
        message.provider_message_ref = msg_id
        report = {'data': {'message_id': msg_id, 'status': 'delivered'}}
        self.assertEqual(self.provider._sms_process_report('vietguys', token, report), (200, 'ok'))
        self.assertEqual(message.state, 'delivered')

    def test_unregistered_template_fails_without_pausing(self):
        self.vietguys.fail_next(-20)
        first, second = self._shipped_order(), self._shipped_order()
        self._dispatch()
        self.assertRecordValues(self._messages(first, event='shipped'), [{
            'state': 'failed', 'reason_code': 'template', 'error_code': '-20',
        }])
        self.assertFalse(self.provider.is_paused)
        self.assertEqual(self._messages(second, event='shipped').state, 'sent')
        self.assertEqual(len(self.provider.activity_ids), 1)

    def test_errors(self):
        self.provider.vietguys_password = 'wrong'
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'failed', 'reason_code': 'config', 'error_code': '-5'}])
        with self.assertRaises(UserError):
            self.provider._order_notify_test_connection()
