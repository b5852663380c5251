# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Vendor constants of Zalo ZNS ("ZBS Template Message", sent by phone number).

Source: ``shared/notes/zalo_zns.md`` (§0 conventions, §2 the official error table with the
handling it suggests, §3 OAuth v4, §4 template APIs and parameter types, §5 webhook, §6 quota
and cost). Codes are matched on their number, never on Zalo's text.
"""

from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const

_lt = LazyTranslate(__name__)

DEFAULT_API_BASE_URL = 'https://business.openapi.zalo.me'
DEFAULT_OAUTH_BASE_URL = 'https://oauth.zaloapp.com'
# The OA API ("Lấy thông tin Official Account", GET /v2.0/oa/getoa with the access_token header):
# the connected OA's id is read from Zalo, never taken from the callback URL. A sandbox given
# as API base URL serves it too.
DEFAULT_OA_API_BASE_URL = 'https://openapi.zalo.me'
# The key of the pending OA connection in the admin's HTTP session (state, PKCE verifier, user).
OAUTH_SESSION_KEY = 'order_notify_zalo_oauth'
# Webhook events older than this (their ``timestamp``, in ms) are rejected as replays.
WEBHOOK_MAX_AGE_SECONDS = 3600

# Explicit timeout of every call to Zalo, in seconds (connect, read).
TIMEOUT = (5, 20)

# Access tokens live 25 h ("expires_in": "90000"); the cron refreshes them this long before
# they expire, and admins are alerted when one expires within ALERT hours and cannot be refreshed.
TOKEN_REFRESH_MARGIN_HOURS = 3
TOKEN_ALERT_HOURS = 24
# A remaining daily quota under this share of the daily quota alerts the admins.
QUOTA_ALERT_RATIO = 0.1

# "This phone has no Zalo" is remembered on the partner this long: the next events go straight
# to SMS, and the phone is tried on Zalo again afterwards (people do install Zalo).
NO_ZALO_MEMORY_DAYS = 28
# Codes that say the phone cannot get ZNS from this OA at all (not just this template).
REMEMBERED_UNREACHABLE_CODES = (-118, -119, -141)
# Codes about the phone number only: the buyer's other numbers are tried on Zalo first.
RECIPIENT_CODES = (-110, -114, -118, -119, -139, -141)

# ``tracking_id``: "at most 48 characters and no special characters".
TRACKING_ID_MAX_LENGTH = 48
TRACKING_ID_PATTERN = r'[A-Za-z0-9_-]{1,48}'

# -133: some templates may not be sent from 22:00 to 06:00 ICT.
NIGHT_BAN_END_HOUR = 6
ZALO_TZ = 'Asia/Ho_Chi_Minh'

# Delivery within the template's timeout is billed (15 s for OTP, 7 200 s for the others).
DEFAULT_TEMPLATE_TIMEOUT_MS = 7200000

# Accepted inputs of a "Time" parameter (§4.4), as strptime formats.
DATE_FORMATS = ('%H:%M:%S', '%H:%M', '%H:%M:%S %d/%m/%Y', '%H:%M %d/%m/%Y', '%d/%m/%Y', '%m/%Y')

# Template status: sync filter (numeric, §4.1) and the strings Zalo returns.
TEMPLATE_STATUS_SELECTION = [
    ('ENABLE', "Enabled"),
    ('PENDING_REVIEW', "Pending Review"),
    ('REJECT', "Rejected"),
    ('DISABLE', "Disabled"),
    ('DELETE', "Deleted"),
    ('MISSING', "No Longer Listed"),
]
TEMPLATE_PAGE_SIZE = 100

# Error code -> (error class of the core, reason for the shop). ``None`` for -124: the access
# token is refreshed once and the call retried once.
TOKEN_INVALID_CODE = -124
PAYLOAD_CODES = (-1121, -1122, -1124, -112, -132, -111, -116, -130)
TEMPLATE_CODES = (-109, -117, -131, -146)
ERRORS = {
    -100: (core_const.ERROR_TRANSIENT, _lt("Zalo had an unknown error; the message will be retried.")),
    -32: (core_const.ERROR_TRANSIENT, _lt("Zalo's rate limit was reached; the message will be retried.")),
    -129: (core_const.ERROR_TRANSIENT, _lt("Zalo could not generate a key; the message will be retried.")),
    # Configuration of the app or the OA: nothing leaves until an admin fixes it.
    -101: (core_const.ERROR_CONFIG, _lt("The Zalo app id is invalid.")),
    -102: (core_const.ERROR_CONFIG, _lt("The Zalo app does not exist.")),
    -103: (core_const.ERROR_CONFIG, _lt("The Zalo app is not activated.")),
    -104: (core_const.ERROR_CONFIG, _lt("The Zalo app secret key is invalid.")),
    -105: (core_const.ERROR_CONFIG, _lt("The Zalo app is not linked to any Official Account.")),
    -120: (core_const.ERROR_CONFIG, _lt("The Official Account may not use this feature.")),
    -125: (core_const.ERROR_CONFIG, _lt("The Official Account id is invalid.")),
    -135: (core_const.ERROR_CONFIG, _lt("The Official Account may not send ZNS (not verified, or on the free plan).")),
    -136: (core_const.ERROR_CONFIG, _lt("The Zalo app must be linked to a Zalo Cloud Account (ZCA).")),
    -138: (core_const.ERROR_CONFIG, _lt("The Zalo app may not use this feature.")),
    -145: (core_const.ERROR_CONFIG, _lt("The Official Account may not send this type of ZNS.")),
    # The template: the message fails here and goes by the next channel, the admins are told
    # once per template and event, the other events keep leaving by Zalo.
    -109: (core_const.ERROR_TEMPLATE, _lt("Zalo does not know this ZNS template id.")),
    -117: (core_const.ERROR_TEMPLATE, _lt("This ZNS template belongs to another Official Account or app.")),
    -131: (core_const.ERROR_TEMPLATE, _lt("The ZNS template is not approved.")),
    -146: (core_const.ERROR_TEMPLATE, _lt("The ZNS template was disabled by Zalo for low quality.")),
    # The recipient cannot get ZNS: the core falls back to the next channel (SMS).
    -110: (core_const.ERROR_UNREACHABLE, _lt("The buyer's Zalo app is too old to receive ZNS.")),
    -114: (core_const.ERROR_UNREACHABLE, _lt("The buyer's Zalo account is inactive or refuses the message.")),
    -118: (core_const.ERROR_UNREACHABLE, _lt("This phone number has no Zalo account.")),
    -119: (core_const.ERROR_UNREACHABLE, _lt("This Zalo account cannot receive messages.")),
    -127: (core_const.ERROR_UNREACHABLE, _lt("In test mode, ZNS reach the administrators of the OA or app only.")),
    -139: (core_const.ERROR_UNREACHABLE, _lt("The buyer refused this type of ZNS.")),
    -141: (core_const.ERROR_UNREACHABLE, _lt("The buyer refused ZNS from this Official Account.")),
    # Quota: the message waits.
    -133: (core_const.ERROR_DEFER, _lt("This ZNS template cannot be sent between 22:00 and 06:00.")),
    -144: (core_const.ERROR_DEFER, _lt("The daily ZNS quota of the Official Account is used up.")),
    -147: (core_const.ERROR_DEFER, _lt("The daily quota of this ZNS template is used up.")),
    -1472: (core_const.ERROR_DEFER, _lt("The daily promotion quota for this buyer is used up.")),
    # Money: the provider pauses, nothing is lost.
    -115: (core_const.ERROR_BALANCE, _lt("The Zalo Cloud Account balance is too low for ZNS.")),
    -137: (core_const.ERROR_BALANCE, _lt("Zalo could not charge the Zalo Cloud Account.")),
    -126: (core_const.ERROR_BALANCE, _lt("The development (test mode) wallet of the Zalo app is empty.")),
    # The message itself.
    -108: (core_const.ERROR_INVALID, _lt("Zalo refused the phone number.")),
    -111: (core_const.ERROR_INVALID, _lt("The template data is empty.")),
    -112: (core_const.ERROR_INVALID, _lt("A template parameter has a wrong format.")),
    -1121: (core_const.ERROR_INVALID, _lt("A template parameter is longer than Zalo allows.")),
    -1122: (core_const.ERROR_INVALID, _lt("A template parameter is missing.")),
    -1124: (core_const.ERROR_INVALID, _lt("A template parameter has a wrong format.")),
    -116: (core_const.ERROR_INVALID, _lt("Zalo refused the text of a parameter.")),
    -130: (core_const.ERROR_INVALID, _lt("The message is longer than Zalo allows.")),
    -132: (core_const.ERROR_INVALID, _lt("A template parameter is invalid (e.g. a date in a wrong format).")),
    -106: (core_const.ERROR_INVALID, _lt("Zalo refused the request (method unsupported).")),
    -121: (core_const.ERROR_INVALID, _lt("Zalo received an empty request.")),
    -122: (core_const.ERROR_INVALID, _lt("Zalo could not read the request.")),
    -161: (core_const.ERROR_INVALID, _lt("Zalo refused the sending mode.")),
    -162: (core_const.ERROR_INVALID, _lt("Zalo refused the sending mode for this template tag.")),
}

# Automatic mapping of a ZNS parameter to an order value, by its name: the first rule whose
# words appear as whole words in the normalised name wins (so "cod_amount" is the COD, not the
# total, and "order_code" is no COD).
PARAM_SUGGESTIONS = [
    (('failed_reason', 'fail_reason', 'ly_do_giao', 'ly_do_that_bai', 'ly_do_khong_giao'), 'failed_reason'),
    (('reschedule', 'hen_lai', 'hen_giao', 'giao_lai'), 'reschedule_hint'),
    (('reason', 'ly_do', 'cancel_reason'), 'cancel_reason'),
    (('cod', 'thu_ho', 'collect'), 'cod_amount'),
    (('paid', 'da_thanh_toan', 'payment_amount'), 'amount_paid'),
    (('order_date', 'ngay_dat', 'created_date', 'date_order'), 'order_date'),
    (('expected', 'delivery_date', 'ngay_giao', 'eta', 'du_kien'), 'expected_date'),
    (('tracking_url', 'tracking_link', 'link_van_don'), 'tracking_url'),
    (('tracking', 'van_don', 'waybill', 'shipment_code', 'ship_code', 'bill_code'), 'tracking_ref'),
    (('carrier', 'shipper', 'van_chuyen', 'transporter', 'delivery_unit', 'courier', 'ship_unit'), 'carrier'),
    (('customer', 'khach', 'ten', 'buyer', 'full_name', 'fullname', 'name'), 'customer_name'),
    (('order_url', 'order_link', 'link', 'url'), 'order_url'),
    (('order', 'ma_don', 'don_hang', 'invoice', 'code', 'ref', 'so_don'), 'order_ref'),
    (('amount', 'total', 'price', 'tien', 'gia', 'value', 'cost'), 'amount_total'),
    (('product', 'san_pham', 'item', 'hang_hoa'), 'product_summary'),
    (('hotline', 'shop_phone', 'phone', 'sdt'), 'shop_phone'),
    (('shop', 'store', 'cua_hang', 'brand'), 'shop_name'),
    (('date', 'ngay', 'time'), 'order_date'),
]
# Order values that Zalo "number" parameters take as plain integers, from ``<key>_value``.
AMOUNT_VALUE_KEYS = ('amount_total', 'amount_paid', 'cod_amount')
