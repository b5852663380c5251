"""Fake Zalo ZNS ("ZBS Template Message", by phone number) and the Zalo OAuth v4 OA token endpoint.

Follows ``shared/notes/zalo_zns.md`` (sources there: S1a/S3 official error table, S2 official
send API and webhook, S5/S6 OAuth, S12/S13/S15 template APIs, S17/S25 message status):

- §0: bare ``access_token`` header; envelope ``{"error", "message", "data"}``; **HTTP 200 for
  application errors**; ids, times (epoch ms) and send-quota values as strings.
- §1.1–1.2: ``POST /message/template`` with ``phone`` (84…/+84…/0…/9 digits), ``template_id``
  (string or int), ``template_data``, ``tracking_id``, ``sending_mode`` ("1" | "3"), ``mode``
  ("development" → admins only, dev wallet). Success ``data`` = ``msg_id`` (20 hex),
  ``sent_time``, ``sending_mode``, ``quota {dailyQuota, remainingQuota}``; errors have no ``data``.
- §2: error codes and their English messages (texts the official table lacks are the fake's).
- §3: ``POST /v4/oa/access_token`` (form body, ``secret_key`` header, ``app_id``,
  ``grant_type=refresh_token`` | ``authorization_code`` + PKCE); answer
  ``{"access_token", "refresh_token", "expires_in": "90000"}``; access tokens live 25 h,
  refresh tokens 3 months and are **single use** (reuse → -14014, expired → -14020); error body
  ``{"error", "error_name", "error_reason", "ref_doc", "error_description"}``.
  ``GET /v4/oa/permission`` (consent) redirects straight back with ``code`` and ``oa_id``.
- OA API: ``GET /v2.0/oa/getoa`` with the ``access_token`` header → ``data {oa_id, name, …}``
  (Zalo OA API "Lấy thông tin Official Account"), -216 for a wrong token.
- §4: ``GET /template/all`` (numeric ``status`` filter, ``"ENABLE"`` → -132, ``limit`` clamped
  to 100, ``metadata.total``), ``GET /template/info/v2`` (and v1 ``/template/info``),
  ``GET /message/status`` (-1 / 0 / 1 + ``delivery_time``), ``GET /message/quota``.
- §4.4 / §8.2: parameter validation: missing required → -1122, longer than ``maxLength``
  (measured as sent: NFD text counts its combining marks) → -1121, NUMBER not digits → -1124,
  DATE not in an allowed format → -132.
- §5: ``user_received_message`` webhook signed ``X-ZEvent-Signature: mac=<sha256 hex of
  app_id + raw body + body.timestamp + OA secret key>`` with ``X-ZEvent-Server: ZNS``
  (:func:`sign_zns_event`, :func:`zns_delivery_event`, :meth:`FakeZaloZNS.deliver`).
- §6: daily quota (-144, reset at 00:00 ICT), per-template cap (-147), ZCA wallet (-115),
  night ban for flagged templates 22:00–05:59 ICT (-133), charged only when delivered within the
  template ``timeout`` (15 s OTP, 7200 s otherwise); failed sends never charged.

Fake's choices where the notes say UNCONFIRMED: ``tracking_id`` optional; the refresh-token error
numbers (-14014 used/unknown, -14020 expired); a malformed token request, bad ``app_id`` or
``secret_key`` → -14001 / -14002; after a refresh the old access token keeps working until it
expires (``revoke_old_access_token=True`` to change); template ``listParams[].type`` is
``STRING``, ``NUMBER`` or ``DATE``; ``templateId`` is an int when numeric; ``previewUrl`` points
at this fake's own ``/template/preview/<id>`` page.
"""
import base64
import hashlib
import html
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime

from .base import (
    ICT, Fake, InboxMessage, Response, TokenStore, canonical_phone, http_call, is_loopback_url, json_field, json_response,
    parse_vn_mobile, route, sha256_hex, text_response,
)

