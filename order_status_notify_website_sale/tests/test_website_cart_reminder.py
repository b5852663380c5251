# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# 10:00 in Hồ Chí Minh City (UTC+7): inside the hours of advertising messages.
MORNING = datetime(2026, 3, 10, 3, 0, 0)


@tagged('post_install', '-at_install')
class TestWebsiteCartReminder(OrderNotifyCommon, HttpCase):
    """A signed-in buyer fills a cart on the shop and leaves: one reminder by SMS with a link that
    restores the cart; website_sale's recovery e-mail does not follow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')
        cls.company.order_notify_plan = 'full'
        cls.product.write({'is_published': True, 'website_published': True, 'sale_ok': True})
        cls.buyer = new_test_user(cls.env, login='hoa_buyer', groups='base.group_portal', name="Đỗ Thị Hoa")
        cls.buyer.partner_id.write({'mobile': '0912 000 111', 'country_id': cls.vn.id, 'lang': 'vi_VN'})

    def _add_to_cart(self):
        self.authenticate('hoa_buyer', 'hoa_buyer')
        response = self.url_open('/shop/cart/update_json', data=json.dumps({'params': {
            'product_id': self.product.id, 'add_qty': 2,
        }}), headers={'Content-Type': 'application/json'})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNotIn('error', response.json(), response.text)
        return self.env['sale.order'].search([('partner_id', '=', self.buyer.partner_id.id)], order='id desc', limit=1)

    def test_abandoned_website_cart_gets_one_reminder_that_restores_it(self):
        cart = self._add_to_cart()
        self.assertTrue(cart.website_id)
        self.assertEqual(cart.state, 'draft')
        with freeze_time(MORNING):
            cart.date_order = MORNING - timedelta(minutes=30)
            self.env['sale.order']._cron_order_notify_cart_reminders()
            self.assertFalse(self._messages(cart), "not before the shop's delay (1 hour)")
            cart.date_order = MORNING - timedelta(hours=2)
            self.env['sale.order']._cron_order_notify_cart_reminders()
            self._dispatch()
            self.env['sale.order']._cron_order_notify_cart_reminders()
        reminder = self._messages(cart, event='cart_abandoned')
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.state, 'delivered')
        self.assertEqual(reminder.phone, '+84912000111')
        self.assertTrue(cart.cart_recovery_email_sent, "website_sale's recovery e-mail does not follow ours")
        link = f"{cart.get_base_url()}/shop/cart?access_token={cart.access_token}&revive=merge"
        self.assertIn(link, reminder.content)
        self.assertTrue(reminder.content.startswith("[QC]"))

        # On the buyer's phone, without a session: the link brings the cart back.
        self.authenticate(None, None)
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith('/shop/cart'), response.url)
        self.assertIn(self.product.name, response.text)

    def test_public_cart_is_not_reminded_and_buyer_who_ordered_is_not(self):
        cart = self._add_to_cart()
        with freeze_time(MORNING):
            cart.date_order = MORNING - timedelta(hours=2)
            self.env['sale.order']._cron_order_notify_cart_reminders()
            # The buyer ordered by phone meanwhile: the reminder waiting for its turn never leaves.
            order = self._create_order(partner=self.buyer.partner_id)
            order.action_confirm()
            self._dispatch()
        reminder = self._messages(cart, event='cart_abandoned')
        self.assertEqual((reminder.state, reminder.reason_code), ('cancelled', 'cart_ordered'))

        # A visitor's cart (the website's public partner) has nobody to remind.
        self.authenticate(None, None)
        self.url_open('/shop/cart/update_json', data=json.dumps({'params': {
            'product_id': self.product.id, 'add_qty': 1,
        }}), headers={'Content-Type': 'application/json'})
        public_partner = cart.website_id.user_id.partner_id
        anonymous = self.env['sale.order'].search([('partner_id', '=', public_partner.id)], order='id desc', limit=1)
        self.assertTrue(anonymous)
        with freeze_time(MORNING):
            anonymous.date_order = MORNING - timedelta(hours=2)
            self.env['sale.order']._cron_order_notify_cart_reminders()
        self.assertFalse(self._messages(anonymous))
