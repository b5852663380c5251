# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The SMS brandname addon is installed on top of the core and adds its gateways to the providers."""

from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestSmsSmoke(TransactionCase):

    def test_module_installed_on_the_core(self):
        modules = self.env['ir.module.module'].search(
            [('name', 'in', ('order_status_notify', 'order_status_notify_sms'))])
        self.assertEqual(
            {module.name: module.state for module in modules},
            {'order_status_notify': 'installed', 'order_status_notify_sms': 'installed'},
        )
        dependencies = self.env.ref('base.module_order_status_notify_sms').dependencies_id.mapped('name')
        self.assertIn('order_status_notify', dependencies)

    def test_provider_model_offers_the_sms_gateways(self):
        Provider = self.env['order.notify.provider']
        codes = dict(Provider._fields['code'].selection)
        self.assertLessEqual({'esms', 'speedsms', 'vietguys'}, set(codes))
        self.assertIn('sms', dict(Provider._fields['channel']._description_selection(self.env)))