# Demo values, used by default in tests and in the sandbox (never real credentials).
DEMO_APP_ID = '1234567890123456789'
DEMO_APP_SECRET_KEY = 'demo-app-secret-key'
DEMO_OA_ID = '9876543210987654321'
DEMO_OA_SECRET_KEY = 'demo-oa-secret-key'
DEMO_REFRESH_TOKEN = 'demo-zalo-refresh-token'

ACCESS_TOKEN_TTL = 25 * 3600          # "expires_in": "90000"
REFRESH_TOKEN_TTL = 90 * 24 * 3600    # 3 months
AUTH_CODE_TTL = 600

# §2 (S1a/S3 official English texts; the fake's own wording where the table has none).
ERRORS = {
    0: 'Success',
    -100: 'Unknown error',
    -101: 'Application invalid',
    -104: 'App secret key invalid',
    -106: 'Method unsupported',
    -107: 'Message ID invalid',
    -108: 'Phone number invalid',
    -109: 'Template ID invalid',
    -111: 'Template data empty',
    -112: 'Template data invalid',
    -1121: 'Parameter breaks max length',
    -1122: 'Template data is missing a parameter',
    -1124: 'Parameter format invalid',
    -114: 'User is inactive, or rejects the message, or using an outdated Zalo version, or other internal errors',
    -115: 'Out of quota',
    -117: 'OA or App does not have permission to access this template',
    -118: 'Zalo account not existed',
    -119: 'Account can not receive message',
    -121: 'Body data empty',
    -122: 'Body format invalid',
    -124: 'Access token invalid',
    -126: 'Out of quota (development mode)',
    -127: 'Test template messages can only be sent to admin',
    -131: 'ZNS template not approved',
    -132: 'Parameter invalid',
    -133: 'This template cannot be sent at night (10PM-6AM)',
    -137: 'ZCA charge failure',
    -139: 'User refused to receive this type of ZNS',
    -141: 'User refused to receive ZNS',
    -144: 'ZNS daily quota exceeded',
    -146: 'Template disabled due to low quality',
    -147: 'Template daily quota exceeded',
    -161: 'Sending mode invalid',
    -162: 'Sending mode not allowed for this template tag',
}

OAUTH_ERRORS = {
    -14001: 'Invalid parameter',
    -14002: 'Invalid appId',
    -14003: 'Invalid redirect uri',
    -14014: 'Invalid refresh token',
    -14020: 'Invalid refresh token',
}

TEMPLATE_STATUSES = {1: 'ENABLE', 2: 'PENDING_REVIEW', 3: 'REJECT', 4: 'DISABLE', 5: 'DELETE'}
DATE_FORMATS = ('%H:%M:%S', '%H:%M', '%H:%M:%S %d/%m/%Y', '%H:%M %d/%m/%Y', '%d/%m/%Y', '%m/%Y')


@dataclass
class ZnsParam:
    """A template parameter (``listParams[]``). ``type``: STRING, NUMBER (digits, optional
    decimal point: ``"250000"``) or DATE (``hh:mm[:ss] [dd/mm/yyyy]``, ``dd/mm/yyyy``, ``mm/yyyy``)."""
    name: str
    type: str = 'STRING'
    max_length: int = 30
    min_length: int = 0
    require: bool = True
    accept_null: bool = False

    def to_api(self):
        return {'name': self.name, 'require': self.require, 'type': self.type, 'maxLength': self.max_length,
                'minLength': self.min_length, 'acceptNull': self.accept_null}

    def check(self, value):
        """Error code for ``value`` (already a string), or None."""
        if len(value) > self.max_length:
            return -1121
        if self.type == 'NUMBER' and not _is_number(value):
            return -1124
        if self.type == 'DATE' and not _is_date(value):
            return -132
        return None


def _is_number(value):
    whole, _dot, decimals = value.partition('.')
    return whole.isdigit() and (not _dot or decimals.isdigit())


def _is_date(value):
    for fmt in DATE_FORMATS:
        try:
            datetime.strptime(value, fmt)
            return True
        except ValueError:
            continue
    return False


