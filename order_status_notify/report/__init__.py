# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_report
from . import order_notify_statistics
from . import order_notify_cost_summary
from . import report_order_notify_cost_summary
