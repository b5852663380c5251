# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Constants shared by the core and the channel addons.

Events and channels are read through ``order.notify.registry``, which addons extend; the
dicts here are the core's own entries.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The events of the core, in the order a buyer lives them: the defaults of the event registry
# (``order.notify.registry._get_events``, where addons add theirs; its docstring explains the keys).
EVENTS = {
    # A reminder of a cart or quotation left unpaid: advertising in Vietnamese law (Decree 91/2020), so
    # promotional (opt-out, daily cap, 07:00-22:00), off until the shop chooses it.
    'cart_abandoned': {
        'label': _lt("Cart reminder"), 'sequence': 5, 'kind': 'promotional', 'default_on': False,
    },
    'placed': {'label': _lt("Order placed"), 'sequence': 10},
    'paid': {'label': _lt("Order paid"), 'sequence': 20, 'absorbed_by': ('delivered',), 'hold_minutes': 30},
    # One message per revision of a confirmed order (address, phone, lines, amount to collect).
    'order_changed': {'label': _lt("Order changed"), 'sequence': 25, 'scope': 'ref'},
    'shipped': {'label': _lt("Order shipped"), 'sequence': 30, 'scope': 'parcel', 'plans': ('full', 'essential')},
    # Told by the carrier's webhook (see CARRIER_STATUSES); a thank-you that left first makes them moot.
    'out_for_delivery': {
        'label': _lt("Out for delivery"), 'sequence': 33, 'scope': 'parcel', 'absorbed_by': ('delivered',),
    },
    'delivery_failed': {
        'label': _lt("Delivery attempt failed"), 'sequence': 35, 'scope': 'parcel', 'absorbed_by': ('delivered',),
    },
    'returning': {'label': _lt("Returning to the shop"), 'sequence': 37, 'scope': 'parcel'},
    'delivered': {'label': _lt("Order delivered"), 'sequence': 40, 'plans': ('full', 'essential')},
    'cancelled': {'label': _lt("Order cancelled"), 'sequence': 50},
    'return_received': {'label': _lt("Return received"), 'sequence': 60, 'scope': 'ref'},
    'refunded': {'label': _lt("Refund paid"), 'sequence': 70, 'scope': 'ref'},
}
EVENT_DEFAULTS = {
    'kind': 'transactional', 'sequence': 100, 'scope': 'order', 'absorbed_by': (), 'hold_minutes': 0,
    'bucket_hours': 24, 'channels': None, 'default_on': True, 'plans': ('full',),
}
EVENT_SCOPES = ('order', 'parcel', 'ref', 'bucket')

# Message plans: presets of the events a company sends (``res.company.order_notify_plan``). An event
# lists the plans that switch it on (its ``plans``, by default the full journey only); ``custom`` is
# whatever the admin set event by event.
PLANS = ('full', 'essential')

# Advertising messages may only leave between these local hours (Decree 91/2020/ND-CP: 07:00-22:00),
# whatever the shop's sending hours: promotional events are held until the window opens.
PROMOTIONAL_WINDOW_START = 7.0
PROMOTIONAL_WINDOW_END = 22.0

# Defaults of the journey settings: how long a cart or quotation waits before its reminder, and how
# long an order change waits for more changes before one message tells them all.
DEFAULT_CART_DELAY_HOURS = 1.0
# Carts older than this are not reminded any more (nor all at once when the reminder is switched on).
CART_REMINDER_MAX_AGE_DAYS = 3
ORDER_CHANGED_DEBOUNCE_MINUTES = 10

# The channels of the core: the defaults of the channel registry (``order.notify.registry._get_channels``),
# which each channel addon extends with its own.
CHANNELS = {
    'email': {'label': _lt("E-mail"), 'sequence': 90, 'recipient': 'email'},
}

# Message states that count as "the buyer got (or is getting) this message".
SUCCESS_STATES = ('sent', 'delivered')
# Message states the dispatcher still has to act upon.
PENDING_STATES = ('queued', 'sending', 'reconciling')

# Error classes a provider raises (see ``OrderNotifyError``); the dispatcher decides what
# happens for each in ``order.notify.message._order_notify_handle_error``.
ERROR_TRANSIENT = 'transient'        # timeout, 5xx, 429: retry with backoff
ERROR_UNREACHABLE = 'unreachable'    # no account on this channel, opted out there: fall back
ERROR_DEFER = 'defer'                # daily quota / rate window: try again later, keep the message
ERROR_BALANCE = 'balance'            # out of credit: pause the provider, alert, keep the message
ERROR_CONFIG = 'config'              # wrong credentials / brandname: fail, pause, alert once
ERROR_INVALID = 'invalid'            # bad phone, missing or too long parameter: fail
ERROR_DUPLICATE = 'duplicate'        # the provider already accepted this idempotency key: sent
ERROR_TEMPLATE = 'template'          # this template/text is refused (not registered, not approved): fail,
                                     # fall back, alert once per template and event; the provider goes on
