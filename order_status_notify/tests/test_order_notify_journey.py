# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import format_amount

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# 10:00 in Hồ Chí Minh City: inside every sending window.
MORNING = datetime(2026, 3, 10, 3, 0, 0)


@tagged('post_install', '-at_install')
class TestOrderNotifyOrderChanged(OrderNotifyCommon):
    """A confirmed order edited before its parcel leaves: one message per burst of edits, saying
    what changed, to the order's notification phone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def _vnd(self, order, amount):
        return format_amount(self.env(context={'lang': 'vi_VN'}), amount, order.currency_id)

    def test_edits_in_a_row_make_one_message_saying_what_changed(self):
        with freeze_time(MORNING):
            order = self._create_order(qty=2)
            order.action_confirm()
            self._dispatch()
            cod_before = order._order_notify_amount_to_collect()
            with Form(order) as form, form.order_line.edit(0) as line:
                line.product_uom_qty = 4
        with freeze_time(MORNING + timedelta(minutes=3)):
            # A second edit three minutes later: still one message, pushed back 10 minutes.
            with Form(order) as form:
                form.order_notify_phone = '0987 654 321'
            changed = self._messages(order, event='order_changed')
            self.assertEqual(len(changed), 1)
            self.assertEqual(changed.state, 'queued')
            self.assertEqual(changed.reason_code, 'merge_hold')
            self.assertEqual(changed.next_attempt_at, MORNING + timedelta(minutes=13))
            self._dispatch()
            self.assertEqual(changed.state, 'queued', "sent only once the edits stopped for 10 minutes")
        with freeze_time(MORNING + timedelta(minutes=14)):
            self._dispatch()
        cod_after = order._order_notify_amount_to_collect()
        self.assertEqual(changed.state, 'delivered')
        self.assertEqual(changed.phone, '+84987654321', "the notification phone of the order, not the contact's")
        self.assertIn('+84912345678', changed.alternative_phones, "the contact's number stays an alternative")
        self.assertEqual(self.customer.mobile, '0912 345 678', "the contact is not edited")
        self.assertIn(f"Đơn {order.name} đã được cập nhật", changed.content)
        self.assertIn(
            f"Số tiền cần thanh toán khi nhận hàng: {self._vnd(order, cod_before)} → {self._vnd(order, cod_after)}",
            changed.content,
        )
        self.assertIn("Số điện thoại nhận hàng: 0912 345 678 → 0987 654 321", changed.content)
        self.assertIn("Sản phẩm: 2 x Áo thun → 4 x Áo thun", changed.content)

        # A later edit, once the first message left, is a new message telling only what is new.
        with freeze_time(MORNING + timedelta(minutes=30)):
            shipping = self.env['res.partner'].create({
                'name': 'Trần Thị Bình', 'parent_id': self.customer.id, 'type': 'delivery',
                'street': '12 Lê Lợi', 'city': 'Hồ Chí Minh', 'country_id': self.vn.id,
            })
            with Form(order) as form:
                form.partner_shipping_id = shipping
                form.order_notify_phone = '0987 654 321'  # the buyer still wants this number
        with freeze_time(MORNING + timedelta(minutes=41)):
            self._dispatch()
        second = self._messages(order, event='order_changed') - changed
        self.assertEqual(len(second), 1)
        self.assertEqual(second.state, 'delivered')
        self.assertIn("Địa chỉ nhận hàng: Nguyễn Văn An", second.content)
        self.assertIn("→ Trần Thị Bình, 12 Lê Lợi, Hồ Chí Minh", second.content)
        self.assertNotIn("Sản phẩm", second.content)

    def test_edit_undone_cancels_the_message(self):
        with freeze_time(MORNING):
            order = self._create_order(qty=2)
            order.action_confirm()
            self._dispatch()
            order.write({'order_line': [(1, order.order_line.id, {'product_uom_qty': 3})]})
            changed = self._messages(order, event='order_changed')
            self.assertEqual(changed.state, 'queued')
            order.write({'order_line': [(1, order.order_line.id, {'product_uom_qty': 2})]})
            self.assertEqual(changed.state, 'cancelled')
            self.assertEqual(changed.reason_code, 'changes_undone')

    def test_no_message_before_confirmation_or_after_the_parcel_left(self):
        with freeze_time(MORNING):
            order = self._create_order(qty=2)
            order.write({'order_line': [(1, order.order_line.id, {'product_uom_qty': 3})]})
            order.action_confirm()
            self._ship(order)
            order.write({'order_notify_phone': '0987 654 321'})
        self.assertFalse(self._messages(order, event='order_changed'))

    def test_notification_phone_defaults_from_the_shipping_contact(self):
        shipping = self.env['res.partner'].create({
            'name': 'Người nhận', 'parent_id': self.customer.id, 'type': 'delivery', 'mobile': '0933 111 222',
        })
        order = self._create_order(partner_shipping_id=shipping.id)
        self.assertEqual(order.order_notify_phone, '0933 111 222')
        self.assertEqual(order._order_notify_get_phones(), (['+84933111222'], False))
        order.order_notify_phone = '0987 654 321'
        self.assertEqual(order._order_notify_get_phones(), (['+84987654321', '+84933111222'], False))
        self.assertEqual(order._order_notify_typed_numbers()[0], '0987 654 321')
        # A buyer who asked for no messages gets none, whatever number the order has.
        self.customer.order_notify_opt_out = True
        shipping.order_notify_opt_out = True
        self.assertEqual(order._order_notify_get_phones(), ([], 'opted_out'))


@tagged('post_install', '-at_install')
class TestOrderNotifyReturnRefund(OrderNotifyCommon):
    """Goods returned through Odoo's return wizard, and the credit note paid to the buyer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def test_return_received_tells_the_buyer_with_the_value(self):
        order = self._create_order(qty=2)
        order.action_confirm()
        picking = self._ship(order)
        wizard = Form(self.env['stock.return.picking'].with_context(
            active_id=picking.id, active_ids=picking.ids, active_model='stock.picking',
        )).save()
        wizard.product_return_moves.quantity = 1
        action = wizard.action_create_returns()
        returned = self.env['stock.picking'].browse(action['res_id'])
        self.assertEqual(returned.return_id, picking)
        self.assertFalse(self._messages(order, event='return_received'), "not before the goods are back")
        returned.move_ids.quantity = 1
        returned.move_ids.picked = True
        returned.button_validate()
        self.assertEqual(returned.state, 'done')
        self._dispatch()
        message = self._messages(order, event='return_received')
        self.assertEqual(len(message), 1)
        self.assertEqual(message.state, 'delivered')
        self.assertEqual(message.picking_id, returned)
        line = order.order_line.filtered(lambda l: l.product_id == self.product)
        value = format_amount(self.env(context={'lang': 'vi_VN'}), line.price_total / 2, order.currency_id)
        self.assertIn(f"Đã nhận hàng hoàn của đơn {order.name}: 1 x Áo thun ({value})", message.content)
        # Validating again (or another hook) changes nothing: one message per return.
        returned._action_done()
        self.assertEqual(len(self._messages(order, event='return_received')), 1)

    def test_refund_paid_tells_the_buyer_with_the_amount(self):
        order = self._create_order(qty=2)
        order.action_confirm()
        invoice = self._pay_invoice(order)
        self._dispatch()
        reversal = self.env['account.move.reversal'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'journal_id': invoice.journal_id.id, 'reason': "Khách trả hàng"})
        refund = self.env['account.move'].browse(reversal.refund_moves()['res_id'])
        self.assertEqual(refund.move_type, 'out_refund')
        refund.invoice_line_ids.quantity = 1  # half of the order is refunded
        refund.action_post()
        self.assertFalse(self._messages(order, event='refunded'), "posted is not paid")
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=refund.ids,
        ).create({})._create_payments()
        self.assertIn(refund.payment_state, ('paid', 'in_payment'))
        self._dispatch()
        message = self._messages(order, event='refunded')
        self.assertEqual(len(message), 1)
        self.assertEqual(message.state, 'delivered')
        amount = format_amount(self.env(context={'lang': 'vi_VN'}), refund.amount_total, order.currency_id)
        self.assertIn(f"Đã hoàn {amount} cho đơn {order.name}", message.content)


