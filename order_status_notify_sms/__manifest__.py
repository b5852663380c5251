# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: SMS Brandname",
    'version': '18.0.1.2.0',
    'category': 'Sales/Sales',
    'summary': "Send order notifications as SMS brandname (eSMS, SpeedSMS, Vietguys)",
    'description': """
SMS brandname channel of Order Status Notifications
===================================================
Sends the order messages as customer-care brandname SMS through the Vietnamese gateways
eSMS (ViHAT), SpeedSMS and VietGuys: with or without diacritics, counted in characters and
SMS, priced per SMS, with delivery reports, balance alerts, and as the fallback of Zalo ZNS.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify'],
    'external_dependencies': {'python': ['requests']},
    'data': [
        'data/ir_cron_data.xml',
        'data/order_notify_provider_data.xml',
        'data/order_notify_template_data.xml',
        'data/order_notify_route_data.xml',
        'views/order_notify_provider_views.xml',
        'views/order_notify_message_views.xml',
        'views/order_notify_template_views.xml',
    ],
    'demo': [
        'demo/order_notify_provider_demo.xml',
    ],
    'post_init_hook': 'post_init_hook',
    'uninstall_hook': 'uninstall_hook',
    'auto_install': False,
    'installable': True,
}
