# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from .sms_text import (
    GSM7_BASIC, GSM7_EXTENDED, SmsText, is_gsm7, prepare_sms_text, sms_length, sms_segments, strip_vietnamese_accents,
)
from .sms_api import SmsApi
from .esms_api import EsmsApi
from .speedsms_api import SpeedsmsApi
from .vietguys_api import VietguysApi

# The gateway glue of each provider code.
SMS_APIS = {
    'esms': EsmsApi,
    'speedsms': SpeedsmsApi,
    'vietguys': VietguysApi,
}
