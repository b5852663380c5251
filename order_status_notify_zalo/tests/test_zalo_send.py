# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import unicodedata
from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_zalo import utils
from odoo.addons.order_status_notify_zalo.tests.common import CUSTOMER_PHONE, ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloSend(ZaloCommon):
    """Sending a ZNS over real HTTP to the fake Zalo, and what each Zalo answer leads to."""

    def test_confirmed_order_sends_documented_request(self):
        order = self._confirmed_order()
        self._dispatch()
        sends = self._sends()
        self.assertEqual(len(sends), 1)
        request = sends[0]
        message = self._messages(order, event='placed')
        self.assertEqual(request.header('access_token'), self.zns.access_token)
        self.assertEqual(request.content_type, 'application/json')
        self.assertIsNone(request.header('authorization'))
        order_date = fields.Datetime.context_timestamp(
            order.with_context(tz='Asia/Ho_Chi_Minh'), order.date_order).strftime('%d/%m/%Y')
        self.assertEqual(json.loads(request.body), {
            'phone': CUSTOMER_PHONE,
            'template_id': '100001',
            'template_data': {
                'customer_name': 'Nguyễn Văn An',
                'order_code': order.name,
                'order_date': order_date,
                'amount': str(int(order.amount_total)),
            },
            'tracking_id': message.idempotency_key,
        })
        zalo_message = self.zns.messages[message.provider_message_ref]
        self.assertEqual(zalo_message.tracking_id, message.idempotency_key)
        self.assertLessEqual(len(message.idempotency_key), 48)
        self.assertRecordValues(message, [{
            'state': 'sent', 'channel': 'zalo', 'provider_id': self.provider.id, 'cost': 300.0,
            'cost_source': 'estimate', 'currency_id': self.vnd.id, 'zalo_development': False,
        }])  # the synced price of the ZNS template, until Zalo reports the delivery
        self.assertEqual(message.sent_date, utils.parse_ms(zalo_message.sent_time))
        self.assertFalse(self._messages(order, channel='sms'))
        # The quota Zalo returned is kept on the provider.
        self.assertEqual((self.provider.zalo_daily_quota, self.provider.zalo_remaining_quota), (500, 499))

    def test_delivery_event_marks_delivered_with_cost_once(self):
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        delivery_ms = self.zns.messages[message.provider_message_ref].sent_time + 3000
        self.zns.deliver(message.provider_message_ref, delivery_time=delivery_ms, webhook=False)
        raw, headers = self.zns.delivery_event(message.provider_message_ref)
        Provider = self.env['order.notify.provider']
        self.assertRecordValues(message, [{'state': 'sent', 'cost': 300.0, 'cost_source': 'estimate'}])
        self.assertEqual(Provider._zalo_process_webhook(raw, headers), (200, 'ok'))
        self.assertRecordValues(message, [{
            'state': 'delivered', 'cost': 300.0, 'cost_source': 'provider',
            'delivered_date': utils.parse_ms(delivery_ms),
        }])
        # Zalo re-delivers the event (at-least-once): nothing changes.
        write_date = message.write_date
        self.assertEqual(Provider._zalo_process_webhook(raw, headers), (200, 'duplicate'))
        self.assertEqual(message.write_date, write_date)
        # The billing of the fake agrees.
        self.assertEqual(self.zns.charges, [(message.provider_message_ref, 300.0)])

    def test_late_delivery_is_not_billed(self):
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        late_ms = self.zns.messages[message.provider_message_ref].sent_time + 7200000 + 60000
        self.zns.deliver(message.provider_message_ref, delivery_time=late_ms, webhook=False)
        raw, headers = self.zns.delivery_event(message.provider_message_ref)
        self.env['order.notify.provider']._zalo_process_webhook(raw, headers)
        self.assertRecordValues(message, [{'state': 'delivered', 'cost': 0.0, 'cost_source': 'none'}])
        self.assertEqual(self.zns.charges, [])

    def test_phone_without_zalo_falls_back_to_sms_and_is_remembered(self):
        self.zns.mark_no_zalo('0912345678')
        order = self._confirmed_order()
        self._dispatch()
        zalo_message = self._messages(order, event='placed', channel='zalo')
        sms_message = self._messages(order, event='placed', channel='sms')
        self.assertRecordValues(zalo_message, [{'state': 'skipped', 'reason_code': 'unreachable', 'error_code': '-118'}])
        self.assertRecordValues(sms_message, [{'state': 'queued', 'fallback_from_id': zalo_message.id}])
        self.assertEqual(len(self._sends()), 1)
        self.assertEqual(self.customer.zalo_unreachable_phone, '+84912345678')
        self._dispatch()
        messages = self._messages(order, event='placed')
        self.assertEqual(len(messages.filtered(lambda m: m.state in ('sent', 'delivered'))), 1)
        # The next event goes straight to SMS: Zalo is not asked again.
        self.zns.requests.clear()
        second = self._confirmed_order()
        self._dispatch()
        self.assertFalse(self._sends())
        self.assertRecordValues(self._messages(second, event='placed', channel='zalo'), [{
            'state': 'skipped', 'error_code': 'no_zalo_remembered',
        }])
        self.assertTrue(self._messages(second, event='placed', channel='sms'))
        # Weeks later, Zalo is tried again.
        self.customer.zalo_unreachable_date = fields.Datetime.now() - timedelta(days=29)
        self.zns.clear_phone_error('0912345678')
        third = self._confirmed_order()
        self._dispatch()
        self.assertEqual(len(self._sends()), 1)
        self.assertEqual(self._messages(third, event='placed', channel='zalo').state, 'sent')

    def test_too_long_and_missing_parameters_fail_before_http_and_fall_back(self):
        # An order reference cannot be shortened: too long for the template, the message fails on
        # Zalo with its reason and goes by SMS, whose text carries it.
        order = self._create_order(name='SO/' + 'HCM-' * 8 + '0001')
        order.action_confirm()
        self._dispatch()
        message = self._messages(order, event='placed', channel='zalo')
        self.assertEqual(message.state, 'failed')
        self.assertEqual(message.reason_code, 'invalid')
        self.assertIn('order_code', message.reason)
        self.assertIn('30', message.reason)
        self.assertFalse(self._sends())
        self.assertRecordValues(self._messages(order, event='placed', channel='sms'), [{
            'state': 'queued', 'fallback_from_id': message.id,
        }])
        # A required parameter mapped to nothing.
        self.template_placed.param_ids.filtered(lambda p: p.name == 'order_code').write(
            {'value_key': 'expression', 'expression': ''})
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed', channel='zalo')
        self.assertEqual(message.state, 'failed')
        self.assertIn('order_code', message.reason)
        self.assertNotIn('customer_name', message.reason)
        self.assertFalse(self._sends())
        self.assertTrue(self._messages(order, event='placed', channel='sms'))

    def test_length_is_measured_after_nfc_normalization(self):
        # 29 characters once composed, 35 code points decomposed: Zalo would count the latter (-1121).
        name = unicodedata.normalize('NFD', 'Nguyễn Thị Ánh Tuyết Hoàng')
        self.assertGreater(len(name), 30)
        self.customer.name = name
        order = self._confirmed_order()
        self._dispatch()
        self.assertEqual(self._messages(order, event='placed').state, 'sent')
        sent = json.loads(self._sends()[0].body)['template_data']['customer_name']
        self.assertEqual(sent, unicodedata.normalize('NFC', name))

    def test_test_mode_uses_development_mode_and_costs_nothing(self):
        self.provider.state = 'test'
        order = self._confirmed_order()
        self._dispatch()
        self.assertEqual(json.loads(self._sends()[0].body)['mode'], 'development')
        message = self._messages(order, event='placed')
        self.assertTrue(message.zalo_development)
        self.zns.deliver(message.provider_message_ref, webhook=False)
        raw, headers = self.zns.delivery_event(message.provider_message_ref)
        self.env['order.notify.provider']._zalo_process_webhook(raw, headers)
        self.assertRecordValues(message, [{'state': 'delivered', 'cost': 0.0}])

    def test_daily_quota_defers_to_next_day(self):
        self.zns.remaining_quota = 0
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertRecordValues(message, [{'state': 'queued', 'is_deferred': True, 'error_code': '-144'}])
        self.assertGreater(message.next_attempt_at, fields.Datetime.now() + timedelta(hours=1))
        self.assertFalse(self._messages(order, channel='sms'))

    def test_night_ban_defers_to_six_in_the_morning(self):
        self.zns.fail_next(-133)
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertEqual(message.state, 'queued')
        local = pytz.utc.localize(message.next_attempt_at).astimezone(pytz.timezone('Asia/Ho_Chi_Minh'))
        self.assertEqual((local.hour, local.minute), (6, 0))
        self.assertGreater(message.next_attempt_at, fields.Datetime.now())

    def test_out_of_balance_pauses_and_keeps_the_message(self):
        self.zns.wallet_balance = 0
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertEqual(message.state, 'queued')
        self.assertTrue(self.provider.is_paused)
        self.assertIn('-115', self.provider.zalo_balance_error)
        self.assertTrue(self.provider.activity_ids)
        # Topped up and resumed: the same message leaves, once.
        self.zns.wallet_balance = 100000
        self.provider.action_resume()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self._sends()), 2)
        self.assertFalse(self.provider.zalo_balance_error)

    def test_transient_errors_are_retried(self):
        self.zns.fail_next(http_status=502)
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertRecordValues(message, [{'state': 'queued', 'reason_code': 'transient', 'error_code': 'http_502'}])
        self.zns.fail_next(-100)
        message.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'queued', 'error_code': '-100'}])
        message.next_attempt_at = fields.Datetime.now()
        self._dispatch()
        self.assertEqual(message.state, 'sent')
        self.assertEqual(len(self._sends()), 3)

    def test_payload_error_from_zalo_fails_naming_parameters(self):
        self.zns.fail_next(-1121)
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed', channel='zalo')
        self.assertRecordValues(message, [{'state': 'failed', 'error_code': '-1121'}])
        self.assertIn('customer_name', message.reason)
        # What Zalo refuses, the SMS text may carry: the buyer still hears from the shop.
        self.assertRecordValues(self._messages(order, channel='sms'), [{
            'state': 'queued', 'fallback_from_id': message.id,
        }])

    def test_disabled_template_goes_by_sms_and_alerts(self):
        self.zns.templates['100001'].status = 'DISABLE'
        order = self._confirmed_order()
        self._dispatch()
        self.assertRecordValues(self._messages(order, channel='zalo'), [{
            'state': 'failed', 'reason_code': 'template', 'error_code': '-146',
        }])
        self.assertTrue(self._messages(order, channel='sms'))
        self.assertEqual(self.zns_templates['100001'].status, 'DISABLE')
        self.assertFalse(self.provider.is_paused)
        alert = self.provider.activity_ids
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.order_notify_alert_key, f'template-{self.template_placed.id}-placed')
        self.assertIn('ZNS placed', alert.summary)
        # The next message does not even ask Zalo, and alerts no one again.
        self.zns.requests.clear()
        second = self._confirmed_order()
        self._dispatch()
        self.assertFalse(self._sends())
        self.assertRecordValues(self._messages(second, channel='zalo'), [{
            'state': 'failed', 'error_code': 'zns_template_status',
        }])
        self.assertTrue(self._messages(second, channel='sms'))
        self.assertEqual(self.provider.activity_ids, alert)

    def test_refused_template_keeps_other_events_on_zalo(self):
        """Zalo stops approving the "placed" template: those messages fail on Zalo (and go by
        SMS), the admins are told once, and the "shipped" messages keep leaving by Zalo."""
        self._create_zns_template('shipped', '100003')
        self.zns.fail_next(-131)
        order = self._confirmed_order()
        self._dispatch()
        self.assertRecordValues(self._messages(order, channel='zalo'), [{
            'state': 'failed', 'reason_code': 'template', 'error_code': '-131',
        }])
        self.assertIn('not approved', self._messages(order, channel='zalo').reason)
        self.assertTrue(self._messages(order, channel='sms'), "the placed message goes by SMS")
        self.assertFalse(self.provider.is_paused, "one template does not stop the provider")
        self._ship(order)
        self._dispatch()
        shipped = self._messages(order, event='shipped')
        self.assertRecordValues(shipped, [{'channel': 'zalo', 'state': 'sent'}])
        self.assertEqual(len(self.provider.activity_ids), 1)

    def test_polling_marks_delivered(self):
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.provider._order_notify_fetch_status(message)
        self.assertEqual(message.state, 'sent')  # status 0: not yet
        self.zns.deliver(message.provider_message_ref, webhook=False)
        self.provider._order_notify_fetch_status(message)
        self.assertRecordValues(message, [{'state': 'delivered', 'cost': 300.0}])
        status_calls = self.zns.requests.filter(path='/message/status')
        self.assertEqual(status_calls[-1].query, {'message_id': message.provider_message_ref})

    def test_test_connection_reads_quota(self):
        answer = self.provider._order_notify_test_connection()
        self.assertIn('500', answer)
        self.assertEqual(self.zns.requests.last().path, '/message/quota')
