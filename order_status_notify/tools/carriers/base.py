# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""What every carrier adapter shares: the normalized status, the errors, body and time parsing.

Pure Python, no ORM: an adapter reads a request (headers, query, raw body) and answers with a
``CarrierStatus`` or raises ``CarrierWebhookError`` (answered 4xx by the controller).
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs

from odoo.addons.order_status_notify import const

_ADAPTERS = {}

# Carrier texts (reasons, codes) are cut to this length before they are stored or told.
MAX_TEXT_LENGTH = 250


class CarrierWebhookError(Exception):
    """A call that cannot be applied: answered with ``status_code`` (4xx) and ``message``."""

    def __init__(self, status_code, message):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class CarrierApiError(Exception):
    """The carrier's order API gave no usable answer (unknown parcel, refused token…)."""


@dataclass(frozen=True)
class CarrierStatus:
    """A carrier's status call, carrier-independent.

    :param status: the normalized status (``const.CARRIER_STATUSES``), or ``None`` when this
        carrier status tells the buyer nothing (in a hub, being sorted…)
    :param event_time: when the carrier saw it, naive UTC; the time of the call when the
        carrier gave none
    :param key: the idempotency key: the same call twice has the same key
    """
    carrier: str
    tracking_ref: str
    carrier_status: str
    status: str | None
    event_time: datetime
    key: str
    client_ref: str = ''
    reason: str = ''
    expected_date: date | None = None


class CarrierAdapter:
    """One carrier's webhook: where its secret is, how its payload reads.

    ``code`` names the carrier (the route and the company field of its secret: ``secret_field``);
    ``label`` is the carrier's name in the parcel's chatter.
    """
    code = None
    label = None
    secret_field = None
    # Naive times of the payload are in this time zone (the carrier's documented one).
    naive_tz = timezone.utc

    def get_secret(self, headers, query):
        """The secret the call carries, or '' (answered 400)."""
        raise NotImplementedError

    def parse(self, headers, query, body, now):
        """Return the ``CarrierStatus`` of the call; raise ``CarrierWebhookError`` for bad input.

        :param body: the raw body (bytes), or the fields of a form-encoded body already parsed
            by the web server (a dict: the raw bytes are gone then)
        :param now: the time of the call (naive UTC), the event's time when the carrier gave none
        """
        raise NotImplementedError

    def fetch_expected_date(self, base_url, token, tracking_ref):
        """The parcel's expected delivery date (a date in Vietnam) from the carrier's order API,
        or None when the carrier has none to give.

        :raise CarrierApiError: an answer without the date (unknown parcel, refused token)
        :raise OrderNotifyError: the API cannot be reached, times out, answers 5xx
        """
        return None

    # === HELPERS === #

    @staticmethod
    def read_json(raw_body):
        if isinstance(raw_body, dict):
            raise CarrierWebhookError(400, "malformed body: a form, not JSON")
        try:
            data = json.loads(raw_body or b'')
        except (ValueError, UnicodeDecodeError) as error:
            raise CarrierWebhookError(400, f"malformed body: {error}") from None
        if not isinstance(data, dict):
            raise CarrierWebhookError(400, "malformed body: not a JSON object")
        return data

    @classmethod
    def read_json_or_form(cls, headers, body):
        """A JSON object, or the fields of a form-encoded body: ``body`` is then the fields as
        the web server parsed them (a dict), or the raw bytes."""
        content_type = (headers.get('Content-Type') or '').lower()
        if 'application/x-www-form-urlencoded' in content_type:
            if isinstance(body, dict):
                return body
            try:
                fields = parse_qs(body.decode(), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError:
                raise CarrierWebhookError(400, "malformed body: not UTF-8") from None
            return {name: values[-1] for name, values in fields.items()}
        return cls.read_json(body)

    @staticmethod
    def text(value, name, required=False):
        """A payload value as a stripped string (numbers accepted); lists and objects refused."""
        if value is None or value == '':
            if required:
                raise CarrierWebhookError(400, f"missing {name}")
            return ''
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise CarrierWebhookError(400, f"{name} is not a text or a number")
        value = str(value).strip()
        if required and not value:
            raise CarrierWebhookError(400, f"missing {name}")
        return value[:MAX_TEXT_LENGTH]

    def parse_time(self, value, name, now):
        """An ISO 8601 time (``Z`` or an offset; naive ones read in ``naive_tz``) as naive UTC;
        ``now`` when missing."""
        value = self.text(value, name)
        if not value:
            return now
        try:
            moment = datetime.fromisoformat(value.replace('Z', '+00:00').replace('z', '+00:00'))
        except ValueError:
            raise CarrierWebhookError(400, f"{name} is not an ISO 8601 time: {value!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.naive_tz)
        return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)

    def parse_date(self, value, name):
        value = self.text(value, name)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise CarrierWebhookError(400, f"{name} is not a date (YYYY-MM-DD): {value!r}") from None

    def make_status(self, tracking_ref, carrier_status, status, event_time, has_time, **values):
        """The ``CarrierStatus`` with its idempotency key: carrier, parcel, carrier status and
        the carrier's time (a call without time is the same call as long as its status is)."""
        key = f"{self.code}:{tracking_ref}:{carrier_status}"
        if has_time:
            key += f":{event_time.isoformat()}"
        if status is not None and status not in const.CARRIER_STATUSES:
            raise ValueError(f"unknown normalized status {status}")
        return CarrierStatus(
            carrier=self.code, tracking_ref=tracking_ref, carrier_status=carrier_status, status=status,
            event_time=event_time, key=key, **values,
        )


def to_vn_date(value):
    """An ISO 8601 time or date of a carrier's API as a date in Vietnam (naive: Vietnam's time)."""
    if not isinstance(value, str) or not value.strip():
        raise CarrierApiError(f"no date: {value!r}")
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value.replace('Z', '+00:00').replace(' ', 'T', 1))
    except ValueError:
        raise CarrierApiError(f"not a date: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ).date()


def api_json(response, vendor):
    try:
        data = response.json()
    except ValueError:
        raise CarrierApiError(f"{vendor} answered HTTP {response.status_code} without JSON") from None
    if not isinstance(data, dict):
        raise CarrierApiError(f"{vendor} answered HTTP {response.status_code} with no JSON object")
    return data


def register(adapter_class):
    """Class decorator: make the adapter available under its ``code``."""
    _ADAPTERS[adapter_class.code] = adapter_class()
    return adapter_class


def get_adapter(code):
    return _ADAPTERS[code]


# Carriers in Vietnam stamp naive times in Vietnam's time.
VN_TZ = timezone(timedelta(hours=7))
