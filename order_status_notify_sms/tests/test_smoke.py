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

    def test_update_gives_new_events_the_sms_routes(self):
        """An update of the core adds events (the carrier's) before the SMS addon is loaded: the
        addon's own update gives them its routes, and keeps the routes it has."""
        from odoo.tools import convert_file  # noqa: PLC0415
        Route = self.env['order.notify.route'].with_context(active_test=False)
        company = self.env.company
        Route.search([('company_id', '=', company.id), ('channel', '=', 'sms'), ('event', '=', 'delivery_failed')]).unlink()
        placed = Route.search([('company_id', '=', company.id), ('channel', '=', 'sms'), ('event', '=', 'placed')])
        placed.write({'active': False, 'sequence': 55})
        convert_file(self.env, 'order_status_notify_sms', 'data/order_notify_route_data.xml', {}, mode='update', kind='data')
        failed = Route.search([('company_id', '=', company.id), ('channel', '=', 'sms'), ('event', '=', 'delivery_failed')])
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed.sequence, self.env['order.notify.registry']._get_channel('sms')['sequence'])
        self.assertEqual(len(Route.search([('company_id', '=', company.id), ('channel', '=', 'sms'), ('event', '=', 'placed')])), 1)
        self.assertEqual((placed.active, placed.sequence), (False, 55))
