# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_loyalty.tests.common import ReviewCommon


@tagged('post_install', '-at_install')
class TestThankYouVoucher(ReviewCommon):
    """A real loyalty coupons program: one code per delivered order, in the thank-you, redeemed
    through Odoo's own reward flow on the next order; none when the program is off."""

    def test_one_code_per_order_in_the_thank_you(self):
        order = self._create_order()
        self._deliver(order)
        card = order.order_notify_voucher_id
        self.assertTrue(card)
        self.assertEqual(card.program_id, self.program)
        self.assertEqual(card.partner_id, self.customer)
        self.assertEqual(card.points, 1)
        self.assertEqual(card.order_id, order)
        self.assertEqual(card.expiration_date, fields.Date.context_today(card) + timedelta(days=30))
        order._order_notify_check_delivered()  # a second report of the delivery
        self.assertEqual(self.env['loyalty.card'].search_count([('order_id', '=', order.id)]), 1)
        self._dispatch()
        thanks = self._messages(order, event='delivered')
        self.assertEqual(thanks.state, 'delivered')
        self.assertIn(card.code, thanks.content)
        self.assertIn("10%", thanks.content)
        self.assertIn("cho lần mua sau", thanks.content, "in the buyer's Vietnamese")
        self.assertIn(card.expiration_date.strftime('%d/%m/%Y'), thanks.content)
        values = order._order_notify_get_values('delivered')
        self.assertEqual(values['voucher_code'], card.code)
        self.assertEqual(values['voucher_value'], "10%")

    def test_expiry_never_after_the_program_end(self):
        self.program.date_to = fields.Date.today() + timedelta(days=5)
        order = self._create_order()
        self._deliver(order)
        self.assertEqual(order.order_notify_voucher_id.expiration_date, self.program.date_to)

    def test_code_is_redeemed_on_a_new_order_the_odoo_way(self):
        order = self._create_order()
        self._deliver(order)
        card = order.order_notify_voucher_id
        again = self._create_order(qty=4)
        status = again._try_apply_code(card.code)
        self.assertNotIn('error', status)
        self.assertEqual(list(status), [card])
        again._apply_program_reward(status[card], card)
        reward_line = again.order_line.filtered('is_reward_line')
        self.assertEqual(reward_line.coupon_id, card)
        self.assertAlmostEqual(reward_line.price_subtotal, -100000.0, places=0, msg="10% of 4 x 250.000")
        again.action_confirm()
        self.assertEqual(card.points, 0, "single use: spent at confirmation")
        self.assertTrue(order.order_notify_voucher_used)
        third = self._create_order()
        self.assertIn('error', third._try_apply_code(card.code), "a used code is refused")

    def test_no_voucher_when_off_or_exhausted_the_thank_you_still_goes(self):
        cases = {
            'no program': lambda: setattr(self.company, 'order_notify_voucher_program_id', False),
            'archived': lambda: setattr(self.program, 'active', False),
            'ended': lambda: setattr(self.program, 'date_to', fields.Date.today() - timedelta(days=1)),
            'exhausted': lambda: self.program.write({'limit_usage': True, 'max_usage': 1, 'coupon_ids': [
                Command.create({'partner_id': self.customer.id, 'points': 1})]}),
        }
        for case, switch_off in cases.items():
            with self.subTest(case=case):
                self.program.write({'active': True, 'date_to': False, 'limit_usage': False})
                self.company.order_notify_voucher_program_id = self.program
                switch_off()
                order = self._create_order()
                self._deliver(order)
                self.assertFalse(order.order_notify_voucher_id)
                self._dispatch()
                thanks = self._messages(order, event='delivered')
                self.assertEqual(thanks.state, 'delivered')
                self.assertNotIn("voucher", thanks.content.lower())
