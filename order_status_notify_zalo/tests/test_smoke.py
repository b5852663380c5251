# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The Zalo ZNS addon is installed on top of the core, with the core's provider model."""

from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestZaloSmoke(TransactionCase):

    def test_module_installed_on_the_core(self):
        modules = self.env['ir.module.module'].search(
            [('name', 'in', ('order_status_notify', 'order_status_notify_zalo'))])
        self.assertEqual(
            {module.name: module.state for module in modules},
            {'order_status_notify': 'installed', 'order_status_notify_zalo': 'installed'},
        )
        dependencies = self.env.ref('base.module_order_status_notify_zalo').dependencies_id.mapped('name')
        self.assertIn('order_status_notify', dependencies)

    def test_provider_model_offers_the_zalo_channel(self):
        Provider = self.env['order.notify.provider']
        self.assertIn('zalo', dict(Provider._fields['channel']._description_selection(self.env)))
