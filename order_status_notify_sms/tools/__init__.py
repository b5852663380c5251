# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from .sms_text import (
    GSM7_BASIC, GSM7_EXTENDED, SmsText, is_gsm7, prepare_sms_text, sms_length, sms_segments, strip_vietnamese_accents,
)
