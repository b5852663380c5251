# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re

from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

VND_AMOUNT = r'\d{1,3}(?:\.\d{3})+\s?₫'


@tagged('post_install', '-at_install')
class TestOrderNotifyFlow(OrderNotifyCommon):
    """The chain of messages an order produces, end to end through the sandbox provider."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def _events(self, order):
        return [(m.event, m.state) for m in self._messages(order)]

    def test_full_chain_in_vietnamese(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        placed = self._messages(order, event='placed')
        self.assertEqual(placed.state, 'delivered')
        self.assertEqual(placed.phone, '+84912345678')
        self.assertIn(f"Cảm ơn Nguyễn Văn An đã đặt đơn {order.name}", placed.content)
        self.assertRegex(placed.content, VND_AMOUNT)

        # Unpaid order handed to the carrier: the buyer prepares the full amount.
        picking = self._ship(order, tracking_ref='GHN123456')
        self._dispatch()
        shipped = self._messages(order, event='shipped')
        self.assertEqual(shipped.state, 'delivered')
        self.assertEqual(shipped.picking_id, picking)
        self.assertIn("qua Giao Hàng Nhanh", shipped.content)
        self.assertIn("mã vận đơn GHN123456", shipped.content)
        cod = re.search(r'Vui lòng chuẩn bị (' + VND_AMOUNT + ') khi nhận hàng', shipped.content)
        self.assertTrue(cod, shipped.content)
        self.assertEqual(int(re.sub(r'\D', '', cod.group(1))), int(order.amount_total))

        # The buyer receives the parcel: thank-you.
        picking.action_order_notify_mark_delivered()
        self._dispatch()
        delivered = self._messages(order, event='delivered')
        self.assertEqual(delivered.state, 'delivered')
        self.assertIn("đã giao thành công", delivered.content)

        # COD cash registered after the thank-you left: not a second message, and the reason says
        # what happened (the buyer was already thanked), not that it was merged.
        self._pay_invoice(order)
        self._dispatch()
        paid = self._messages(order, event='paid')
        self.assertEqual(paid.state, 'skipped')
        self.assertEqual(paid.reason_code, 'already_thanked')
        self.assertIn("already thanked", paid.reason)
        self.assertNotIn("Merged", paid.reason)
        self.assertEqual(
            self._events(order),
            [('placed', 'delivered'), ('shipped', 'delivered'), ('delivered', 'delivered'), ('paid', 'skipped')],
        )

    def test_prepaid_order_paid_then_nothing_to_collect(self):
        order = self._create_order()
        order.action_confirm()
        self._pay_invoice(order)
        self._dispatch()
        paid = self._messages(order, event='paid')
        self.assertEqual(paid.state, 'delivered')
        self.assertIn(f"cho đơn {order.name}", paid.content)
        self._ship(order)
        self._dispatch()
        shipped = self._messages(order, event='shipped')
        self.assertIn("Đơn đã thanh toán, không cần trả thêm khi nhận hàng.", shipped.content)

    def test_cancel_after_placed_was_told(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self._dispatch()
        cancelled = self._messages(order, event='cancelled')
        self.assertEqual(cancelled.state, 'delivered')
        self.assertIn(f"Đơn {order.name} đã được hủy", cancelled.content)
        self.assertIn("028 3822 1234", cancelled.content)

    def test_cancel_before_placed_left(self):
        """The buyer was never told the order was placed: no 'cancelled' message, and the
        queued 'placed' message is cancelled instead of sent."""
        order = self._create_order()
        order.action_confirm()
        order.with_context(disable_cancel_warning=True).action_cancel()
        self._dispatch()
        self.assertEqual(self._events(order), [('placed', 'cancelled')])

    def test_no_duplicates(self):
        order = self._create_order(qty=4)
        order.action_confirm()
        order._action_confirm()  # a second confirmation hook (another module, a retry)
        self._dispatch()
        # Partial delivery: first parcel, then the backorder is a new parcel.
        first = self._ship(order, tracking_ref='GHN1', qty=1, backorder=True)
        first._action_done()  # re-validation hook on a done picking
        self._dispatch()
        backorder = order.picking_ids.filtered(lambda p: p.backorder_id == first)
        self.assertTrue(backorder)
        second = self._ship(order, tracking_ref='GHN2')
        self.assertEqual(second, backorder)
        self._dispatch()
        # Both payment hooks fire, twice.
        self._pay_invoice(order)
        order._order_notify_check_paid()
        self._dispatch()
        shipped = self._messages(order, event='shipped')
        self.assertEqual(shipped.picking_id, first | second)
        self.assertEqual(len(self._messages(order, event='placed')), 1)
        paid = self._messages(order, event='paid')
        self.assertEqual(len(paid), 1)
        # Paid while the parcels are on their way (COD): held for the thank-you.
        self.assertEqual((paid.state, paid.reason_code, paid.is_deferred), ('queued', 'merge_hold', True))
        self.assertTrue(all(m.state == 'delivered' for m in self._messages(order) - paid))
        # One message per order state: marking both parcels received gives one thank-you.
        first.action_order_notify_mark_delivered()
        self.assertFalse(self._messages(order, event='delivered'), "not every parcel arrived yet")
        second.action_order_notify_mark_delivered()
        self.assertEqual(len(self._messages(order, event='delivered')), 1)

    def test_event_switched_off(self):
        self.env['order.notify.route'].search([('event', '=', 'placed'), ('company_id', '=', self.company.id)]).active = False
        order = self._create_order()
        order.action_confirm()
        self.assertFalse(self._messages(order))

    def test_no_provider_is_visible(self):
        self.sms.state = 'disabled'
        order = self._create_order()
        order.action_confirm()
        message = self._messages(order)
        self.assertEqual((message.state, message.reason_code), ('skipped', 'no_provider'))

    def test_bad_template_fails_with_reason_and_order_confirms(self):
        self.env.ref('order_status_notify_sms.template_sms_placed').body = "{{ object.no_such_field }}"
        order = self._create_order()
        order.action_confirm()
        self.assertEqual(order.state, 'sale')
        self._dispatch()
        message = self._messages(order)
        self.assertEqual((message.state, message.reason_code), ('failed', 'render_error'))
        self.assertTrue(message.reason)

    def test_template_preview(self):
        order = self._create_order()
        order.action_confirm()
        template = self.env.ref('order_status_notify_sms.template_sms_placed')
        template.preview_order_id = order
        self.assertIn(order.name, template.preview_content)

    def test_send_test_wizard(self):
        order = self._create_order()
        order.action_confirm()
        wizard = self.env['order.notify.send.test'].create({
            'provider_id': self.sms.id,
            'template_id': self.env.ref('order_status_notify_sms.template_sms_shipped').id,
            'order_id': order.id,
            'phone': '098 765 4321',
        })
        action = wizard.action_send()
        self.assertEqual(action['params']['type'], 'success')
        test_message = self.env['order.notify.message'].search([('is_test', '=', True)])
        self.assertEqual((test_message.phone, test_message.state), ('+84987654321', 'delivered'))
