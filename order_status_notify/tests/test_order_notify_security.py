# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifySecurity(OrderNotifyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_provider('sandbox', 'sms')
        cls.salesman = new_test_user(cls.env, 'notify_salesman', groups='sales_team.group_sale_salesman')
        cls.other_salesman = new_test_user(cls.env, 'notify_other', groups='sales_team.group_sale_salesman')
        cls.sales_manager = new_test_user(cls.env, 'notify_manager', groups='sales_team.group_sale_manager')
        cls.company_b = cls.env['res.company'].create({'name': 'Shop B', 'country_id': cls.vn.id})

    def test_salesperson_sees_messages_of_own_orders_only(self):
        own = self._create_order(user_id=self.salesman.id)
        other = self._create_order(user_id=self.other_salesman.id)
        (own | other).action_confirm()
        self._dispatch()
        Message = self.env['order.notify.message'].with_user(self.salesman)
        visible = Message.search([('order_id', 'in', (own | other).ids)])
        self.assertEqual(visible.order_id, own)
        self.assertEqual(own.with_user(self.salesman).order_notify_message_count, 1)
        # Salespeople cannot configure.
        with self.assertRaises(AccessError):
            self.env['order.notify.provider'].with_user(self.salesman).create({'name': 'x', 'channel': 'sms'})
        with self.assertRaises(AccessError):
            visible.with_user(self.salesman).write({'state': 'sent'})

    def test_manager_configures_but_never_reads_secrets(self):
        provider = self.env['order.notify.provider'].with_user(self.sales_manager).create({
            'name': 'Another sandbox', 'channel': 'zalo',
        })
        self.assertEqual(provider.company_id, self.company)
        with self.assertRaises(AccessError):
            self.company.with_user(self.sales_manager).read(['order_notify_webhook_secret'])

    def test_companies_are_isolated(self):
        order = self._create_order()
        order.action_confirm()
        self.env['order.notify.route']._order_notify_create_defaults(self.company_b)
        self.assertTrue(self.env['order.notify.route'].search([('company_id', '=', self.company_b.id)]))
        user_b = new_test_user(
            self.env, 'notify_user_b', groups='sales_team.group_sale_manager',
            company_id=self.company_b.id, company_ids=[self.company_b.id],
        )
        self.assertFalse(self.env['order.notify.message'].with_user(user_b).search([('order_id', '=', order.id)]))
        self.assertFalse(self.env['order.notify.provider'].with_user(user_b).search([('company_id', '=', self.company.id)]))
        self.assertTrue(self.env['order.notify.message'].with_user(self.sales_manager).search([('order_id', '=', order.id)]))
