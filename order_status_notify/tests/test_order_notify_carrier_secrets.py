# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

TOKEN_FIELDS = ('order_notify_webhook_secret', 'order_notify_ghn_webhook_token', 'order_notify_ghtk_webhook_token')


@tagged('post_install', '-at_install')
class TestOrderNotifyCarrierSecrets(OrderNotifyCommon):
    """The GHN token and GHTK hash: one of each per company, Settings admins only, rotated one at
    a time, gone from a copied database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_admin = new_test_user(
            cls.env, 'carrier_sales_admin', groups='sales_team.group_sale_manager,order_status_notify.group_order_notify_manager',
        )
        cls.admin = cls.env.ref('base.user_admin')

    def test_each_company_gets_its_own_tokens(self):
        for field_name in TOKEN_FIELDS:
            self.assertIsNone(self.env['res.company']._fields[field_name].default)
            self.assertEqual(self.env['res.company']._fields[field_name].groups, 'base.group_system')
        other = self.env['res.company'].create({'name': 'Shop Khác'})
        for field_name in TOKEN_FIELDS:
            self.assertTrue(self.company[field_name] and other[field_name])
            self.assertNotEqual(self.company[field_name], other[field_name])
        # A database updated to this version: the data file gives the missing tokens.
        self.company.order_notify_ghtk_webhook_token = False
        self.env['res.company']._order_notify_ensure_webhook_secrets_all()
        self.assertTrue(self.company.order_notify_ghtk_webhook_token)

    def test_only_settings_admins_read_and_rotate(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.sales_admin).read(['order_notify_ghn_webhook_token'])
        with self.assertRaises(AccessError):
            self.company.with_user(self.sales_admin).action_order_notify_rotate_webhook_secret(carrier='ghn')
        with self.assertRaises(AccessError):
            self.env['res.config.settings'].with_user(self.sales_admin).create({}).read(['order_notify_ghtk_webhook_url'])
        before = {name: self.company[name] for name in TOKEN_FIELDS}
        self.company.with_user(self.admin).action_order_notify_rotate_webhook_secret(carrier='ghn')
        after = {name: self.company[name] for name in TOKEN_FIELDS}
        self.assertNotEqual(before['order_notify_ghn_webhook_token'], after['order_notify_ghn_webhook_token'])
        self.assertEqual(before['order_notify_ghtk_webhook_token'], after['order_notify_ghtk_webhook_token'])
        self.assertEqual(before['order_notify_webhook_secret'], after['order_notify_webhook_secret'])

    def test_settings_show_the_urls_to_register(self):
        self.company.sudo().write({'order_notify_ghn_webhook_token': 'a b&c', 'order_notify_ghtk_webhook_token': 'xyz'})
        settings = self.env['res.config.settings'].with_user(self.admin).create({})
        base_url = self.company.get_base_url()
        self.assertEqual(settings.order_notify_ghn_webhook_url, f'{base_url}/order_status_notify/carrier/ghn?token=a+b%26c')
        self.assertEqual(settings.order_notify_ghtk_webhook_url, f'{base_url}/order_status_notify/carrier/ghtk?hash=xyz')

    def test_neutralized_copy_forgets_the_tokens(self):
        from odoo.modules.neutralize import neutralize_database  # noqa: PLC0415
        api_fields = ('order_notify_ghn_api_token', 'order_notify_ghtk_api_token')
        self.company.write(dict.fromkeys(api_fields, 'production-api-token'))
        self.company.flush_recordset()
        neutralize_database(self.env.cr)
        self.company.invalidate_recordset(TOKEN_FIELDS + api_fields)
        for field_name in TOKEN_FIELDS + api_fields:
            self.assertFalse(self.company[field_name])
            self.assertEqual(self.env['res.company']._fields[field_name].groups, 'base.group_system')
