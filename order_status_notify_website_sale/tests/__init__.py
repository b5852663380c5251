# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import test_website_cart_reminder
