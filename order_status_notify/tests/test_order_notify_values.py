# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re
import unicodedata

from odoo.tests import Form, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon
from odoo.addons.order_status_notify.utils import extract_mobiles, shorten_text, text_length

COD = re.compile(r'Vui lòng chuẩn bị (\d{1,3}(?:\.\d{3})+)\s?₫ khi nhận hàng')


@tagged('post_install', '-at_install')
class TestOrderNotifyValues(OrderNotifyCommon):
    """What the messages say: each parcel's amount to collect, the order's new life after a
    cancellation, the cancellation reason, the numbers buyers type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def _cod_told(self, message):
        """The amount the shipping message asks the buyer to prepare (0 when prepaid)."""
        match = COD.search(message.content)
        if not match:
            self.assertIn("không cần trả thêm", message.content)
            return 0
        return int(match.group(1).replace('.', ''))

    def _order_with_delivery_fee(self, qty=4):
        order = self._create_order(qty=qty)
        order.set_delivery_line(self.carrier, 30000.0)
        order.action_confirm()
        return order

    def _pay_part(self, order, amount):
        invoice = order._create_invoices()
        invoice.action_post()
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'amount': amount})._create_payments()
        return invoice

    def _return(self, picking):
        wizard = self.env['stock.return.picking'].with_context(
            active_id=picking.id, active_model='stock.picking',
        ).create({})
        wizard.product_return_moves.quantity = 1
        return self.env['stock.picking'].browse(wizard.action_create_returns()['res_id'])

    # === Item 4: each parcel states its own amount to collect === #

    def test_split_delivery_parcels_state_their_own_amount(self):
        order = self._order_with_delivery_fee(qty=4)
        goods = order.order_line.filtered(lambda l: l.product_id == self.product)
        to_collect = order._order_notify_amount_to_collect()
        self.assertEqual(to_collect, order.amount_total)
        first = self._ship(order, tracking_ref='GHN1', qty=1, backorder=True)
        self._dispatch()
        second = order.picking_ids.filtered(lambda p: p.backorder_id == first)
        # The backorder's prefill follows the split: 3 items, no delivery fee.
        self.assertAlmostEqual(second.order_notify_cod_amount, order.currency_id.round(goods.price_total * 3 / 4))
        self._ship(order, tracking_ref='GHN2')
        self._dispatch()
        shipped = self._messages(order, event='shipped')
        self.assertEqual(shipped.picking_id, first | second)
        told = {message.picking_id: self._cod_told(message) for message in shipped}
        # 1 of 4 items and the delivery fee, then the 3 others: not the whole order twice.
        self.assertEqual(told[first], round(goods.price_total / 4 + order.amount_total - goods.price_total))
        self.assertEqual(told[second], round(goods.price_total * 3 / 4))
        self.assertEqual(sum(told.values()), round(to_collect))
        self.assertEqual(first.order_notify_cod_amount + second.order_notify_cod_amount, to_collect)

    def test_partially_prepaid_order_is_consumed_by_the_first_parcels(self):
        order = self._order_with_delivery_fee(qty=4)
        prepaid = order.currency_id.round(order.amount_total / 2)
        self._pay_part(order, prepaid)
        to_collect = order._order_notify_amount_to_collect()
        self.assertEqual(to_collect, order.amount_total - prepaid)
        first = self._ship(order, tracking_ref='GHN1', qty=1, backorder=True)
        second = self._ship(order, tracking_ref='GHN2')
        self._dispatch()
        messages = {m.picking_id: m for m in self._messages(order, event='shipped')}
        # The prepaid half covers the first parcel (a quarter of the goods and the fee): nothing
        # to pay at the door; the second parcel carries what is left to pay.
        self.assertEqual(self._cod_told(messages[first]), 0)
        self.assertEqual(self._cod_told(messages[second]), round(to_collect))
        self.assertEqual(first.order_notify_cod_amount + second.order_notify_cod_amount, to_collect)

    def test_amount_edited_before_validation_is_told(self):
        order = self._create_order(qty=2)
        order.action_confirm()
        picking = order.picking_ids
        self.assertEqual(picking.order_notify_cod_amount, order.amount_total)
        # The buyer paid part in cash at the counter: the warehouse corrects the amount on the form.
        with Form(picking) as form:
            form.order_notify_cod_amount = 100000.0
        self.assertEqual(picking.order_notify_cod_amount, 100000.0)
        self._ship(order, tracking_ref='GHN1', qty=1, backorder=True)
        self.assertEqual(picking.order_notify_cod_amount, 100000.0, "validation keeps the edited amount")
        self._dispatch()
        self.assertEqual(self._cod_told(self._messages(order, event='shipped')), 100000)

    def test_return_and_exchange_parcels_collect_nothing(self):
        order = self._create_order(qty=2)
        order.action_confirm()
        picking = self._ship(order)
        self.assertEqual(picking.order_notify_cod_amount, order.amount_total)
        returned = self._return(picking)
        self.assertEqual(returned.picking_type_code, 'incoming')
        self.assertEqual(returned.order_notify_cod_amount, 0.0)
        returned.move_ids.quantity = 1
        returned.move_ids.picked = True
        returned._action_done()
        # The exchange: a return of the return, going out to the buyer again.
        exchange = self._return(returned)
        self.assertEqual((exchange.picking_type_code, exchange.sale_id), ('outgoing', order))
        self.assertEqual(exchange.order_notify_cod_amount, 0.0)
        self._ship(order, tracking_ref='GHN-EXCHANGE')
        self._dispatch()
        message = self._messages(order, event='shipped', picking_id=exchange.id)
        self.assertEqual(self._cod_told(message), 0)

    # === Item 5: a re-confirmed order is told again === #

    def test_reconfirmed_order_is_told_again(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        first_placed = self._messages(order, event='placed')
        first_key = first_placed.idempotency_key
        self.assertNotIn('-r', first_key.split(f'-{order.id}-')[1])
        order.with_context(disable_cancel_warning=True).action_cancel()
        self._dispatch()
        self.assertEqual(self._messages(order, event='cancelled').state, 'delivered')
        order.action_draft()
        order.action_confirm()
        self._dispatch()
        placed = self._messages(order, event='placed')
        self.assertEqual(len(placed), 2)
        self.assertEqual(placed[0].idempotency_key, first_key, "the first life's key does not change")
        self.assertEqual((placed[1].state, placed[1].revision), ('delivered', 2))
        self.assertTrue(placed[1].idempotency_key.endswith('-r2'))
        self.assertEqual(self._messages(order)[-1], placed[1], "the buyer's last message is the new placed one")
        # The new life goes on as usual: shipped, and a second cancellation is told again.
        self._ship(order)
        self._dispatch()
        self.assertEqual(self._messages(order, event='shipped').state, 'delivered')

    def test_cancellation_not_sent_yet_is_dropped_when_confirmed_again(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        order.with_context(disable_cancel_warning=True).action_cancel()
        order.action_draft()
        order.action_confirm()
        self._dispatch()
        cancelled = self._messages(order, event='cancelled')
        self.assertEqual((cancelled.state, cancelled.reason_code), ('cancelled', 'order_confirmed_again'))
        self.assertEqual([m.state for m in self._messages(order, event='placed')], ['delivered', 'delivered'])

    # === Item 7: no dangling label, the reason from the cancel dialog === #

    def _cancel_with_wizard(self, order, reason):
        wizard = self.env['sale.order.cancel'].create({'order_id': order.id, 'order_notify_cancel_reason': reason})
        wizard.action_cancel()
        self._dispatch()
        return self._messages(order, event='cancelled')

    def test_cancellation_reason_from_the_dialog(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        message = self._cancel_with_wizard(order, " Hết hàng ")
        self.assertEqual(order.state, 'cancel')
        self.assertIn(f"Đơn {order.name} đã được hủy. Lý do: Hết hàng. Cần hỗ trợ", message.content)

    def test_cancellation_without_reason_has_no_empty_label(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        message = self._cancel_with_wizard(order, False)
        self.assertIn(f"Đơn {order.name} đã được hủy. Cần hỗ trợ", message.content)
        self.assertNotIn("Lý do", message.content)
        self.assertNotRegex(message.content, r'\s[.,:]|: *\.')
        # Provider templates with a fixed "Lý do:" label get a sentence, never an empty value.
        values = order._order_notify_get_values('cancelled')
        self.assertEqual(values['cancel_reason_value'], '')
        self.assertTrue(values['cancel_reason'])

    # === Item 8: long values are shortened at a word boundary === #

    def test_shorten_text_at_word_boundary_after_nfc(self):
        name = "Công ty Trách nhiệm Hữu hạn Thương mại Dịch vụ Hoa Mai"
        short = shorten_text(name, 30)
        self.assertEqual(short, "Công ty Trách nhiệm Hữu hạn…")
        self.assertLessEqual(text_length(short), 30)
        self.assertEqual(shorten_text("Nguyễn Văn An", 30), "Nguyễn Văn An")
        self.assertEqual(shorten_text("x" * 50, 10), "x" * 9 + "…")
        # A decomposed name that fits once composed is not cut.
        decomposed = unicodedata.normalize('NFD', "Nguyễn Thị Ánh Tuyết Hoàng")
        self.assertGreater(len(decomposed), 30)
        self.assertEqual(shorten_text(decomposed, 30), unicodedata.normalize('NFC', decomposed))

    def test_long_product_list_is_cut_at_a_word(self):
        self.product.name = "Áo thun cotton cổ tròn tay ngắn in hình hoa sen màu xanh lá cây đậm size XL cho nam " * 2
        order = self._create_order()
        full = f"2 x {self.product.name}"
        summary = order._order_notify_get_values('placed')['product_summary']
        self.assertLessEqual(len(summary), 100)
        self.assertTrue(summary.endswith('…'))
        prefix = summary[:-1]
        self.assertTrue(full.startswith(prefix))
        self.assertIn(full[len(prefix)], ' ,', "cut between two words")

    # === Item 9: phones as buyers type them === #

    def test_numbers_as_buyers_type_them(self):
        cases = {
            "0912 345 678 / 0987 654 321": ['+84912345678', '+84987654321'],
            "0912345678 - 0987654321": ['+84912345678', '+84987654321'],
            "0912345678 (chồng)": ['+84912345678'],
            "0912345678 gọi giờ hành chính": ['+84912345678'],
            "0912345678/0987654321": ['+84912345678', '+84987654321'],
            "0912 345 678 0987 654 321": ['+84912345678', '+84987654321'],
            "0912.345.678, 0987-654-321": ['+84912345678', '+84987654321'],
            "028 3822 1234 / 0912345678": ['+84912345678'],
            "0912345678 hoặc 0912345678": ['+84912345678'],
            "+84 912 345 678": ['+84912345678'],
        }
        for raw, expected in cases.items():
            self.assertEqual(extract_mobiles(raw, self.vn), (expected, False), raw)
        self.assertEqual(extract_mobiles("028 3822 1234 / 028 3822 5678", self.vn), ([], 'landline'))
        self.assertEqual(extract_mobiles("gọi trước khi giao", self.vn), ([], 'invalid_phone'))

    def test_first_number_is_messaged_and_others_kept(self):
        partner = self.env['res.partner'].create({
            'name': 'Trần Thị Bình', 'country_id': self.vn.id, 'mobile': "0912 345 678 / 0987 654 321",
        })
        order = self._create_order(partner=partner)
        order.action_confirm()
        self._dispatch()
        message = self._messages(order)
        self.assertRecordValues(message, [{
            'state': 'delivered', 'phone': '+84912345678', 'alternative_phones': '+84987654321',
        }])
        husband = self.env['res.partner'].create({
            'name': 'Lê Thị Cúc', 'country_id': self.vn.id, 'mobile': "0912345678 (chồng)",
        })
        order = self._create_order(partner=husband)
        order.action_confirm()
        self._dispatch()
        self.assertRecordValues(self._messages(order), [{'state': 'delivered', 'phone': '+84912345678'}])
