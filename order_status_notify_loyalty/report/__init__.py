# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_return_report
from . import order_notify_return_summary
