# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: Facebook Messenger",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "Send order notifications on Facebook Messenger to buyers who chat with the shop's Page",
    'description': """
Facebook Messenger channel of Order Status Notifications
========================================================
Sends the order messages from the shop's Facebook Page to buyers who linked their Messenger
to it: by opening the order's m.me link (portal page, or the link in another channel's text)
or by writing the order number to the Page. Messages go as standard messages within Meta's
24-hour window after the buyer last wrote; outside it the next channel takes over. Signed
webhooks (X-Hub-Signature-256) link buyers, track the window and mark messages delivered.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify'],
    'external_dependencies': {'python': ['requests']},
    'data': [
        'security/ir.model.access.csv',
        'security/order_status_notify_messenger_security.xml',
        'data/order_notify_provider_data.xml',
        'data/order_notify_template_data.xml',
        'data/order_notify_route_data.xml',
        'views/order_notify_provider_views.xml',
        'views/sale_portal_templates.xml',
    ],
    'post_init_hook': 'post_init_hook',
    'uninstall_hook': 'uninstall_hook',
    'auto_install': False,
    'installable': True,
}
