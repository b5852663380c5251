# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: eCommerce Carts",
    'version': '18.0.1.0.0',
    'category': 'Website/Website',
    'summary': "Remind eCommerce buyers of their abandoned cart by Zalo ZNS or SMS, with a link back to it",
    'description': """
Order Status Notifications and eCommerce abandoned carts (website_sale)
=======================================================================
The cart reminder of Order Status Notifications also covers the carts website_sale calls
abandoned (a signed-in buyer, or one who gave an address at checkout, left a cart with
products): one reminder per cart, with a link that restores the cart, and website_sale's own
recovery e-mail is not sent on top of it.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify', 'website_sale'],
    'data': [],
    'auto_install': True,
    'installable': True,
}
