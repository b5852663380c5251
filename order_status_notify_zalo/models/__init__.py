# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import order_notify_message
from . import order_notify_provider
from . import order_notify_provider_account
from . import order_notify_template
from . import order_notify_template_param
from . import res_partner
from . import zalo_zns_template
from . import zalo_zns_template_param
from . import order_notify_registry
