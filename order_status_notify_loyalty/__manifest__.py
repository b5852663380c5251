# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
{
    'name': "Order Status Notifications: Reviews and Vouchers",
    'version': '18.0.1.0.0',
    'category': 'Sales/Sales',
    'summary': "Ask delivered buyers for a rating, thank them with a voucher, and see what it brings back",
    'description': """
Order Status Notifications: reviews, thank-you vouchers and their return
========================================================================
- Review request: some days after the thank-you, the buyer gets a personal link (no login) to
  rate the order (1-5 stars and a comment). Ratings are Odoo ratings on the order, in its chatter;
  a low one gives the salesperson an activity to call the buyer back, a 5-star one may be invited
  to the shop's public review page.
- Thank-you voucher: one single-use code of the shop's loyalty coupons program per delivered
  order, in the thank-you message, redeemed the usual way in Sales and eCommerce.
- What they bring back: messages and their cost, ratings, vouchers issued and redeemed and the
  revenue of the orders that redeemed them, per month and channel.
""",
    'author': "order_status_notify",
    'website': "https://github.com/order-status-notify/order_status_notify",
    'license': 'LGPL-3',
    'depends': ['order_status_notify', 'sale_loyalty', 'rating'],
    'data': [
        'security/ir.model.access.csv',
        'security/order_notify_return_security.xml',
        'data/order_notify_template_data.xml',
        'data/order_notify_route_data.xml',
        'views/res_config_settings_views.xml',
        'views/sale_order_views.xml',
        'views/order_review_templates.xml',
        'report/order_notify_return_report_views.xml',
    ],
    'assets': {
        'web.assets_frontend': [
            'order_status_notify_loyalty/static/src/scss/order_review.scss',
        ],
        'web.assets_tests': [
            'order_status_notify_loyalty/static/tests/tours/**/*',
        ],
    },
    'post_init_hook': 'post_init_hook',
    'installable': True,
}
