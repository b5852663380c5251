# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Helpers shared by the core and the channel addons: the error providers raise, the
Vietnamese phone normalisation on top of Odoo's ``phone_validation`` and the shortening of
long values."""

import re
import unicodedata

import psycopg2
import psycopg2.errors

from odoo.exceptions import UserError
from odoo.tools.translate import LazyGettext

from odoo.addons.order_status_notify import const
from odoo.addons.phone_validation.tools import phone_validation

try:
    import phonenumbers
except ImportError:  # phone_validation itself degrades the same way
    phonenumbers = None


class OrderNotifyError(Exception):
    """Raised by a provider when a message could not be sent.

    The dispatcher decides what happens from ``error_class`` (one of ``const.ERROR_CLASSES``):
    retry, fall back to the next channel, defer, pause the provider or fail. ``code`` is the
    provider's own code (kept on the message for support), ``message`` a sentence for the shop,
    ``retry_at`` an optional naive UTC datetime before which the message must not be retried.

    ``recipient``: the error concerns this phone number only (no account on the channel, refused
    by its owner): the buyer's other numbers are tried on the same channel first. ``fallback``:
    an ``invalid`` message this channel cannot carry (e.g. a value longer than the provider
    template allows) fails and goes by the next channel, whose text may carry it. ``vals`` are
    values to write on the message all the same: for ``duplicate``, what the provider could tell
    of the first send (its message id, its price), so the log matches the provider's invoice.

    ``ambiguous`` says the request may have been processed by the provider although no answer
    came back (read timeout, connection reset once the request was written): only a transient
    error can be ambiguous. The dispatcher resends it only when the provider has an idempotency
    key, and reconciles it with the provider first otherwise (``_order_notify_handle_error``).
    A provider raises ``ambiguous=False`` (the default) only when the request surely did not
    reach the vendor or was refused before processing (connection refused, connect timeout,
    HTTP 429).
    """

    def __init__(self, error_class, message, code=None, retry_at=None, recipient=False, fallback=False, vals=None,
                 ambiguous=False):
        if error_class not in const.ERROR_CLASSES:
            raise ValueError(f"Unknown error class {error_class!r}")
        text = _lazy_text(message)
        super().__init__(text)
        self.error_class = error_class
        self.message = text
        # The reason as given (a lazy translation where the provider used ``_lt``): stored on
        # the message untranslated, so that each reader sees it in their language.
        self.lazy_message = message
        self.code = code
        self.retry_at = retry_at
        self.recipient = recipient
        self.fallback = fallback
        self.vals = vals or {}
        self.ambiguous = bool(ambiguous) and error_class == const.ERROR_TRANSIENT

    def add_detail(self, detail):
        """Append ``detail`` (which parameter, which value…) to the reason, in both its text and
        its stored, lazily translated form."""
        self.message = f"{self.message} {detail}"
        self.args = (self.message,)
        self.lazy_message = LazyGettext(
            "%(reason)s %(detail)s", reason=self.lazy_message, detail=detail, _module='order_status_notify',
        )
        return self

    def __str__(self):
        return f"[{self.code}] {self.message}" if self.code else self.message

    @classmethod
    def from_table(cls, code, table, default_message, vendor_text=None, default_class=const.ERROR_INVALID, **kwargs):
        """The error of a vendor's result ``code`` looked up in one of the vendor error tables
        (``{code: (error_class, lazy reason)}``, kept as data in each addon's ``const.py``).

        :param default_message: the reason of a code the table does not know
        :param vendor_text: the vendor's own words, appended to the reason for support
        :param kwargs: passed on (``retry_at``, ``recipient``, ``fallback``, ``vals``…)
        """
        error_class, reason = table.get(code, (default_class, None))
        message = reason or default_message
        if vendor_text:
            # Kept lazy: the message's reason is translated when read (``lazy_to_json``).
            message = LazyGettext("%(reason)s (%(vendor_text)s)", reason=message, vendor_text=str(vendor_text),
                                  _module='order_status_notify')
        return cls(error_class, message, code=str(code), **kwargs)


def _lazy_text(message):
    """``message`` as text: a lazy translation in the language of the current web request, or
    in English (a cron has no reader; the message's stored reason is translated when read)."""
    if not isinstance(message, LazyGettext):
        return str(message)
    lang = 'en_US'
    try:
        from odoo.http import request  # noqa: PLC0415
        if request and request.env and request.env.lang:
            lang = request.env.lang
    except RuntimeError:  # no request bound to this thread
        pass
    return message._translate(lang)


# Errors of the transaction itself, not of the data: serialization failures, deadlocks, locks not
# available, an aborted transaction, a lost connection. A guard that keeps a notification from
# blocking a sale must let them through, so that Odoo rolls back and retries the whole request
# (``odoo.service.model.retrying``) exactly as it does without this addon.
TRANSACTION_ERRORS = (
    psycopg2.OperationalError,  # SerializationFailure, DeadlockDetected, LockNotAvailable, lost connection…
    psycopg2.InterfaceError,  # connection already closed
    psycopg2.errors.InFailedSqlTransaction,  # "current transaction is aborted"
)


def is_transaction_error(error):
    """Whether ``error`` is an error of the transaction that must never be swallowed."""
    return isinstance(error, TRANSACTION_ERRORS)


def is_ambiguous_request_error(error):
    """Whether a ``requests`` exception may hide a request the server received and processed.

    Only a failure to open the connection (refused, unknown host, connect timeout) proves that
    nothing was sent. A read timeout, or a connection reset or closed once the request was
    written, leaves the outcome unknown: the server may have accepted the message.
    """
    import requests  # noqa: PLC0415 - only the channel addons make HTTP calls
    from urllib3.exceptions import NewConnectionError  # noqa: PLC0415

    if isinstance(error, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(error, requests.exceptions.ConnectionError):
        reason = error.args[0] if error.args else None
        reason = getattr(reason, 'reason', reason)  # urllib3 MaxRetryError wraps the cause
        if isinstance(reason, NewConnectionError):
            return False  # refused / unreachable: the request never left
        return True
    if isinstance(error, (requests.exceptions.Timeout, requests.exceptions.ChunkedEncodingError)):
        return True  # ReadTimeout: the request was written, the answer never came
    return False  # invalid URL, too many redirects…: nothing was processed


def convert_legacy_vn_number(number):
    """Return ``number`` with a pre-2018 11-digit Vietnamese mobile prefix (``0168…``,
    ``+84 168…``) replaced by its 10-digit successor; other numbers are returned unchanged.
    Buyers still type the old numbers years after the switch, and phonenumbers rejects them."""
    if not number:
        return number
    digits = re.sub(r'[^\d+]', '', number)
    if digits.startswith('+84'):
        national = '0' + digits[3:]
    elif digits.startswith('0084'):
        national = '0' + digits[4:]
    elif digits.startswith('84') and len(digits) == 12:
        national = '0' + digits[2:]
    elif digits.startswith('0'):
        national = digits
    else:
        return number
    if len(national) != 11:
        return number
    new_prefix = const.VN_LEGACY_MOBILE_PREFIXES.get(national[:4])
    return new_prefix + national[4:] if new_prefix else number


def normalize_mobile(number, country):
    """Normalise a phone number typed by a person to E.164, for mobiles only.

    :param str number: the raw number
    :param country: a ``res.country`` record (the partner's, else the company's, else Vietnam)
    :return: ``(e164, reason_code)``: ``e164`` is False when the number cannot be messaged and
             ``reason_code`` then says why (``const.REASON_*``).
    """
    if not number or not number.strip():
        return False, const.REASON_NO_PHONE
    country_code = country.code if country else 'VN'
    phone_code = country.phone_code if country else 84
    if country_code == 'VN' or re.sub(r'[^\d+]', '', number).startswith(('+84', '0084')):
        number = convert_legacy_vn_number(number)
    try:
        e164 = phone_validation.phone_format(
            number, country_code, phone_code, force_format='E164', raise_exception=True,
        )
    except UserError:
        return False, const.REASON_INVALID_PHONE
    if phonenumbers:
        parsed = phonenumbers.parse(e164)
        number_type = phonenumbers.number_type(parsed)
        if number_type not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return False, const.REASON_LANDLINE
    return e164, False


# What buyers type between two numbers ("0912 345 678 / 0987 654 321", "… - …", "…; …") and
# the notes they add ("(chồng)", "gọi giờ hành chính"): split on them, keep the digits.
_PHONE_SEPARATORS = re.compile(r'[/,;|\n\\]|\s[-–]\s?|\s?[-–]\s|[^\W\d_]+')
_PHONE_NOTE = re.compile(r'\([^)]*[^\W\d_][^)]*\)')


def extract_mobiles(text, country):
    """All the mobiles a person typed in one phone field, in the order typed.

    A field holding one number is normalised as a whole (``normalize_mobile``); otherwise it is
    split on separators and notes, and each piece's digit groups are joined until they form a
    valid mobile (``0912 345 678``, ``0912.345.678``).

    :return: ``([e164, …], reason_code)``: the reason (``const.REASON_*``) says why the list is
             empty, and is False otherwise.
    """
    e164, reason = normalize_mobile(text, country)
    if e164 or reason == const.REASON_NO_PHONE:
        return ([e164] if e164 else []), reason
    mobiles, reasons = [], [reason]
    for piece in _PHONE_SEPARATORS.split(_PHONE_NOTE.sub(' ', text)):
        groups = re.findall(r'\+?\d+', piece)
        start = 0
        while start < len(groups):
            found = False
            for end in range(start + 1, len(groups) + 1):
                candidate = ''.join(groups[start:end])
                if len(re.sub(r'\D', '', candidate)) > 15:
                    break
                e164, reason = normalize_mobile(candidate, country)
                if e164:
                    if e164 not in mobiles:
                        mobiles.append(e164)
                    start, found = end, True
                    break
                reasons.append(reason)
            if not found:
                start += 1
    if mobiles:
        return mobiles, False
    return [], const.REASON_LANDLINE if const.REASON_LANDLINE in reasons else const.REASON_INVALID_PHONE


def text_length(text):
    """The length of ``text`` as Zalo and SMS gateways count it: characters after NFC
    normalisation (a decomposed "ễ" is one character, not three)."""
    return len(unicodedata.normalize('NFC', text or ''))


def shorten_text(text, limit, ellipsis='…'):
    """``text`` (NFC-normalised) cut to at most ``limit`` characters at a word boundary, ending
    with ``ellipsis``; unchanged when it fits. A first word longer than the limit is cut inside."""
    text = unicodedata.normalize('NFC', text or '').strip()
    if not limit or len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    if room <= 0:
        return text[:limit]
    cut = text[:room + 1]
    boundary = max(cut.rfind(' '), cut.rfind(','))
    cut = cut[:boundary] if boundary > 0 else text[:room]
    return cut.rstrip(' ,;:-–(') + ellipsis


def lazy_to_json(value):
    """A reason as stored on a message (``order.notify.message.reason_data``): a lazy
    translation (``_lt``) becomes ``{"m": module, "s": source, "a": args}``, its lazy arguments
    too, so that the text is translated when read, in the reader's language, not frozen in the
    language of the cron that wrote it. Anything else is kept as its text."""
    if isinstance(value, LazyGettext):
        args = value._args
        if isinstance(args, dict):
            args = {key: lazy_to_json(arg) for key, arg in args.items()}
        else:
            args = [lazy_to_json(arg) for arg in args]
        return {'m': value._module, 's': value._source, 'a': args}
    if isinstance(value, OrderNotifyError):
        return lazy_to_json(value.lazy_message)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return '' if value in (None, False) else str(value)


def lazy_from_json(data):
    """The inverse of ``lazy_to_json``: a ``LazyGettext`` (or a plain value) to translate."""
    if isinstance(data, dict) and 's' in data:
        args = data.get('a') or ()
        if isinstance(args, dict):
            return LazyGettext(data['s'], _module=data.get('m') or 'order_status_notify',
                               **{key: lazy_from_json(arg) for key, arg in args.items()})
        return LazyGettext(data['s'], *(lazy_from_json(arg) for arg in args), _module=data.get('m') or 'order_status_notify')
    return data


def render_lazy_json(data, lang):
    """The text of a stored reason (``lazy_to_json``) in ``lang``."""
    value = lazy_from_json(data)
    if isinstance(value, LazyGettext):
        try:
            return value._translate(lang or 'en_US')
        except Exception:  # noqa: BLE001 - a reason must always show, at worst in English
            return value._translate('en_US')
    return '' if value is None else str(value)
