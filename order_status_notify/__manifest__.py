# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications",
    'version': '18.0.1.2.0',
    'category': 'Sales/Sales',
    'summary': "Tell buyers about every change of their order by Zalo ZNS or SMS",
    'description': """
Order Status Notifications
==========================
Sends the buyer one short, personal message for every state of a sale order
(placed, paid, shipped with carrier / tracking / amount to collect, delivered,
cancelled) over the channels the shop chooses, at a decent hour, exactly once.
Every message is logged on the order with its state, reason and cost.

Channels are separate modules (Zalo ZNS, SMS brandname); this module ships the
queue, the templates, the settings and a sandbox provider.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['sale_management', 'sale_stock', 'stock_delivery', 'phone_validation'],
    'data': [
        'security/order_status_notify_security.xml',
        'security/ir.model.access.csv',
        'security/order_notify_report_security.xml',
        'data/ir_cron_data.xml',
        'data/res_company_data.xml',
        'data/order_notify_provider_data.xml',
        'data/order_notify_route_data.xml',
        'data/order_notify_template_data.xml',
        'wizard/order_notify_send_test_views.xml',
        'wizard/sale_order_cancel_views.xml',
        'wizard/order_notify_dry_run_views.xml',
        'views/order_notify_provider_views.xml',
        'views/order_notify_route_views.xml',
        'views/order_notify_template_views.xml',
        'views/order_notify_message_views.xml',
        'views/res_config_settings_views.xml',
        'views/res_partner_views.xml',
        'views/sale_order_views.xml',
        'views/stock_picking_views.xml',
        'views/order_status_notify_menus.xml',
        'report/order_notify_report_views.xml',
        'report/order_notify_statistics_views.xml',
        'report/order_notify_cost_summary_views.xml',
        'report/order_notify_cost_summary_templates.xml',
    ],
    'demo': [
        'demo/res_lang_demo.xml',
        'demo/order_notify_provider_demo.xml',
        'demo/sale_order_demo.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'order_status_notify/static/src/**/*',
        ],
        'web.assets_tests': [
            'order_status_notify/static/tests/tours/**/*',
        ],
    },
    'post_init_hook': 'post_init_hook',
    'application': False,
    'installable': True,
}
