# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: Zalo ZNS Ratings",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "Buyers' answers to a Zalo ZNS rating template are stored as the order's rating",
    'description': """
Order Status Notifications: ratings answered in Zalo
=====================================================
When the shop's review request goes by a Zalo ZNS rating template (type 5, tag 2), the buyer
rates inside Zalo: Zalo posts the answer to the OA webhook (``user_feedback``) and it is stored
as the review page would store it (Odoo rating on the order, chatter, a call for low ratings).
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify_loyalty', 'order_status_notify_zalo'],
    'data': [],
    'auto_install': True,
    'installable': True,
}
