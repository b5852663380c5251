# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import test_sms_text
from . import test_esms
from . import test_speedsms
from . import test_vietguys
from . import test_sms_reports_http
from . import test_sms_fallback
from . import test_smoke
from . import test_sms_security
from . import test_sms_preview
