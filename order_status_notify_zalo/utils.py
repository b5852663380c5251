# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Pure helpers of the Zalo ZNS channel (no ORM, no HTTP): URLs, the webhook signature, the
``tracking_id``, the phone format, epoch-millisecond dates and the parsing of Zalo's answers.

They return ``None``/``False`` rather than raise: the models turn that into an error sentence
in the shop's language (a function without an environment cannot translate).
"""

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import pytz

from odoo.fields import Command

from odoo.addons.order_status_notify_zalo import const


# === URLS === #

def join_url(base_url, path, default_base_url):
    """``path`` under ``base_url`` (or the vendor's default when none is set)."""
    return (base_url or default_base_url).rstrip('/') + path


def oa_url(api_base_url, path):
    """The OA API lives on another host than the ZNS API; a sandbox given as the API base URL
    serves both."""
    if not api_base_url or api_base_url.rstrip('/') == const.DEFAULT_API_BASE_URL:
        api_base_url = const.DEFAULT_OA_API_BASE_URL
    return api_base_url.rstrip('/') + path


def pkce_pair():
    """``(verifier, S256 challenge)`` of an OAuth v4 consent (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
    return verifier, challenge


# === ANSWERS === #

def error_code(data):
    """Zalo answers application errors with HTTP 200 and ``{"error": <code>}``: 0 means success.
    An unreadable code counts as Zalo's "unknown error" (-100)."""
    try:
        return int(data.get('error') or 0)
    except (TypeError, ValueError):
        return -100


def answer_data(data, kind=dict):
    """The ``data`` member of an answer when it has the expected type, else an empty one."""
    value = data.get('data') if isinstance(data, dict) else None
    return value if isinstance(value, kind) else kind()


def parse_ms(value):
    """Naive UTC datetime of an epoch-milliseconds value (Zalo's dates), or None."""
    try:
        return datetime.utcfromtimestamp(int(value) / 1000).replace(microsecond=0)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_quota(quota):
    """``(daily, remaining)`` of ``{"dailyQuota": "500", "remainingQuota": "499"}`` (strings,
    sometimes missing), or None."""
    if not isinstance(quota, dict):
        return None
    try:
        return int(quota.get('dailyQuota')), int(quota.get('remainingQuota'))
    except (TypeError, ValueError):
        return None


def parse_expires_in(data, default=90000):
    """Seconds an access token lives (``"expires_in": "90000"``, a string)."""
    try:
        return int(data.get('expires_in') or default)
    except (TypeError, ValueError):
        return default


# === SENDING === #

def format_phone(phone):
    """``84xxxxxxxxx`` for ``+84xxxxxxxxx``, or None: Zalo reaches Vietnamese numbers only."""
    digits = re.sub(r'\D', '', phone or '')
    return digits if re.fullmatch(r'84\d{9}', digits) else None


def tracking_id(key):
    """The idempotency key as ``tracking_id`` (≤ 48 characters, letters, digits, - and _), or
    None when there is no key."""
    value = re.sub(r'[^A-Za-z0-9_-]', '-', key or '')[:const.TRACKING_ID_MAX_LENGTH]
    return value if re.fullmatch(const.TRACKING_ID_PATTERN, value) else None


def next_morning(now_utc):
    """06:00 in Vietnam after ``now_utc`` (naive UTC), as naive UTC: when night-restricted
    templates may leave (-133)."""
    tz = pytz.timezone(const.ZALO_TZ)
    local_now = pytz.utc.localize(now_utc).astimezone(tz)
    morning = local_now.replace(hour=const.NIGHT_BAN_END_HOUR, minute=0, second=0, microsecond=0)
    if local_now.hour >= const.NIGHT_BAN_END_HOUR:
        morning += timedelta(days=1)
    return morning.astimezone(pytz.utc).replace(tzinfo=None)


# === WEBHOOK === #

def check_signature(raw_body, data, signature, headers, first_ids, secret_keys):
    """Whether ``X-ZEvent-Signature`` = sha256(app id + raw body + timestamp + OA secret key), hex.

    Tolerated variants (zalo_zns.md §5.2): a ``mac=`` prefix; the timestamp of the body or of
    an ``X-ZEvent-Timestamp`` header; the OA id instead of the app id (``first_ids``); the app
    secret instead of the OA secret key (``secret_keys``). The ids and keys come from the
    provider, never from the call.
    """
    received = (signature or '').strip()
    if received[:4].lower() == 'mac=':
        received = received[4:].strip()
    received = received.lower()
    if not re.fullmatch(r'[0-9a-f]{64}', received):
        return False
    stamps = {str(data.get('timestamp') or ''), headers.get('X-ZEvent-Timestamp') or ''}
    for first in first_ids:
        for secret in secret_keys:
            for stamp in stamps:
                expected = hashlib.sha256(str(first).encode() + raw_body + stamp.encode() + secret.encode()).hexdigest()
                if hmac.compare_digest(expected, received):
                    return True
    return False


def is_stale(timestamp_ms, max_age_seconds=const.WEBHOOK_MAX_AGE_SECONDS):
    """Whether a signed event is too old to be taken (a captured call replayed later). Without
    a usable timestamp, the signature alone decides."""
    try:
        sent = datetime.fromtimestamp(int(timestamp_ms) / 1000)
    except (TypeError, ValueError, OverflowError, OSError):
        return False
    return datetime.now() - sent > timedelta(seconds=max_age_seconds)


# === TEMPLATES === #

def template_list_page(data):
    """``(template ids, items read, total)`` of a page of ``GET /template/all``."""
    items = answer_data(data, list)
    refs = [str(item['templateId']) for item in items if isinstance(item, dict) and item.get('templateId')]
    total = (data.get('metadata') or {}).get('total') or 0
    return refs, len(items), int(total)


def _to_number(value, default=0):
    try:
        return type(default)(float(value))
    except (TypeError, ValueError):
        return default


def template_vals(detail):
    """The values of a ``zalo.zns.template`` from the answer of ``GET /template/info/v2``."""
    statuses = dict(const.TEMPLATE_STATUS_SELECTION)
    status = str(detail.get('status') or '').upper()
    params = [
        Command.create({
            'sequence': sequence,
            'name': str(param.get('name')),
            'param_type': str(param.get('type') or 'STRING'),
            'required': bool(param.get('require')),
            'accept_null': bool(param.get('acceptNull')),
            'max_length': _to_number(param.get('maxLength')),
            'min_length': _to_number(param.get('minLength')),
        })
        for sequence, param in enumerate(detail.get('listParams') or [], start=1)
        if isinstance(param, dict) and param.get('name')
    ]
    return {
        'name': detail.get('templateName') or '',
        'status': status if status in statuses else False,
        'status_reason': detail.get('reason') or (status if status not in statuses else False),
        'quality': detail.get('templateQuality') or False,
        'tag': str(detail.get('templateTag') or '') or False,
        'price': _to_number(detail.get('price') or detail.get('price_sdt'), 0.0),
        'timeout_ms': _to_number(detail.get('timeout'), const.DEFAULT_TEMPLATE_TIMEOUT_MS),
        'preview_url': detail.get('previewUrl') or False,
        'param_ids': [Command.clear()] + params,
    }
