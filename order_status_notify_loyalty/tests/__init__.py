# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import test_review_flow
from . import test_review_tour
from . import test_thank_you_voucher
from . import test_return_report
