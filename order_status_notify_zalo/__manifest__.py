# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: Zalo ZNS",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "Send order notifications as Zalo ZNS template messages",
    'description': """
Zalo ZNS channel of Order Status Notifications
==============================================
Sends the order messages as Zalo ZNS ("ZBS Template Message" by phone number) through the
shop's Official Account: OAuth v4 connection with rotating tokens, synchronized templates whose
parameters are mapped to order values and checked before sending, delivery receipts from the
signed webhook (or polled), cost of delivered messages only, quota and token alerts, and SMS as
the fallback for buyers without Zalo.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'post_init_hook': 'post_init_hook',
    'uninstall_hook': 'uninstall_hook',
    'depends': ['order_status_notify'],
    'external_dependencies': {'python': ['requests']},
    'data': [
        'security/ir.model.access.csv',
        'security/order_status_notify_zalo_security.xml',
        'data/ir_cron_data.xml',
        'data/order_notify_provider_data.xml',
        'data/order_notify_template_data.xml',
        'data/order_notify_route_data.xml',
        'views/zalo_zns_template_views.xml',
        'views/order_notify_provider_views.xml',
        'views/order_notify_template_views.xml',
        'views/res_partner_views.xml',
    ],
    'demo': [
        'demo/order_notify_provider_demo.xml',
    ],
    'auto_install': False,
    'installable': True,
}
