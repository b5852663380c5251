# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: Odoo Delivery SMS",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "No Odoo IAP delivery SMS while Order Status Notifications tells the buyer the parcel left",
    'description': """
Order Status Notifications and Odoo's delivery SMS (stock_sms)
==============================================================
Odoo's stock_sms texts the customer through IAP when a delivery is validated. While Order
Status Notifications tells the buyer the parcel left itself (an active "shipped" event on a
channel with a provider set up, Zalo ZNS or SMS), Odoo's text is switched off, and kept off
at validation: the buyer gets one message for one parcel, not two.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify', 'stock_sms'],
    'data': [
        'data/res_company_data.xml',
        'views/res_config_settings_views.xml',
    ],
    'auto_install': True,
    'installable': True,
}
