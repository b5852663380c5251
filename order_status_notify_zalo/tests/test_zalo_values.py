# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json

from odoo.tests import tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloValues(ZaloCommon):
    """The values a ZNS carries, over real HTTP to the fake Zalo: long names shortened, each
    parcel's amount, the cancellation reason, the buyer's other numbers."""

    def _sent_data(self, message):
        return self.zns.messages[message.provider_message_ref].data

    def test_300_character_name_is_shortened_and_sent(self):
        words = "Nguyễn Thị Ánh Tuyết Hoàng Phương Thảo Trang Linh Đặng Lê"
        name = (words + " ") * 6
        name = name[:300]
        self.assertEqual(len(name), 300)
        self.customer.name = name
        order = self._confirmed_order()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertEqual(message.state, 'sent', message.reason)
        self.assertFalse(self._messages(order, channel='sms'))
        sent = json.loads(self._sends()[0].body)['template_data']['customer_name']
        self.assertLessEqual(len(sent), 30)
        self.assertTrue(sent.endswith('…'))
        self.assertTrue(name.startswith(sent[:-1]))
        self.assertEqual(name[len(sent) - 1], ' ', "cut at a word boundary")
        self.assertEqual(message.params['customer_name'], sent)

    def test_each_parcel_tells_its_own_cod_amount(self):
        self._create_zns_template('shipped', '100003')
        order = self._confirmed_order(qty=4)
        first = self._ship(order, tracking_ref='GHN1', qty=1, backorder=True)
        second = self._ship(order, tracking_ref='GHN2')
        self._dispatch()
        shipped = {m.picking_id: m for m in self._messages(order, event='shipped')}
        amounts = {picking: int(self._sent_data(shipped[picking])['cod_amount']) for picking in (first, second)}
        self.assertEqual(amounts[first], round(order.amount_total / 4))
        self.assertEqual(amounts[second], round(order.amount_total * 3 / 4))
        self.assertEqual(sum(amounts.values()), round(order._order_notify_amount_to_collect()))

    def test_cancellation_reason_is_never_an_empty_label(self):
        self._create_zns_template('cancelled', '100005')
        line = self.env['order.notify.template'].search([('provider_template_ref', '=', '100005')]).param_ids.filtered(
            lambda p: p.name == 'cancel_reason')
        self.assertEqual(line.value_key, 'cancel_reason', "the suggested mapping feeds the reason")
        order = self._confirmed_order()
        self._dispatch()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self._dispatch()
        message = self._messages(order, event='cancelled')
        self.assertEqual(message.state, 'sent', message.reason)
        reason = self._sent_data(message)['cancel_reason']
        self.assertEqual(reason, "vui lòng liên hệ shop để biết thêm chi tiết")
        inbox_text = self.zns.messages[message.provider_message_ref].entry.text
        self.assertNotIn("Lý do: .", inbox_text)
        # Given in the cancel dialog, the reason is told.
        order = self._confirmed_order()
        self._dispatch()
        self.env['sale.order.cancel'].create({
            'order_id': order.id, 'order_notify_cancel_reason': "Hết hàng",
        }).action_cancel()
        self._dispatch()
        message = self._messages(order, event='cancelled')
        self.assertEqual(self._sent_data(message)['cancel_reason'], "Hết hàng")

    def test_second_number_is_tried_on_zalo_before_sms(self):
        self.zns.mark_no_zalo('0912345678')
        self.customer.mobile = "0912 345 678 / 0987 654 321"
        order = self._confirmed_order()
        self._dispatch()
        first, second = self._messages(order, event='placed', channel='zalo')
        self.assertRecordValues(first, [{'state': 'skipped', 'error_code': '-118', 'phone': '+84912345678'}])
        self.assertRecordValues(second, [{
            'state': 'queued', 'phone': '+84987654321', 'fallback_from_id': first.id,
        }])
        self._dispatch()
        self.assertEqual(second.state, 'sent', second.reason)
        self.assertEqual(json.loads(self._sends()[-1].body)['phone'], '84987654321')
        self.assertFalse(self._messages(order, channel='sms'), "reached on Zalo: no SMS")
        # Neither number has Zalo: SMS to the first number.
        self.zns.mark_no_zalo('0987654321')
        order = self._confirmed_order()
        self._dispatch()
        self._dispatch()
        sms = self._messages(order, event='placed', channel='sms')
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.phone, '+84912345678')
