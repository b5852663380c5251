# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_provider
from . import order_notify_route
from . import res_company
from . import res_config_settings
from . import stock_picking
