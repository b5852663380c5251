# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: SMS Brandname",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "Send order notifications as SMS brandname (eSMS, SpeedSMS, Vietguys)",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify'],
    'data': [],
    'auto_install': False,
    'installable': True,
}
