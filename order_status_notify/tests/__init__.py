# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import test_order_notify_alert
from . import test_order_notify_controller
from . import test_order_notify_concurrency
from . import test_order_notify_dispatch
from . import test_order_notify_experience
from . import test_order_notify_flow
from . import test_order_notify_payment
from . import test_order_notify_phone
from . import test_order_notify_security
from . import test_order_notify_tour
from . import test_order_notify_report
from . import test_order_notify_values
from . import test_order_notify_dashboard
from . import test_order_notify_lang
from . import test_order_notify_dry_run
from . import test_order_notify_template_editor
from . import test_order_notify_dashboard_tour
from . import test_order_notify_email
from . import test_order_notify_registry
from . import test_order_notify_role_tours
from . import test_order_notify_carrier
from . import test_order_notify_carrier_secrets
from . import test_order_notify_carrier_race
from . import test_order_notify_carrier_api
from . import test_order_notify_journey
from . import test_order_notify_cart_reminder
