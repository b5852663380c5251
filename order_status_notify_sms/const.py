# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Vendor constants of the SMS brandname providers.

Sources: ``shared/notes/sms_providers.md`` (eSMS §1 from the eSMS developer GitBook, SpeedSMS §3
from speedsms.vn/sms-api, VietGuys §2 from client code only: its docs were not retrievable).
"""

from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const

_lt = LazyTranslate(__name__)

DEFAULT_API_BASE_URLS = {
    'esms': 'https://rest.esms.vn/MainService.svc/json',
    'speedsms': 'https://api.speedsms.vn/index.php',
    # Prepaid accounts use https://cloudsms4.vietguys.biz:4438
    'vietguys': 'https://cloudsms.vietguys.biz:4438',
}

# Highest number of concatenated parts the Vietnamese gateways accept for a CSKH message
# (459 GSM-7 / 201 UCS-2 characters: VietGuys -14, SpeedSMS 113).
MAX_SEGMENTS = 3

# eSMS CodeResult of SendMultipleMessage_V4_post_json -> (error class, reason).
# 100 means "accepted by eSMS", not delivered.
ESMS_SUCCESS_CODE = '100'
ESMS_ERRORS_DUPLICATE_CODE = '124'
ESMS_ERRORS = {
    '99': (core_const.ERROR_UNREACHABLE, _lt("The phone number is blocked at eSMS.")),
    '101': (core_const.ERROR_CONFIG, _lt("Wrong eSMS API key or secret key.")),
    '102': (core_const.ERROR_CONFIG, _lt("The eSMS account is locked or has no price list.")),
    '103': (core_const.ERROR_BALANCE, _lt("The eSMS account balance is too low.")),
    '104': (core_const.ERROR_CONFIG, _lt("The brandname does not exist or is not active at eSMS.")),
    '108': (core_const.ERROR_INVALID, _lt("eSMS refused the phone number (wrong format).")),
    '118': (core_const.ERROR_CONFIG, _lt("eSMS does not support this message type.")),
    '124': (core_const.ERROR_DUPLICATE, _lt("eSMS already received this RequestId.")),
    '140': (core_const.ERROR_CONFIG, _lt("The IP address of this server is not whitelisted at eSMS.")),
    '143': (core_const.ERROR_CONFIG, _lt("The eSMS account is not activated or is locked.")),
    '146': (core_const.ERROR_TEMPLATE, _lt("The text does not match a CSKH template registered for the brandname.")),
    '159': (core_const.ERROR_INVALID, _lt("The RequestId is too long for eSMS.")),
    '177': (core_const.ERROR_CONFIG, _lt("The brandname is not registered on the buyer's mobile network.")),
    '201': (core_const.ERROR_INVALID, _lt("The text contains a keyword eSMS blocks.")),
    '300': (core_const.ERROR_CONFIG, _lt("The message type is missing.")),
}
# GetSendStatus / callback SendStatus values.
ESMS_SEND_STATUS_REJECTED = 4
ESMS_SEND_STATUS_FINISHED = 5
# GetSmsSentData_V2 (messages sent in a time range, eSMS local time): the only documented way
# back to the SMSID and price of a message eSMS answers 124 for (duplicate RequestId, 24 h).
ESMS_TZ = 'Asia/Ho_Chi_Minh'
ESMS_SENT_DATA_PAGE_SIZE = 500
ESMS_SENT_DATA_MAX_PAGES = 10
ESMS_REQUEST_ID_HOURS = 24

# SpeedSMS ``code`` of an error answer -> (error class, reason).
SPEEDSMS_SUCCESS_CODE = '00'
SPEEDSMS_ERRORS = {
    '007': (core_const.ERROR_CONFIG, _lt("The IP address of this server is locked at SpeedSMS.")),
    '008': (core_const.ERROR_CONFIG, _lt("The SpeedSMS account is blocked.")),
    '009': (core_const.ERROR_CONFIG, _lt("The SpeedSMS account may not call the API.")),
    '101': (core_const.ERROR_INVALID, _lt("SpeedSMS refused the request (invalid or missing parameters).")),
    '105': (core_const.ERROR_INVALID, _lt("SpeedSMS refused the phone number.")),
    '110': (core_const.ERROR_INVALID, _lt("SpeedSMS does not support the encoding of the text.")),
    '113': (core_const.ERROR_INVALID, _lt("The text is too long for SpeedSMS.")),
    '300': (core_const.ERROR_BALANCE, _lt("The SpeedSMS account balance is too low.")),
    '500': (core_const.ERROR_TRANSIENT, _lt("SpeedSMS had an internal error.")),
}
# ``sms_type`` 3: CSKH through the shop's own brandname (``sender``).
SPEEDSMS_SMS_TYPE_BRANDNAME = 3
# Delivery report ``status``: 0 delivered, 1-63 temporary failure, 64+ failed.
SPEEDSMS_STATUS_DELIVERED = 0
SPEEDSMS_STATUS_FAILED_FROM = 64

# VietGuys ``error`` (json=1) -> (error class, reason). From client code only (UNCONFIRMED).
VIETGUYS_ERRORS = {
    -1: (core_const.ERROR_INVALID, _lt("VietGuys: a parameter is missing.")),
    -2: (core_const.ERROR_TRANSIENT, _lt("VietGuys is busy.")),
    -3: (core_const.ERROR_CONFIG, _lt("VietGuys: unknown user name.")),
    -4: (core_const.ERROR_CONFIG, _lt("VietGuys: the account is locked.")),
    -5: (core_const.ERROR_CONFIG, _lt("VietGuys: wrong user name or password.")),
    -6: (core_const.ERROR_CONFIG, _lt("VietGuys: API sending is not enabled for the account.")),
    -7: (core_const.ERROR_CONFIG, _lt("VietGuys: the IP address of this server is not whitelisted.")),
    -8: (core_const.ERROR_CONFIG, _lt("VietGuys: the brandname (sender) is not declared.")),
    -9: (core_const.ERROR_BALANCE, _lt("VietGuys: the account is out of credit.")),
    -10: (core_const.ERROR_INVALID, _lt("VietGuys refused the phone number.")),
    -11: (core_const.ERROR_UNREACHABLE, _lt("The phone number is on the VietGuys do-not-receive list.")),
    -12: (core_const.ERROR_BALANCE, _lt("VietGuys: the account is out of credit.")),
    -13: (core_const.ERROR_CONFIG, _lt("VietGuys: the brandname (sender) is not declared.")),
    -14: (core_const.ERROR_INVALID, _lt("The text is longer than 459 characters.")),
    -16: (core_const.ERROR_DUPLICATE, _lt("VietGuys already sent this text to this phone within the last minute.")),
    -17: (core_const.ERROR_DEFER, _lt("VietGuys: the daily limit of the account is reached.")),
    -18: (core_const.ERROR_INVALID, _lt("The text contains an advertising keyword VietGuys blocks.")),
    -19: (core_const.ERROR_DEFER, _lt("VietGuys: the daily limit for this phone number is reached.")),
    -20: (core_const.ERROR_TEMPLATE, _lt("The text does not match a template registered for the brandname.")),
    -21: (core_const.ERROR_CONFIG, _lt("VietGuys: this route accepts OTP texts only.")),
    -22: (core_const.ERROR_CONFIG, _lt("The brandname is not set up on the buyer's mobile network.")),
    -23: (core_const.ERROR_CONFIG, _lt("VietGuys: no selling price is set for the account.")),
}
# ``type``: 8 = Unicode, 0 = GSM-7.
VIETGUYS_TYPE_UNICODE = '8'
VIETGUYS_TYPE_GSM7 = '0'

# Documented limits of send calls per second (0 or absent: none documented): SpeedSMS allows 60
# requests per 60 s (shared/notes/sms_providers.md); eSMS and VietGuys document none.
SEND_RATE_LIMITS = {'speedsms': 1.0}
