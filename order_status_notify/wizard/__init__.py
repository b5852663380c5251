# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_send_test
from . import sale_order_cancel