@dataclass
class ZnsTemplate:
    """A ZNS template as the fake knows it. ``body`` uses ``<param>`` placeholders (Zalo's own
    notation) and only serves the readable preview."""
    template_id: str
    name: str
    params: list
    body: str = ''
    status: str = 'ENABLE'
    tag: str = 'TRANSACTION'           # TRANSACTION | CUSTOMER_CARE | PROMOTION
    price: str = '300'
    quality: str = 'HIGH'
    timeout: int = 7200000             # ms; 15000 for OTP templates
    night_restricted: bool = False     # -133 between 22:00 and 05:59 ICT
    oa_id: str = None                  # owner; None = the fake's own OA
    daily_quota: int = None            # per-template cap (-147); None = none
    sent_today: int = 0
    created_time: int = 0
    reason: str = ''

    @property
    def api_id(self):
        return int(self.template_id) if self.template_id.isdigit() else self.template_id

    def check_data(self, data):
        """Error code for ``template_data``, or None."""
        if not data:
            return -111
        if not isinstance(data, dict):
            return -112
        for param in self.params:
            value = data.get(param.name)
            if isinstance(value, (dict, list, bool)):
                return -112
            if value is None or value == '':
                if param.require and not param.accept_null:
                    return -1122
                continue
            code = param.check(str(value))
            if code:
                return code
        return None

    def render(self, data):
        """The readable preview of a sent message (NUMBER params shown as Zalo does: 1.000)."""
        def shown(param):
            value = str((data or {}).get(param.name, '') or '')
            if param.type == 'NUMBER' and value.isdigit():
                value = f'{int(value):,}'.replace(',', '.')
            return value
        if self.body:
            text = self.body
            for param in self.params:
                text = text.replace(f'<{param.name}>', shown(param))
        else:
            text = ', '.join(f'{p.name}={shown(p)}' for p in self.params)
        return f'Template {self.template_id} ({self.name}): {text}'


def _param(spec):
    if isinstance(spec, ZnsParam):
        return spec
    if isinstance(spec, str):
        return ZnsParam(spec)
    return ZnsParam(**spec)


def _customer_and_order():
    return [ZnsParam('customer_name', max_length=30), ZnsParam('order_code', max_length=30)]


# Demo templates of the sandbox, one per core event (order_status_notify.const.EVENTS).
DEMO_TEMPLATES = {
    'placed': dict(
        template_id='100001', name='Xác nhận đặt hàng',
        params=_customer_and_order() + [ZnsParam('order_date', 'DATE', 20), ZnsParam('amount', 'NUMBER', 20)],
        body='Cảm ơn <customer_name> đã đặt hàng. Đơn <order_code> ngày <order_date>, tổng tiền <amount> đ '
             'đã được ghi nhận.'),
    'paid': dict(
        template_id='100002', name='Xác nhận thanh toán',
        params=_customer_and_order() + [ZnsParam('amount', 'NUMBER', 20)],
        body='Đơn <order_code> của <customer_name> đã được thanh toán <amount> đ. Cảm ơn quý khách!'),
    'shipped': dict(
        template_id='100003', name='Thông báo giao hàng',
        params=_customer_and_order() + [ZnsParam('carrier', max_length=30), ZnsParam('tracking_code', max_length=30),
                                        ZnsParam('cod_amount', 'NUMBER', 20)],
        body='Đơn <order_code> của <customer_name> đã được giao cho <carrier>, mã vận đơn <tracking_code>. '
             'Số tiền thu khi nhận hàng: <cod_amount> đ.'),
    'delivered': dict(
        template_id='100004', name='Giao hàng thành công',
        params=_customer_and_order(),
        body='Đơn <order_code> đã được giao thành công cho <customer_name>. Cảm ơn quý khách đã mua hàng!'),
    'cancelled': dict(
        template_id='100005', name='Thông báo hủy đơn hàng',
        params=_customer_and_order() + [ZnsParam('cancel_reason', max_length=100, require=False, accept_null=True)],
        body='Đơn <order_code> của <customer_name> đã được hủy. Lý do: <cancel_reason>.'),
    'review': dict(
        template_id='100006', name='Mời đánh giá đơn hàng', status='PENDING_REVIEW', tag='CUSTOMER_CARE',
        params=_customer_and_order(),
        body='Mời <customer_name> đánh giá đơn <order_code>.'),
}


