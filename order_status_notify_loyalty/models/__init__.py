# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import loyalty_program
from . import order_notify_message
from . import order_notify_registry
from . import order_notify_route
from . import order_notify_template
from . import order_notify_template_param
from . import rating_rating
from . import res_company
from . import res_config_settings
from . import sale_order
