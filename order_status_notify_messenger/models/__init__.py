# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_registry
from . import order_notify_provider
from . import order_notify_messenger_contact
from . import order_notify_template
from . import sale_order