@dataclass
class ZnsMessage:
    msg_id: str
    phone: str
    template_id: str
    data: dict
    tracking_id: str
    sent_time: int                     # ms
    sending_mode: str
    development: bool = False
    delivery_time: int = None          # ms
    charged: float = 0
    entry: InboxMessage = field(default=None, repr=False)


def sign_zns_event(body, *, app_id, oa_secret_key, mac_prefix=True):
    """``(raw_body, headers)`` of a ZNS webhook event: compact JSON of ``body`` (whose
    ``timestamp`` is signed) with ``X-ZEvent-Signature`` = ``mac=`` + sha256(app_id + raw body +
    timestamp + OA secret key) and ``X-ZEvent-Server: ZNS``. ``mac_prefix=False`` sends the
    bare hex (clients must accept both, zalo_zns.md §5.2)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(',', ':')).encode()
    signature = sha256_hex(app_id.encode() + raw + str(body.get('timestamp', '')).encode() + oa_secret_key.encode())
    return raw, {
        'Content-Type': 'application/json',
        'X-ZEvent-Signature': ('mac=' if mac_prefix else '') + signature,
        'X-ZEvent-Server': 'ZNS',
    }


def zns_delivery_event(*, app_id, oa_id, oa_secret_key, phone, msg_id, tracking_id='', delivery_time,
                       timestamp=None, mac_prefix=True):
    """``(raw_body, headers)`` of a signed ``user_received_message`` event (§5.1). Times are epoch
    milliseconds; ``timestamp`` (when the event is sent) defaults to ``delivery_time`` + 50 ms."""
    body = {
        'sender': {'id': str(oa_id)},
        'recipient': {'id': str(phone)},
        'event_name': 'user_received_message',
        'message': {'delivery_time': str(delivery_time), 'msg_id': msg_id, 'tracking_id': tracking_id or ''},
        'app_id': str(app_id),
        'timestamp': str(timestamp if timestamp is not None else int(delivery_time) + 50),
    }
    return sign_zns_event(body, app_id=str(app_id), oa_secret_key=oa_secret_key, mac_prefix=mac_prefix)


def post_zns_event(url, raw_body, headers, timeout=5.0):
    """POST a signed event; returns ``(status, body_bytes)``."""
    return http_call('POST', url, body=raw_body, headers=headers, timeout=timeout)


class FakeZaloZNS(Fake):
    """Fake ZNS API and OAuth endpoint, one object for both base URLs.

    Scripting (besides :meth:`Fake.fail_next` / :meth:`Fake.set_phone_error`):
    :meth:`add_template`, :meth:`mark_no_zalo`, :meth:`issue_tokens`, :meth:`expire_access_tokens`,
    :meth:`deliver`, attributes ``remaining_quota``, ``daily_quota``, ``wallet_balance``,
    ``dev_quota``, ``admin_phones``.
    """

    provider = 'zalo_zns'
    channel = 'zalo'
    SUMMARY_KEYS = ('error',)

    def __init__(self, *, app_id=DEMO_APP_ID, app_secret_key=DEMO_APP_SECRET_KEY, oa_id=DEMO_OA_ID,
                 oa_secret_key=DEMO_OA_SECRET_KEY, daily_quota=500, wallet_balance=None, dev_quota=100,
                 admin_phones=None, webhook_url=None, deliver_after=None, revoke_old_access_token=False,
                 demo_templates=False, **kwargs):
        super().__init__(**kwargs)
        self.app_id, self.app_secret_key = app_id, app_secret_key
        self.oa_id, self.oa_secret_key = oa_id, oa_secret_key
        self.daily_quota = daily_quota
        self.remaining_quota = daily_quota
        self.wallet_balance = wallet_balance
        self.dev_quota = dev_quota
        # Development mode reaches admins only; None = every phone (the sandbox's default).
        self.admin_phones = None if admin_phones is None and self.sandbox else {
            canonical_phone(phone) for phone in admin_phones or ()}
        self.webhook_url = webhook_url
        self.deliver_after = deliver_after
        self.revoke_old_access_token = revoke_old_access_token
        self.templates = {}
        self.messages = {}
        self.charges = []                  # (msg_id, price) of billed messages
        self.tokens = TokenStore(self.now)
        self._pairs = {}                   # refresh token -> the access token issued with it
        self._auth_codes = {}              # code -> (code_challenge, expires_at)
        self._quota_day = self._ict_day()
        if demo_templates:
            for spec in DEMO_TEMPLATES.values():
                self.add_template(**spec)
        pair = self.issue_tokens()
        self.access_token, self.refresh_token = pair['access_token'], pair['refresh_token']

    # ------------------------------------------------------------------ scripting
    def add_template(self, template_id, name=None, params=(), **values):
        """Register a template. ``params``: names (STRING ≤30, required), dicts of
        :class:`ZnsParam` fields or :class:`ZnsParam`. ``values``: other :class:`ZnsTemplate`
        fields (``status``, ``tag``, ``price``, ``body``, ``night_restricted``, ``oa_id``,
        ``daily_quota``, ``timeout``…)."""
        template = ZnsTemplate(
            template_id=str(template_id), name=name or f'Template {template_id}', params=[_param(p) for p in params],
            created_time=self.now_ms(), **values)
        with self.lock:
            self.templates[template.template_id] = template
        return template

    def mark_no_zalo(self, phone):
        """Sends to ``phone`` fail with -118 (no Zalo account)."""
        self.set_phone_error(phone, -118)

    def issue_tokens(self):
        """A fresh access/refresh pair, as the token endpoint would return it."""
        access = self.tokens.issue('access', ACCESS_TOKEN_TTL, 'fake-zalo-access')
        refresh = self.tokens.issue('refresh', REFRESH_TOKEN_TTL, 'fake-zalo-refresh')
        with self.lock:
            self._pairs[refresh] = access
        return {'access_token': access, 'refresh_token': refresh, 'expires_in': str(ACCESS_TOKEN_TTL)}

    def expire_access_tokens(self):
        """Every access token issued so far is now expired (the next call gets -124)."""
        self.tokens.expire(kind='access')

    def access_token_ok(self, token):
        if not token:
            return False
        state = self.tokens.check(token, 'access')
        return state == 'ok' or (self.sandbox and state == 'unknown')

    # ------------------------------------------------------------------ helpers
    def error(self, code, message=None):
        return json_response({'error': code, 'message': message or ERRORS.get(code, 'Error')})

    def is_accepted(self, response):
        return response.status == 200 and json_field(response, 'error') == 0

    def ok(self, data, **extra):
        return json_response({'error': 0, 'message': 'Success', 'data': data, **extra})

    def _ict_day(self):
        return datetime.fromtimestamp(self.now(), ICT).date()

    def _roll_day(self):
        today = self._ict_day()
        if today != self._quota_day:
            self._quota_day = today
            self.remaining_quota = self.daily_quota
            for template in self.templates.values():
                template.sent_today = 0

    def _is_night(self):
        hour = datetime.fromtimestamp(self.now(), ICT).hour
        return hour >= 22 or hour < 6

    def method_not_allowed(self, request):
        return self.error(-106)

    # ------------------------------------------------------------------ send
    @route('POST', r'/message/template')
    def send(self, request):
        forced = self.take_forced()
        if forced:
            return forced
        if not self.access_token_ok(request.header('access_token')):
            return self.error(-124)
        if not request.body.strip():
            return self.error(-121)
        if request.json_error or not isinstance(request.json, dict):
            return self.error(-122)
        body = request.json
        national, _form = parse_vn_mobile(body.get('phone'))
        if not national:
            return self.error(-108)
        phone = '84' + national
        template = self.templates.get(str(body.get('template_id') or ''))
        code = self._template_error(template) or template.check_data(body.get('template_data'))
        if code:
            return self.error(code)
        sending_mode = str(body.get('sending_mode') or '1')
        if sending_mode not in ('1', '3'):
            return self.error(-161)
        if sending_mode == '3' and template.tag != 'PROMOTION':
            return self.error(-162)
        development = body.get('mode') == 'development'
        with self.lock:
            code = self._recipient_error(phone, development) or self._budget_error(template, sending_mode, development)
            if code:
                return self.error(code)
            message = self._record(phone, template, body, sending_mode, development)
        if self.deliver_after is not None:
            self.schedule(self.deliver_after, self._auto_deliver, message.msg_id)
        return self.ok({
            'msg_id': message.msg_id,
            'sent_time': str(message.sent_time),
            'sending_mode': sending_mode,
            'quota': {'dailyQuota': str(self.daily_quota), 'remainingQuota': str(self.remaining_quota)},
        })

    def _template_error(self, template):
        if template is None:
            return -109
        if template.oa_id and template.oa_id != self.oa_id:
            return -117
        if template.status == 'DISABLE':
            return -146
        if template.status != 'ENABLE':
            return -131
        return None

    def _recipient_error(self, phone, development):
        if development:
            if self.admin_phones is not None and phone not in self.admin_phones:
                return -127
            if self.dev_quota <= 0:
                return -126
        return self.phone_error(phone)

    def _budget_error(self, template, sending_mode, development):
        if template.night_restricted and self._is_night():
            return -133
        if development:
            return None
        self._roll_day()
        if self.remaining_quota <= 0 and sending_mode != '3':
            return -144
        if template.daily_quota is not None and template.sent_today >= template.daily_quota:
            return -147
        if self.wallet_balance is not None and self.wallet_balance < float(template.price):
            return -115
        return None

    def _record(self, phone, template, body, sending_mode, development):
        if development:
            self.dev_quota -= 1
        else:
            if sending_mode != '3':
                self.remaining_quota -= 1
            template.sent_today += 1
        data = dict(body['template_data'])
        message = ZnsMessage(
            msg_id=secrets.token_hex(10), phone=phone, template_id=template.template_id, data=data,
            tracking_id=str(body.get('tracking_id') or ''), sent_time=self.now_ms(), sending_mode=sending_mode,
            development=development,
        )
        self.messages[message.msg_id] = message
        message.entry = self.inbox.add(InboxMessage(
            channel='zalo', provider=self.provider, phone=phone, text=template.render(data), msg_id=message.msg_id,
            template_id=template.template_id, params=data, sender=self.oa_id,
            note='development mode' if development else '', price=float(template.price), time=message.sent_time / 1000,
        ))
        return message

    # ------------------------------------------------------------------ delivery
    def deliver(self, msg_id, delivery_time=None, webhook=True, url=None, mac_prefix=True):
        """The message reached the phone: status 1 in ``/message/status``, billed if within the
        template timeout, and (with ``webhook``) its signed ``user_received_message`` event POSTed
        to ``url`` or ``webhook_url``. Returns the webhook's HTTP status, or None."""
        with self.lock:
            message = self.messages[msg_id]
            message.delivery_time = int(delivery_time if delivery_time is not None else self.now_ms())
            template = self.templates[message.template_id]
            in_time = message.delivery_time - message.sent_time <= template.timeout
            if in_time and not message.development and not message.charged:
                message.charged = float(template.price)
                self.charges.append((msg_id, message.charged))
                if self.wallet_balance is not None:
                    self.wallet_balance -= message.charged
        self.inbox.update(message.entry, status='delivered')
        target = url or self.webhook_url
        if webhook and target:
            raw, headers = self.delivery_event(msg_id, mac_prefix=mac_prefix)
            return post_zns_event(target, raw, headers)[0]
        return None

    def _auto_deliver(self, msg_id):
        self.deliver(msg_id, webhook=is_loopback_url(self.webhook_url))

    def delivery_event(self, msg_id, **overrides):
        """``(raw_body, headers)`` of the signed delivery event of a sent message (delivered now
        if it was not yet). ``overrides``: any :func:`zns_delivery_event` argument."""
        message = self.messages[msg_id]
        values = dict(app_id=self.app_id, oa_id=self.oa_id, oa_secret_key=self.oa_secret_key, phone=message.phone,
                      msg_id=msg_id, tracking_id=message.tracking_id,
                      delivery_time=message.delivery_time or self.now_ms())
        values.update(overrides)
        return zns_delivery_event(**values)

    # ------------------------------------------------------------------ template and message APIs
    def _authorized(self, request):
        return self.access_token_ok(request.header('access_token'))

    @route('GET', r'/template/all')
    def template_list(self, request):
        if not self._authorized(request):
            return self.error(-124)
        status = request.query.get('status', '')
        if status and (not status.isdigit() or int(status) not in TEMPLATE_STATUSES):
            return self.error(-132, 'Invalid status')
        try:
            offset = int(request.query.get('offset') or 0)
            limit = min(int(request.query.get('limit') or 100), 100)
        except ValueError:
            return self.error(-132)
        with self.lock:
            templates = [t for t in self.templates.values() if not status or t.status == TEMPLATE_STATUSES[int(status)]]
        page = templates[offset:offset + limit]
        return self.ok([{'templateId': t.api_id, 'templateName': t.name, 'createdTime': t.created_time,
                         'status': t.status, 'templateQuality': t.quality} for t in page],
                       metadata={'total': len(templates)})

    @route('GET', r'/template/info(?:/v2)?')
    def template_info(self, request):
        if not self._authorized(request):
            return self.error(-124)
        template = self.templates.get(request.query.get('template_id', ''))
        if template is None:
            return self.error(-109)
        preview = f'http://{request.header("host", "127.0.0.1")}{request.mount}/template/preview/{template.template_id}'
        return self.ok({
            'templateId': template.api_id, 'templateName': template.name, 'status': template.status,
            'reason': template.reason, 'listParams': [p.to_api() for p in template.params], 'listButtons': [],
            'timeout': template.timeout, 'previewUrl': preview, 'templateQuality': template.quality,
            'templateTag': template.tag, 'price': template.price,
            'applyTemplateQuota': template.daily_quota is not None,
            'templateDailyQuota': template.daily_quota,
            'templateRemainingQuota': None if template.daily_quota is None
            else max(template.daily_quota - template.sent_today, 0),
        })

    @route('GET', r'/template/preview/(?P<template_id>[^/]+)')
    def template_preview(self, request, template_id):
        """The fake's stand-in for the preview page behind ``previewUrl``."""
        template = self.templates.get(template_id)
        if template is None:
            return text_response('Unknown template', status=404)
        sample = {p.name: f'<{p.name}>' for p in template.params}
        return text_response(f'<!doctype html><meta charset="utf-8"><title>{html.escape(template.name)}</title>'
                             f'<p>{html.escape(template.render(sample))}</p>', content_type='text/html; charset=utf-8')

    @route('GET', r'/message/status')
    def message_status(self, request):
        if not self._authorized(request):
            return self.error(-124)
        msg_id = request.query.get('message_id')
        if not msg_id:
            return self.error(-107)
        message = self.messages.get(msg_id)
        if message is None:
            return self.ok({'status': -1, 'message': 'The message was not found'})
        if message.delivery_time is None:
            return self.ok({'status': 0, 'message': 'The message was sent to Zalo but not yet delivered'})
        return self.ok({'status': 1, 'delivery_time': str(message.delivery_time),
                        'message': "The message was delivered to the user's phone"})

    @route('GET', r'/message/quota')
    def message_quota(self, request):
        if not self._authorized(request):
            return self.error(-124)
        with self.lock:
            self._roll_day()
            return self.ok({'dailyQuota': self.daily_quota, 'remainingQuota': self.remaining_quota})

    @route('GET', r'/v2.0/oa/getoa')
    def oa_info(self, request):
        """The OA the access token belongs to: how Odoo learns which OA was connected."""
        if not self._authorized(request):
            return json_response({'error': -216, 'message': 'Access token is invalid'})
        return self.ok({'oa_id': self.oa_id, 'name': 'Fake OA', 'description': '', 'is_verified': True,
                        'oa_type': 2, 'num_follower': 0, 'avatar': '', 'cover': ''})

    # ------------------------------------------------------------------ OAuth v4 (OA)
    def oauth_error(self, code, reason=''):
        return json_response({
            'error': code, 'error_name': OAUTH_ERRORS.get(code, 'Error'), 'error_reason': reason,
            'ref_doc': 'https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new',
            'error_description': reason or OAUTH_ERRORS.get(code, ''),
        })

    def _app_ok(self, app_id, secret_key=None):
        if self.sandbox:
            return bool(app_id) and (secret_key is None or bool(secret_key))
        return app_id == self.app_id and (secret_key is None or secret_key == self.app_secret_key)

    @route('POST', r'/v4/oa/access_token')
    def oauth_token(self, request):
        if request.content_type != 'application/x-www-form-urlencoded':
            return self.oauth_error(-14001, 'Content-Type must be application/x-www-form-urlencoded')
        form = request.form
        if not self._app_ok(form.get('app_id')):
            return self.oauth_error(-14002, 'app_id is missing or unknown')
        if not self._app_ok(form.get('app_id'), request.header('secret_key') or ''):
            return self.oauth_error(-14002, 'secret_key header is missing or does not match the app')
        grant = form.get('grant_type')
        if grant == 'refresh_token':
            return self._refresh(form.get('refresh_token') or '')
        if grant == 'authorization_code':
            return self._exchange_code(form.get('code') or '', form.get('code_verifier') or '')
        return self.oauth_error(-14001, 'grant_type must be refresh_token or authorization_code')

    def _refresh(self, refresh_token):
        if not refresh_token:
            return self.oauth_error(-14001, 'refresh_token is missing')
        if self.sandbox and refresh_token == DEMO_REFRESH_TOKEN:
            state = 'ok'  # the demo token is exempt from rotation: a fresh demo database can always connect
        else:
            # The sandbox also takes a token it never issued (one from before a restart), once.
            state = self.tokens.consume(refresh_token, 'refresh', accept_unknown=self.sandbox)
        if state == 'expired':
            return self.oauth_error(-14020, 'The refresh token has expired')
        if state != 'ok':
            return self.oauth_error(-14014, 'The refresh token is invalid or was already used')
        with self.lock:
            old_access = self._pairs.pop(refresh_token, None)
        if old_access and self.revoke_old_access_token:
            self.tokens.revoke(old_access)
        return json_response(self.issue_tokens())

    def _exchange_code(self, code, verifier):
        with self.lock:
            challenge, expires_at = self._auth_codes.pop(code, (None, 0))
        expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
        if challenge is None or expires_at < self.now() or (challenge and challenge != expected):
            return self.oauth_error(-14001, 'Invalid or expired authorization code, or wrong code_verifier')
        return json_response(self.issue_tokens())

    @route('GET', r'/v4/oa/permission')
    def oauth_permission(self, request):
        """Consent page stand-in: the OA admin "agrees" at once and is sent back to
        ``redirect_uri`` with ``code``, ``oa_id`` and ``state``."""
        query = request.query
        if not self._app_ok(query.get('app_id')):
            return self.oauth_error(-14002, 'app_id is missing or unknown')
        if not query.get('redirect_uri'):
            return self.oauth_error(-14003, 'redirect_uri is missing')
        code = 'fake-zalo-code-' + secrets.token_urlsafe(16)
        with self.lock:
            self._auth_codes[code] = (query.get('code_challenge', ''), self.now() + AUTH_CODE_TTL)
        params = {'code': code, 'oa_id': self.oa_id}
        if 'state' in query:
            params['state'] = query['state']
        separator = '&' if '?' in query['redirect_uri'] else '?'
        location = query['redirect_uri'] + separator + urllib.parse.urlencode(params)
        return Response(status=302, headers={'Location': location}, content_type='text/plain; charset=utf-8')
