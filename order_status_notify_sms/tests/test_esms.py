# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_sms.tests.common import (
    DEFAULT_API_KEY, DEFAULT_SECRET_KEY, ESMS_SEND_PATH, SmsCommon,
)
from odoo.addons.order_status_notify_sms.tools import prepare_sms_text, strip_vietnamese_accents


@tagged('post_install', '-at_install')
class TestEsms(SmsCommon):
    """eSMS over real HTTP to the fake eSMS (shared/notes/sms_providers.md §1)."""

    def setUp(self):
        super().setUp()
        self.provider = self._create_esms()

    def _send_requests(self):
        return self._sends(self.esms, ESMS_SEND_PATH)

    def _alerts(self, summary):
        return self.provider.activity_ids.filtered(lambda a: a.summary == f'[order_notify] {summary}')

    def test_shipping_sends_one_documented_request(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertEqual(len(message), 1)
        requests = self._send_requests()
        self.assertEqual(len(requests), 1)
        self.assertEqual(requests[0].method, 'POST')
        self.assertEqual(requests[0].content_type, 'application/json')
        self.assertEqual(requests[0].json, {
            'ApiKey': DEFAULT_API_KEY,
            'SecretKey': DEFAULT_SECRET_KEY,
            'Phone': '0912345678',
            'Content': message.content,
            'Brandname': 'SHOPDEMO',
            'SmsType': '2',
            'IsUnicode': '1',
            'Sandbox': '0',
            'RequestId': message.idempotency_key,
            'CallbackUrl': f'{self.provider.get_base_url()}/order_status_notify_sms/esms/{self.provider.sms_report_token}',
        })
        self.assertLessEqual(len(message.idempotency_key), 50)
        self.assertIn('GHN123456', message.content)
        # 100 = accepted by eSMS, not delivered.
        record = self.esms.records[message.provider_message_ref]
        sms = prepare_sms_text(message.content)
        self.assertRecordValues(message, [{
            'state': 'sent', 'sms_encoding': 'ucs2', 'sms_char_count': sms.length, 'segment_count': sms.segments,
            'cost': 800 * sms.segments, 'cost_source': 'estimate', 'currency_id': self.vnd.id,
        }])
        self.assertEqual(record.text, message.content)
        self.assertEqual(record.segments, sms.segments)

        # The callback: delivered, at the price eSMS reports (850 per SMS at the fake).
        self.esms.deliver(message.provider_message_ref, report=False)
        params = self._report_params(self.esms, message.provider_message_ref)
        self.assertEqual(params['SendStatus'], '5')
        token = self.provider.sms_report_token
        self.assertEqual(self.provider._sms_process_report('esms', token, params), (200, 'ok'))
        self.assertRecordValues(message, [{
            'state': 'delivered', 'cost': 850 * sms.segments, 'cost_source': 'provider',
        }])
        delivered_date = message.delivered_date
        # eSMS repeats its callback up to 5 times: nothing changes.
        self.assertEqual(self.provider._sms_process_report('esms', token, params), (200, 'ok'))
        self.assertEqual(message.delivered_date, delivered_date)
        self.assertEqual(len(self._messages(order, event='shipped')), 1)

    def test_report_routing(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        params = self._report_params(self.esms, message.provider_message_ref)
        self.assertEqual(self.provider._sms_process_report('esms', 'not-the-token', params)[0], 404)
        self.assertEqual(self.provider._sms_process_report('esms', '', params)[0], 404)
        self.assertEqual(message.state, 'sent')
        unknown = dict(params, SMSID='no-such-sms')
        self.assertEqual(
            self.provider._sms_process_report('esms', self.provider.sms_report_token, unknown), (200, 'ignored'),
        )
        # Status 7 (sent to the network, waiting for its report) is not final.
        pending = dict(params, SendStatus='7', SendSuccess='0')
        self.provider._sms_process_report('esms', self.provider.sms_report_token, pending)
        self.assertEqual(message.state, 'sent')

    def test_failed_delivery_report_is_not_charged(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.esms.deliver(message.provider_message_ref, success=False, report=False)
        params = self._report_params(self.esms, message.provider_message_ref)
        self.assertEqual((params['SendFailed'], params['TotalPrice']), ('1', '0.0000'))
        self.provider._sms_process_report('esms', self.provider.sms_report_token, params)
        self.assertRecordValues(message, [{'state': 'failed', 'cost': 0.0, 'cost_source': 'none'}])

    def test_without_diacritics(self):
        self.provider.sms_unicode = False
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        body = self._send_requests()[0].json
        plain = strip_vietnamese_accents(message.content)
        self.assertEqual(body['IsUnicode'], '0')
        self.assertEqual(body['Content'], plain)
        self.assertIn('da duoc gui', plain)
        self.assertRecordValues(message, [{
            'state': 'sent', 'sms_content_sent': plain, 'sms_encoding': 'gsm7', 'sms_char_count': len(plain),
            'segment_count': 1,
        }])
        self.assertEqual(self.esms.records[message.provider_message_ref].text, plain)

    def test_length_limit(self):
        # One SMS at most: the Unicode text is 2 SMS, it leaves without diacritics in one.
        self.provider.sms_max_segments = 1
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertEqual(self._send_requests()[0].json['IsUnicode'], '0')
        self.assertRecordValues(message, [{'state': 'sent', 'segment_count': 1, 'sms_encoding': 'gsm7'}])
        # A text longer than 3 SMS even without diacritics is not sent, with the reason.
        template = self.env.ref('order_status_notify_sms.template_sms_placed')
        template.body = "Đơn {{ order_ref }}: " + "cảm ơn quý khách đã đặt hàng tại cửa hàng. " * 12
        self.provider.sms_max_segments = 3
        self.env['order.notify.route'].with_context(active_test=False).search([('event', '=', 'placed')]).active = True
        order2 = self._create_order()
        order2.action_confirm()
        self._dispatch()
        placed = self._messages(order2, event='placed')
        self.assertEqual(placed.state, 'failed')
        self.assertIn('shorten the template', placed.reason)
        self.assertEqual(len(self._send_requests()), 1, "the too-long text never reached eSMS")

    def test_repeat_after_crash_does_not_send_twice(self):
        """A worker sends, eSMS accepts, the worker dies before recording it; the admin sends the
        message again: the same RequestId makes eSMS answer 124, and the message is sent once."""
        order = self._shipped_order()
        Message = self.env['order.notify.message']
        message = Message._order_notify_claim(10)
        self.assertEqual(len(message), 1)
        message._order_notify_prepare_content()
        message.phone = '+84912345678'
        message._order_notify_mark_sending()
        self.provider._order_notify_send(message)  # accepted by eSMS... then the worker crashes
        self.assertEqual(len(self.esms.records), 1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE order_notify_message SET send_started_at = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(hours=1), message.id),
        )
        message.invalidate_recordset()
        Message._order_notify_reap_stuck()
        self.assertEqual(message.state, 'unknown')
        message.action_resend()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        requests = self._send_requests()
        self.assertEqual(len(requests), 2)
        self.assertEqual(requests[0].json['RequestId'], requests[1].json['RequestId'])
        self.assertEqual(len(self.esms.records), 1, "eSMS holds one SMS, not two")
        self.assertEqual(len(self.esms.inbox.messages(phone='0912345678')), 1)
        # The log matches the invoice: the first send's SMSID and price, read back from eSMS.
        record = next(iter(self.esms.records.values()))
        self.assertRecordValues(message, [{
            'provider_message_ref': record.msg_id, 'cost': record.price, 'cost_source': 'provider',
            'segment_count': record.segments, 'sms_content_sent': record.text,
            'sent_date': datetime.fromtimestamp(int(record.created), tz=timezone.utc).replace(tzinfo=None),
        }])
        sent_data = self._sends(self.esms, '/MainService.svc/json/GetSmsSentData_V2')
        self.assertEqual(len(sent_data), 1)
        self.assertEqual(sent_data[0].json['SmsType'], '2')
        # Its delivery now reaches the log like any other.
        self.esms.deliver(record.msg_id, report=False)
        self.provider._order_notify_fetch_status(message)
        self.assertEqual(message.state, 'delivered')
        # The provider itself says "duplicate", which the core records as sent.
        with self.assertRaises(OrderNotifyError) as error:
            self.provider._order_notify_send(message)
        self.assertEqual((error.exception.error_class, error.exception.code), ('duplicate', '124'))

    def test_duplicate_answer_without_sent_data_keeps_estimate(self):
        """eSMS answers 124 but does not list the first send (yet): the message is sent at its
        estimated price, and the delivery callback, which echoes the RequestId, brings its SMSID
        and real price."""
        order = self._shipped_order()
        message = self.env['order.notify.message']._order_notify_claim(10)
        message._order_notify_prepare_content()
        message.phone = '+84912345678'
        first_vals = self.provider._order_notify_send(message)  # accepted, then the answer is lost
        record = self.esms.records.pop(first_vals['provider_message_ref'])
        message.write({'state': 'queued', 'next_attempt_at': fields.Datetime.now()})
        self._dispatch()
        sms = prepare_sms_text(message.content)
        self.assertRecordValues(message, [{
            'state': 'sent', 'provider_message_ref': False, 'cost': 800 * sms.segments, 'cost_source': 'estimate',
            'segment_count': sms.segments,
        }])
        self.assertEqual(len(self._send_requests()), 2)
        # The callback of the first send.
        self.esms.records[record.msg_id] = record
        self.esms.deliver(record.msg_id, report=False)
        params = self._report_params(self.esms, record.msg_id)
        self.assertEqual(params['RequestId'], message.idempotency_key)
        self.assertEqual(self.provider._sms_process_report('esms', self.provider.sms_report_token, params), (200, 'ok'))
        self.assertRecordValues(message, [{
            'state': 'delivered', 'provider_message_ref': record.msg_id, 'cost': 850 * sms.segments,
            'cost_source': 'provider',
        }])
        self.assertEqual(len(self._messages(order, event='shipped')), 1)

    def test_unregistered_template_fails_its_event_and_keeps_the_others(self):
        """eSMS refuses the text of the shipping template (146, not registered for the
        brandname): those messages fail with the reason, the admins are told once, the provider
        is not paused and the order-placed texts keep leaving."""
        self.env['order.notify.route'].with_context(active_test=False).search([('event', '=', 'placed')]).active = True
        self.esms.add_template('{P1}: Cảm ơn {P2} đã đặt đơn {P3} ({P4}). Shop sẽ báo ngay khi hàng được gửi đi.')
        orders = self._shipped_order() | self._shipped_order()
        self._dispatch()
        for order in orders:
            shipped = self._messages(order, event='shipped')
            self.assertRecordValues(shipped, [{'state': 'failed', 'reason_code': 'template', 'error_code': '146'}])
            self.assertIn("CSKH template", shipped.reason)
            self.assertEqual(self._messages(order, event='placed').state, 'sent')
        self.assertFalse(self.provider.is_paused)
        alert = self.provider.activity_ids
        self.assertEqual(len(alert), 1, "one alert for the template, not one per message")
        self.assertEqual(alert.order_notify_alert_key, f'template-{shipped.template_id.id}-shipped')
        self.assertIn("CSKH template", alert.note)
        later = self._create_order()
        later.action_confirm()
        self._dispatch()
        self.assertEqual(self._messages(later, event='placed').state, 'sent')

    def test_wrong_credentials_fail_and_alert_once(self):
        self.provider.esms_secret_key = 'wrong-secret'
        orders = self._shipped_order() | self._shipped_order()
        self._dispatch()
        first, second = self._messages(orders[0], event='shipped'), self._messages(orders[1], event='shipped')
        self.assertRecordValues(first, [{'state': 'failed', 'error_code': '101'}])
        self.assertIn("Wrong eSMS API key or secret key", first.reason)
        self.assertTrue(self.provider.is_paused)
        self.assertIn("Wrong eSMS API key", self.provider.pause_reason)
        # The second message waits for the admin instead of failing the same way.
        self.assertRecordValues(second, [{'state': 'queued', 'reason_code': 'provider_paused'}])
        self.assertEqual(len(self._send_requests()), 1)
        self.assertEqual(len(self._alerts('Provider paused')), 1)
        second.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(len(self._alerts('Provider paused')), 1, "one alert, not one per message")
        self.assertEqual(len(self._send_requests()), 1)

    def test_configuration_codes(self):
        for code in ('104', '140', '143', '177'):
            with self.subTest(code=code):
                self.esms.fail_next(code=int(code))
                order = self._shipped_order()
                self._dispatch()
                message = self._messages(order, event='shipped')
                self.assertRecordValues(message, [{'state': 'failed', 'error_code': code, 'reason_code': 'config'}])
                self.assertTrue(self.provider.is_paused)
                self.provider.action_resume()

    def test_low_balance_pauses_and_nothing_is_lost(self):
        self.esms.balance = 100
        orders = self._shipped_order() | self._shipped_order()
        self._dispatch()
        messages = self._messages(orders[0], event='shipped') | self._messages(orders[1], event='shipped')
        self.assertEqual(messages.mapped('state'), ['queued', 'queued'])
        self.assertEqual(sorted(messages.mapped('reason_code')), ['balance', 'provider_paused'])
        self.assertTrue(self.provider.is_paused)
        self.assertTrue(self.provider.sms_out_of_credit)
        self.assertEqual(len(self.esms.records), 0)
        self.assertEqual(len(self._alerts('Provider paused')), 1)
        # Still short: reading the balance does not resume.
        self.provider.action_sms_refresh_balance()
        self.assertTrue(self.provider.is_paused)
        # Topped up: the balance read resumes sending, both messages leave.
        self.esms.balance = 500000
        self.provider.action_sms_refresh_balance()
        self.assertEqual(self.provider.sms_balance, 500000)
        self.assertFalse(self.provider.is_paused)
        self.assertFalse(self.provider.sms_out_of_credit)
        self._dispatch()
        self.assertEqual(messages.mapped('state'), ['sent', 'sent'])
        self.assertEqual(len(self.esms.records), 2)

    def test_invalid_phone(self):
        self.esms.set_phone_error('0912345678', 108)
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'failed', 'error_code': '108', 'reason_code': 'invalid'}])
        self.assertIn("phone number", message.reason)
        self.assertFalse(self.provider.is_paused)

    def test_malformed_request_answer(self):
        self.esms.fail_next(http_status=200, body='{"error": "Invalid request"}')
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'failed', 'reason_code': 'invalid', 'error_code': 'invalid_request'}])
        self.assertIn("malformed", message.reason)
        self.assertFalse(self.provider.is_paused)

    def test_transient_errors_are_retried(self):
        self.esms.fail_next(http_status=503)
        order = self._shipped_order()
        before = fields.Datetime.now()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'transient', 'attempt_count': 1}])
        self.assertGreater(message.next_attempt_at, before)
        # The gateway is back: the retry goes through.
        message.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        # Unreachable host: a readable reason without the URL.
        self.provider.api_base_url = 'http://127.0.0.1:9/MainService.svc/json'
        order2 = self._shipped_order()
        self._dispatch()
        message2 = self._messages(order2, event='shipped')
        self.assertRecordValues(message2, [{'state': 'queued', 'reason_code': 'transient', 'error_code': 'network'}])
        self.assertIn("Could not reach", message2.reason)
        self.assertNotIn(DEFAULT_SECRET_KEY, message2.reason)

    def test_cut_answer_is_resent_with_the_same_request_id(self):
        """eSMS refuses a second RequestId: after a lost answer the message is simply retried."""
        self.assertTrue(self.provider.support_idempotency_key)
        self.esms.reset_after_accept()
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'transient', 'error_code': 'network'}])
        message.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        sends = self._sends(self.esms, '/MainService.svc/json/SendMultipleMessage_V4_post_json/')
        self.assertEqual(len(sends), 2)
        self.assertEqual(sends[0].json['RequestId'], sends[1].json['RequestId'])
        self.assertEqual(len(self.esms.records), 1, "eSMS holds one SMS")

    def test_polling_status(self):
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.provider._order_notify_fetch_status(message)
        self.assertEqual(message.state, 'sent', "SendStatus 7 is not final")
        self.esms.deliver(message.provider_message_ref, report=False)
        self.provider._order_notify_fetch_status(message)
        # The keys travel in the POST body, never in a URL (proxies and access logs keep URLs).
        status_calls = self._sends(self.esms, '/MainService.svc/json/GetSmsSentData_V2')
        self.assertEqual(len(status_calls), 2)
        self.assertEqual(status_calls[-1].json['ApiKey'], DEFAULT_API_KEY)
        self.assertFalse([r for r in self.esms.requests if DEFAULT_SECRET_KEY in r.path or r.query.get('SecretKey')])
        self.assertRecordValues(message, [{
            'state': 'delivered', 'cost': 850 * message.segment_count, 'cost_source': 'provider',
        }])

    def test_balance_and_test_connection(self):
        self.esms.balance = 12000
        answer = self.provider._order_notify_test_connection()
        self.assertIn("Balance", answer)
        self.assertEqual(self.provider.sms_balance, 12000)
        body = self._sends(self.esms, '/MainService.svc/json/GetBalance_json')[0].json
        self.assertEqual(body, {'ApiKey': DEFAULT_API_KEY, 'SecretKey': DEFAULT_SECRET_KEY})
        # Under the alert amount: one activity for the admins, not one per reading.
        self.assertEqual(len(self._alerts('Low SMS balance')), 1)
        self.env['order.notify.provider']._cron_sms_check_balance()
        self.assertEqual(len(self._alerts('Low SMS balance')), 1)
        self.provider.esms_api_key = 'wrong'
        with self.assertRaisesRegex(UserError, "Wrong eSMS API key"):
            self.provider._order_notify_test_connection()

    def test_low_balance_alert_once_whatever_the_language(self):
        """The cron reads the balance in English, an admin in Vietnamese: one alert, closed when
        the balance is topped up, whoever reads it."""
        self.esms.balance = 12000
        self.env['order.notify.provider']._cron_sms_check_balance()
        self.provider.with_context(lang='vi_VN')._order_notify_test_connection()
        self.assertEqual(len(self.provider.activity_ids), 1)
        self.assertEqual(self.provider.activity_ids.order_notify_alert_key, 'sms_low_balance')
        self.provider.sms_out_of_credit = True
        self.esms.balance = 500000
        self.provider.with_context(lang='vi_VN').action_sms_refresh_balance()
        self.assertFalse(self.provider.activity_ids)

    def test_sandbox_in_test_mode(self):
        self.provider.state = 'test'
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertEqual(self._send_requests()[0].json['Sandbox'], '1')
        self.assertRecordValues(message, [{'state': 'sent', 'cost': 0.0, 'cost_source': 'none'}])
        self.assertEqual(self.esms.balance, 1_000_000, "the sandbox charges nothing")