ERROR_CLASSES = (
    ERROR_TRANSIENT, ERROR_UNREACHABLE, ERROR_DEFER, ERROR_BALANCE, ERROR_CONFIG,
    ERROR_INVALID, ERROR_DUPLICATE, ERROR_TEMPLATE,
)

# Retry policy of transient errors: ``RETRY_BASE_SECONDS * 2 ** (attempt - 1)``, capped.
MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 3600

# A message left in ``sending`` longer than this (since its provider call started) was being
# sent by a worker that died.
STUCK_SENDING_MINUTES = 10

# How many messages one dispatcher run handles at most before it reports progress to ir.cron,
# and for how long it starts new sends: well within Odoo's time limit of a cron worker
# (``limit_time_real_cron``, by default ``limit_time_real``, 120 s), the calls in flight included.
DISPATCH_BATCH_SIZE = 500
DISPATCH_RUN_SECONDS = 30
# How many messages the parallel dispatcher claims at a time and decides together when nothing
# is on its way yet (one read of their orders, buyers, templates), and, while calls are in
# flight, in smaller waves that never keep the free places waiting long.
DISPATCH_WAVE_SIZE = 50
DISPATCH_REFILL_SIZE = 25
# Default of ``order.notify.provider.send_concurrency``: messages on their way to one provider at
# once, per dispatcher job.
DEFAULT_SEND_CONCURRENCY = 8
# The dispatcher jobs (``ir.cron`` records) that may share the queue, each claiming its own messages
# (``id % shards``): ``order_status_notify.dispatch_shards`` is at most this.
MAX_DISPATCH_SHARDS = 8

# Defaults of the company settings.
DEFAULT_TZ = 'Asia/Ho_Chi_Minh'
DEFAULT_WINDOW_START = 7.0
DEFAULT_WINDOW_END = 21.0
DEFAULT_DAILY_CAP = 2

# Pre-2018 11-digit Vietnamese mobile prefixes and their 10-digit replacements
# (Ministry of Information and Communications plan, carried out from 15/09/2018 to 2019).
VN_LEGACY_MOBILE_PREFIXES = {
    # Viettel 016x -> 03x
    '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036',
    '0167': '037', '0168': '038', '0169': '039',
    # MobiFone
    '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
    # VinaPhone
    '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
    # Vietnamobile
    '0186': '056', '0188': '058',
    # Gmobile
    '0199': '059',
}

# Reason codes stored on messages; the human text is built where the reason is known.
REASON_NO_PHONE = 'no_phone'
REASON_INVALID_PHONE = 'invalid_phone'
REASON_LANDLINE = 'landline'
REASON_BLACKLISTED = 'blacklisted'
REASON_NO_EMAIL = 'no_email'
REASON_INVALID_EMAIL = 'invalid_email'
REASON_NO_RECIPIENT = 'no_recipient'    # a channel's own address (chat id…) is not known for the buyer
REASON_OPTED_OUT = 'opted_out'
REASON_NO_PROVIDER = 'no_provider'
REASON_NO_TEMPLATE = 'no_template'
REASON_RENDER_ERROR = 'render_error'
REASON_ALREADY_NOTIFIED = 'already_notified'
REASON_MERGED = 'merged'
REASON_MERGE_HOLD = 'merge_hold'
REASON_QUIET_HOURS = 'quiet_hours'
REASON_DAILY_CAP = 'daily_cap'
REASON_PROVIDER_PAUSED = 'provider_paused'
REASON_ORDER_CANCELLED = 'order_cancelled'
REASON_ORDER_CONFIRMED_AGAIN = 'order_confirmed_again'
REASON_ALREADY_THANKED = 'already_thanked'
REASON_CART_ORDERED = 'cart_ordered'            # the buyer ordered since the cart was left: no reminder
REASON_PROMO_OPTED_OUT = 'promo_opted_out'      # the buyer refused advertising messages
REASON_CHANGES_UNDONE = 'changes_undone'        # the order is back as the buyer knew it: nothing to tell
REASON_PROMOTIONAL_HOURS = 'promotional_hours'  # advertising waits for 07:00-22:00 (not *Send Now*: the law)
REASON_MAX_ATTEMPTS = 'max_attempts'
REASON_STUCK = 'stuck_sending'
REASON_INTERNAL = 'internal_error'
REASON_RECONCILING = 'reconciling'      # ambiguous answer, waiting for the provider's proof
REASON_NOT_CONFIRMED = 'not_confirmed'  # the reconciliation window ended without a proof
# How long the dispatcher waits for the proof of a provider without idempotency key after an
# ambiguous answer (default of ``order.notify.provider.reconcile_window_minutes``).
DEFAULT_RECONCILE_WINDOW_MINUTES = 120
# Reasons saying the buyer has no address of the channel's kind (no mobile, no e-mail): the next
# channel sending to another kind of address takes over. Blacklists and opt-outs stop the chain.
NO_ADDRESS_REASONS = (REASON_NO_PHONE, REASON_INVALID_PHONE, REASON_LANDLINE, 'no_email', 'invalid_email', 'no_recipient')
# Reasons that keep a message queued for later: the message is "deferred".
DEFER_REASONS = (
    REASON_MERGE_HOLD, REASON_QUIET_HOURS, REASON_DAILY_CAP, REASON_PROVIDER_PAUSED, ERROR_TRANSIENT, ERROR_DEFER,
    ERROR_BALANCE, REASON_PROMOTIONAL_HOURS,
)