@tagged('post_install', '-at_install')
class TestOrderNotifyPlans(OrderNotifyCommon):
    """Message plans: presets of the events a company sends, that the admin can still fine-tune."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def _active_events(self):
        routes = self.env['order.notify.route'].search([('company_id', '=', self.company.id)])
        return set(routes.mapped('event'))

    def test_essential_plan_sends_the_parcel_and_the_thank_you_only(self):
        settings = self.env['res.config.settings'].create({'order_notify_plan': 'essential'})
        settings.execute()
        self.assertEqual(self.company.order_notify_plan, 'essential')
        self.assertEqual(self._active_events(), {'shipped', 'delivered'})
        order = self._create_order()
        order.action_confirm()
        picking = self._ship(order)
        picking.action_order_notify_mark_delivered()
        self._dispatch()
        self.assertEqual(self._messages(order).mapped('event'), ['shipped', 'delivered'])
        shipped = self._messages(order, event='shipped')
        self.assertIn("Vui lòng chuẩn bị", shipped.content, "the one message before delivery has the amount")

    def test_full_plan_switches_every_event_on_and_fine_tuning_makes_it_custom(self):
        self.company.order_notify_plan = 'full'
        events = set(self.env['order.notify.registry']._get_events())
        self.assertEqual(self._active_events(), events)
        self.assertIn('cart_abandoned', events)
        route = self.env['order.notify.route'].search([('company_id', '=', self.company.id), ('event', '=', 'paid')])
        route.active = False
        self.assertEqual(self.company.order_notify_plan, 'custom')
        self.assertNotIn('paid', self._active_events())

    def test_new_events_follow_the_company_plan(self):
        """Routes created later (a channel or event installed after the plan was chosen) follow it."""
        self.company.order_notify_plan = 'essential'
        Route = self.env['order.notify.route'].with_context(active_test=False)
        Route.search([('company_id', '=', self.company.id), ('event', 'in', ('placed', 'shipped'))]).unlink()
        Route._order_notify_create_defaults(self.company)
        created = Route.search([('company_id', '=', self.company.id), ('event', 'in', ('placed', 'shipped'))])
        self.assertEqual({(r.event, r.active) for r in created}, {('placed', False), ('shipped', True)})
