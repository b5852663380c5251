# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.order_status_notify_loyalty.tests.common import ReviewCommon


@tagged('post_install', '-at_install')
class TestReturnReport(ReviewCommon):
    """The shop owner's report against totals computed by hand from the messages, ratings and
    vouchers of three orders."""

    def test_figures_per_month_and_channel(self):
        self.provider.unit_cost = 800.0
        orders = [self._create_order(partner=self.customer) for _i in range(3)]
        for order in orders:
            self._deliver(order)
        self._dispatch()
        for order in orders:
            self._ready_review_request(order)
        self._dispatch()
        # Ratings 5, 2, and none; the first buyer's voucher is redeemed on a 4-shirt order.
        orders[0]._order_notify_apply_review(orders[0]._order_notify_get_rating(), 5, "Tốt")
        orders[1]._order_notify_apply_review(orders[1]._order_notify_get_rating(), 2, "Chậm")
        card = orders[0].order_notify_voucher_id
        again = self._create_order(qty=4)
        status = again._try_apply_code(card.code)
        again._apply_program_reward(status[card], card)
        again.action_confirm()
        self.env.flush_all()

        messages = self.env['order.notify.message'].search([
            ('order_id', 'in', [o.id for o in orders] + [again.id]), ('sent_date', '!=', False),
        ])
        self.assertEqual(set(messages.mapped('channel')), {'sms'})
        expected = {
            'message_count': len(messages),
            'cost': sum(messages.mapped('cost')),
            'rating_count': 2,
            'rating_avg': 3.5,
            'rating_1': 0, 'rating_2': 1, 'rating_3': 0, 'rating_4': 0, 'rating_5': 1,
            'voucher_issued_count': 3,
            'voucher_redeemed_count': 1,
            'redeemed_revenue': again.amount_total,
        }
        # 3 x (placed, shipped, delivered, review request); the new order's message has not left
        self.assertEqual(expected['message_count'], 12)
        self.assertGreater(expected['cost'], 0)
        summary = self.env['order.notify.return.summary'].search([
            ('company_id', '=', self.company.id), ('channel', '=', 'sms'),
        ])
        self.assertEqual(len(summary), 1, "one month, one channel")
        for field, value in expected.items():
            self.assertAlmostEqual(summary[field], value, places=2, msg=field)
        self.assertAlmostEqual(summary.return_on_cost, round(again.amount_total / expected['cost'], 2), places=2)

        # The pivot reads the same sums, and the drill-down opens the orders.
        Report = self.env['order.notify.return.report']
        [group] = Report.read_group(
            [('company_id', '=', self.company.id)],
            ['message_count:sum', 'cost:sum', 'rating:avg', 'rating_count:sum', 'voucher_issued_count:sum',
             'voucher_redeemed_count:sum', 'redeemed_revenue:sum'], ['channel'],
        )
        self.assertEqual(group['message_count'], 12)
        self.assertAlmostEqual(group['rating'], 3.5)
        self.assertEqual(group['voucher_redeemed_count'], 1)
        self.assertAlmostEqual(group['redeemed_revenue'], again.amount_total)
        redeemed = Report.search([('kind', '=', 'voucher_redeemed')])
        self.assertEqual(redeemed.order_id, again)
        self.assertEqual(redeemed.source_order_id, orders[0])
        action = summary.action_open_orders()
        opened = self.env['sale.order'].search(action['domain'])
        self.assertEqual(set(opened.ids), {o.id for o in orders} | {again.id})
