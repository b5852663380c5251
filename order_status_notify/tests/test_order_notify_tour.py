# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged('post_install', '-at_install')
class TestOrderNotifyTour(HttpCase):
    """The salesperson finds the buyer's messages from the order, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({
            'country_id': cls.env.ref('base.vn').id,
            'order_notify_window_start': 0.0,
            'order_notify_window_end': 24.0,
        })
        # Only the sandbox below may send, whatever other addons installed.
        cls.env['order.notify.provider'].search([]).write({'state': 'disabled'})
        cls.provider = cls.env['order.notify.provider'].create({
            'name': "Sandbox SMS",
            'code': 'sandbox',
            'channel': 'sms',
            'state': 'enabled',
            'company_id': cls.env.company.id,
        })
        cls.customer = cls.env['res.partner'].create({
            'name': "Nguyễn Văn An",
            'mobile': '0912 345 678',
            'country_id': cls.env.ref('base.vn').id,
        })
        cls.product = cls.env['product.product'].create({
            'name': "Áo thun cotton",
            'type': 'consu',
            'list_price': 189000.0,
        })

    def test_order_notify_tour(self):
        order = self.env['sale.order'].create({
            'partner_id': self.customer.id,
            'order_line': [Command.create({'product_id': self.product.id, 'product_uom_qty': 2})],
        })
        order.action_confirm()
        self.env['order.notify.message']._order_notify_process_queue(auto_commit=False)
        message = order.order_notify_message_ids
        self.assertEqual(len(message), 1)
        self.assertRecordValues(message, [{
            'event': 'placed', 'channel': 'sms', 'state': 'delivered', 'phone': '+84912345678',
        }])

        self.start_tour(f"/odoo/sales/{order.id}", 'order_status_notify_tour', login='admin')

    def test_salesperson_sees_cost_and_skip_reason(self):
        """Issue 15: the salesperson sees the message sent with its cost, and a skipped one with
        the number tried and what to do, on the order itself."""
        salesman = new_test_user(self.env, 'osn_tour_salesman', groups='sales_team.group_sale_salesman')
        self.provider.write({'unit_cost': 850.0, 'currency_id': self.env.ref('base.VND').id})
        landline = self.env['res.partner'].create({
            'name': "Phạm Thu Hà", 'phone': '028 3822 1234', 'country_id': self.env.ref('base.vn').id,
        })
        orders = self.env['sale.order'].create([{
            'partner_id': partner.id,
            'user_id': salesman.id,
            'order_line': [Command.create({'product_id': self.product.id, 'product_uom_qty': 1})],
        } for partner in (self.customer, landline)])
        orders.action_confirm()
        self.env['order.notify.message']._order_notify_process_queue(auto_commit=False)
        self.assertEqual(orders.order_notify_message_ids.mapped('state'), ['delivered', 'skipped'])
        self.start_tour(f"/odoo/sales/{orders[0].id}", 'order_status_notify_sent_tour', login='osn_tour_salesman')
        self.start_tour(f"/odoo/sales/{orders[1].id}", 'order_status_notify_skipped_tour', login='osn_tour_salesman')
