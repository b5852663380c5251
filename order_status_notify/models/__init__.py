# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_registry
from . import order_notify_provider
from . import order_notify_provider_alert
from . import order_notify_route
from . import order_notify_template
from . import order_notify_template_param
from . import order_notify_message
from . import order_notify_message_queue
from . import order_notify_message_dispatch
from . import order_notify_message_cod
from . import order_notify_message_parallel
from . import order_notify_message_fallback
from . import order_notify_message_journey
from . import account_move
from . import mail_activity
from . import mail_mail
from . import payment_transaction
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import sale_order_journey
from . import stock_picking
from . import res_lang
