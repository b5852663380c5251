# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import HttpCase, tagged


@tagged('post_install', '-at_install')
class TestOrderNotifyDashboardTour(HttpCase):
    """The dashboard page in the browser: tiles, cost per channel, chart, channel filter."""

    def test_dashboard_tour(self):
        self.env['order.notify.provider'].search([]).write({'state': 'disabled'})
        vnd = self.env.ref('base.VND')
        vnd.active = True
        self.env.company.currency_id = vnd
        zalo = self.env['order.notify.provider'].create({
            'name': "Zalo", 'code': 'sandbox', 'channel': 'zalo', 'state': 'enabled', 'currency_id': vnd.id,
        })
        sms = self.env['order.notify.provider'].create({
            'name': "SMS", 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled', 'currency_id': vnd.id,
        })
        Message = self.env['order.notify.message'].sudo()
        for key, provider, state, values in (
            ('a', zalo, 'delivered', {'cost': 300.0, 'cost_source': 'provider', 'sent_date': '2020-01-01 00:00:00',
                                      'provider_message_ref': 'tour-a'}),
            ('b', sms, 'skipped', {'reason_code': 'no_phone'}),
        ):
            Message.create({
                'order_name': f'TOUR-{key}', 'company_id': self.env.company.id, 'event': 'placed',
                'channel': provider.channel, 'provider_id': provider.id, 'state': state, 'currency_id': vnd.id,
                'phone': '+84912345678', 'idempotency_key': f'osn-dashboard-tour-{key}', **values,
            })
        self.env.ref('base.user_admin').tz = 'Asia/Ho_Chi_Minh'
        self.start_tour('/odoo/action-order_status_notify.action_order_notify_dashboard',
                        'order_status_notify_dashboard_tour', login='admin')