# Deferred messages a notification administrator may send at once (*Send Now*): the shop's own
# rules hold them back, not the provider.
SEND_NOW_REASONS = (REASON_MERGE_HOLD, REASON_QUIET_HOURS, REASON_DAILY_CAP)

# The statuses of a parcel that carriers report (``tools/carriers``), in the order a parcel
# lives them (the tie-break of two statuses with the same carrier time), and the event each
# queues for the buyer (``picked`` queues ``shipped``, which validating the parcel already did:
# the queue keeps it to one message; ``delivered`` marks the parcel received, which sends the
# thank-you when the whole order arrived; ``returned`` tells the buyer nothing).
CARRIER_STATUSES = ('picked', 'out_for_delivery', 'delivery_failed', 'delivered', 'returning', 'returned')
# The company field holding each carrier adapter's webhook secret (``tools/carriers``).
CARRIER_SECRET_FIELDS = {
    'generic': 'order_notify_webhook_secret',
    'ghn': 'order_notify_ghn_webhook_token',
    'ghtk': 'order_notify_ghtk_webhook_token',
}
# The carriers' order APIs, asked for the parcel's expected delivery date (their webhooks carry
# none) when the company has an API token for them; the system parameter
# ``order_status_notify.<carrier>_api_url`` points them elsewhere (staging, tests).
CARRIER_API_URLS = {
    'ghn': 'https://online-gateway.ghn.vn',
    'ghtk': 'https://services.giaohangtietkiem.vn',
}
CARRIER_API_TOKEN_FIELDS = {
    'ghn': 'order_notify_ghn_api_token',
    'ghtk': 'order_notify_ghtk_api_token',
}
# (connect, read) timeout of such a call, made while the carrier waits for the webhook's answer.
CARRIER_API_TIMEOUT = (3, 5)
# The statuses after which the expected delivery date is asked again (a failed attempt moves it).
CARRIER_EXPECTED_DATE_STATUSES = ('picked', 'out_for_delivery', 'delivery_failed')
CARRIER_STATUS_EVENTS = {
    'picked': 'shipped',
    'out_for_delivery': 'out_for_delivery',
    'delivery_failed': 'delivery_failed',
    'returning': 'returning',
}
# The events told about one parcel on its way: their messages carry the parcel's amount to
# collect; when one cannot reach a buyer who pays on delivery on any channel, the salesperson
# is asked to call.
PARCEL_COD_EVENTS = ('shipped', 'out_for_delivery', 'delivery_failed')
# Events whose messages use the carrier values (``sale.order._order_notify_get_carrier_values``).
CARRIER_EVENTS = ('out_for_delivery', 'delivery_failed', 'returning')

# Order values a template can use, by key: ``{{ customer_name }}`` in a text body, or the value
# of a provider template parameter (see ``sale.order._order_notify_get_values``).
VALUE_KEYS = [
    ('customer_name', "Customer name"),
    ('order_ref', "Order reference"),
    ('order_date', "Order date"),
    ('amount_total', "Order total"),
    ('amount_paid', "Amount paid"),
    ('cod_amount', "Amount to collect on delivery"),
    ('carrier', "Carrier"),
    ('tracking_ref', "Tracking number"),
    ('tracking_url', "Tracking link"),
    ('expected_date', "Expected delivery date"),
    ('product_summary', "Products"),
    ('order_url', "Order link"),
    ('shop_name', "Shop name"),
    ('shop_phone', "Shop phone"),
    ('cancel_reason', "Cancellation reason"),
    ('cart_url', "Cart link"),
    ('changes', "Changes to the order"),
    ('return_amount', "Value of the returned goods"),
    ('return_summary', "Returned products"),
    ('refund_amount', "Amount refunded"),
    ('failed_reason', "Failed delivery reason"),
    ('reschedule_hint', "How to get the parcel delivered again"),
]
# Free-text values a provider template parameter may get shortened (at a word boundary, with
# "…") to the length the provider allows; the others (codes, amounts, dates, links) are never
# cut: a value too long for them fails the message on that channel.
SHORTENABLE_VALUE_KEYS = (
    'customer_name', 'product_summary', 'carrier', 'shop_name', 'cancel_reason', 'changes', 'return_summary',
    'failed_reason',
)
# The product list of a message (``product_summary``) is cut to this length.
PRODUCT_SUMMARY_MAX_LENGTH = 100
