# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Constants of the review request, the thank-you voucher and their report."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The review request: transactional (it follows a delivered order, tagged customer care on Zalo),
# after the thank-you. A message more for every order, that the shop pays: off until the shop
# chooses it (Settings, or the full journey plan).
EVENTS = {
    'review_request': {'label': _lt("Review request"), 'sequence': 45, 'default_on': False, 'plans': ('full',)},
}

# Days between the thank-you (``delivered``) and the review request (company setting's default).
DEFAULT_REVIEW_DELAY_DAYS = 3
# A rating up to this many stars is a buyer to call back: an activity for the salesperson.
LOW_RATING_MAX = 2
# A rating of this many stars may be invited to the shop's public review page.
PUBLIC_REVIEW_MIN = 5
# Days a thank-you voucher stays valid (capped by the program's own end date).
DEFAULT_VOUCHER_VALIDITY_DAYS = 30

# The values this addon adds to the order values of templates (``sale.order._order_notify_get_values``).
VALUE_KEYS = [
    ('review_url', "Review link"),
    ('voucher_code', "Voucher code"),
    ('voucher_expiry', "Voucher expiry date"),
    ('voucher_value', "Voucher value"),
]

# Default review request texts of the channels that may be installed after this addon or before:
# ``{channel: (name, subject, body, zalo params [(param name, value key)])}``. The e-mail one is
# data (data/order_notify_template_data.xml): the e-mail channel is always there.
CHANNEL_TEMPLATES = {
    'sms': (
        "Review request (SMS)", False,
        "{{ shop_name }}: Cảm ơn {{ customer_name }} đã mua hàng! Mời bạn đánh giá đơn {{ order_ref }}"
        " (1-5 sao) tại {{ review_url }}",
        [],
    ),
    'zalo': (
        "Review request (Zalo)", False,
        "{{ shop_name }}: Cảm ơn {{ customer_name }} đã mua hàng! Mời bạn đánh giá đơn {{ order_ref }}"
        " tại {{ review_url }}",
        [('customer_name', 'customer_name'), ('order_code', 'order_ref'), ('review_url', 'review_url')],
    ),
    'messenger': (
        "Review request (Messenger)", False,
        "Cảm ơn {{ customer_name }} đã mua hàng! Bạn thấy sản phẩm và dịch vụ của shop thế nào? Mời bạn"
        " đánh giá đơn {{ order_ref }} tại {{ review_url }}",
        [],
    ),
}
