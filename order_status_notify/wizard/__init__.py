# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_send_test
from . import sale_order_cancel
from . import order_notify_dry_run
from . import order_notify_dry_run_line
