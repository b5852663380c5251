# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import test_smoke
from . import test_zalo_send
from . import test_zalo_tokens
from . import test_zalo_templates
from . import test_zalo_http
from . import test_zalo_security
from . import test_zalo_values
from . import test_zalo_reconcile
from . import test_zalo_utils
from . import test_zalo_carrier
