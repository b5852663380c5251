"""Fake SpeedSMS API.

Follows ``shared/notes/sms_providers.md`` §3 (speedsms.vn/sms-api [S1], client
alexzvn/speedsms-api [S3], SpeedSMS samples [S4]) and its conformance list §8.3:

- Base URL ``https://api.speedsms.vn/index.php``; HTTP Basic auth with the access token as the
  user name and any password (``curl -u "{token}:x"``); a missing or wrong token is answered
  with HTTP 404 (as reported by [S3]; ``auth_failure_status=401`` to play the other case).
- 60 requests per 60 s per token, then HTTP 429
  ``{"name": "Too Many Requests", "message": "Rate limit exceeded.", "code": 0, "status": 429}``
  with ``X-Rate-Limit-Reset`` (seconds to wait; ``X-Rate-Limit-Limit`` / ``-Remaining`` too).
- ``POST /sms/send`` JSON ``{"to": [...], "content", "sms_type", "sender"}`` (``to`` a list of at
  most 100 numbers, 84… or 0…) → ``{"status": "success", "code": "00", "data": {"tranId",
  "totalSMS", "totalPrice", "invalidPhone"}}``; errors ``{"status": "error", "code", "message"}``:
  101 bad parameters, 105 no valid phone (with ``invalidPhone``), 113 content too long (more
  than 3 messages: 459 GSM-7 / 201 UCS-2 characters), 300 balance, 007/008/009 and 110/500 by
  scripting (:meth:`Fake.fail_next`). Mixed valid and invalid numbers: success with the invalid
  ones in ``invalidPhone``.
- ``GET /user/info`` → ``data {email, balance, currency: "VND"}``.
- ``GET /sms/status/{tranId}`` → ``data`` = list of ``{phone, status}`` (shape UNCONFIRMED).
- Delivery report webhook (account-level URL, ``report_url``): JSON POST
  ``{"type": "report", "tranId", "phone", "status"}``, status 0 delivered, 1–63 temporary
  failure, ≥ 64 failed; and ``{"type": "incoming", "phone", "content"}`` for replies.

Fake's choices: content encoding detected from the text (non GSM-7 → UCS-2); price 250 VND per
segment and phone (the docs' sample); a message not yet final has ``status`` -1 in
``/sms/status``; unknown ``tranId`` → code 101; ``sms_type`` outside 1–8 → 101.
A message id in ``records`` is ``"<tranId>/<84 phone>"`` (see :meth:`message_ids`).
"""
import base64
import json
import math
import secrets
from collections import deque

from .base import SmsFake, http_call, json_field, json_response, route

DEFAULT_TOKEN = 'fake-speedsms-token'
ERRORS = {
    '007': 'IP is locked', '008': 'Account is blocked', '009': 'Account is not allowed to call the API',
    '101': 'Invalid or missing parameters', '105': 'Invalid phone number', '110': 'Content encoding not supported',
    '113': 'Content is too long', '300': 'Not enough balance', '500': 'Internal error, please retry',
}
STATUS_DELIVERED, STATUS_FAILED, STATUS_PENDING = 0, 64, -1
# 1 ads, 2 CSKH by random number, 3 own brandname (``sender``), 4 default brandname, 5 Android app,
# 6 fixed number, 7 own number, 8 two-way.
SMS_TYPES = {str(n) for n in range(1, 9)}


class FakeSpeedSMS(SmsFake):
    """Fake SpeedSMS. Base URL: the server root or ``…/index.php``.

    Scripting: :meth:`fail_next` (``code`` = '300', '500', '007'…, or ``http_status=429``),
    :meth:`set_phone_error` (that number is listed in ``invalidPhone``), ``balance``,
    ``rate_limit`` / ``rate_window``, :meth:`deliver` (report to ``report_url``, e.g.
    ``deliver(id, success=False, status=32)``), :meth:`send_incoming`.
    """

    provider = 'speedsms'
    DEFAULT_CREDENTIALS = {'token': DEFAULT_TOKEN}
    DEFAULT_PRICE = 250
    SUMMARY_KEYS = ('status', 'code')
    CHECK_CODES = {'phone': '105', 'too_long': '113'}

    def __init__(self, *, token=None, rate_limit=60, rate_window=60, auth_failure_status=404,
                 email='shop@example.com', **kwargs):
        super().__init__(credentials={'token': token}, **kwargs)
        self.rate_limit, self.rate_window = rate_limit, rate_window
        self.auth_failure_status = auth_failure_status
        self.email = email
        self._calls = {}        # token -> deque of call times in the window
        self._next_tran = 100000 + secrets.randbelow(800000)

    @property
    def token(self):
        return self.credentials['token']

    def error(self, code, **extra):
        code = str(code).zfill(3) if str(code).isdigit() else str(code)
        return json_response({'status': 'error', 'code': code, 'message': ERRORS.get(code, 'Error'), **extra})

    def normalize_path(self, path):
        if path.startswith('/index.php'):
            path = path[len('/index.php'):]
        return super().normalize_path(path)

    def message_ids(self, tran_id):
        """Record ids of the messages of one send (one per valid phone)."""
        prefix = f'{tran_id}/'
        with self.lock:
            return [msg_id for msg_id in self.records if msg_id.startswith(prefix)]

    def is_accepted(self, response):
        return json_field(response, 'status') == 'success'

    # ------------------------------------------------------------------ auth and rate limit
    def handle(self, request):
        token = self._basic_user(request.header('authorization'))
        if self.bad_credential(token=token):
            self.requests.append(request)
            names = {401: 'Unauthorized', 404: 'Not Found'}
            status = self.auth_failure_status
            return json_response({'name': names.get(status, 'Error'), 'message': 'Invalid access token.',
                                  'code': 0, 'status': status}, status=status)
        limited, headers = self._rate(token)
        if limited:
            self.requests.append(request)
            return json_response({'name': 'Too Many Requests', 'message': 'Rate limit exceeded.', 'code': 0,
                                  'status': 429}, status=429, headers=headers)
        response = super().handle(request)
        response.headers.update(headers)
        return response

    @staticmethod
    def _basic_user(header):
        scheme, _space, value = (header or '').partition(' ')
        if scheme.lower() != 'basic':
            return None
        try:
            return base64.b64decode(value).decode().partition(':')[0]
        except ValueError:
            return None

    def _rate(self, token):
        now = self.now()
        with self.lock:
            calls = self._calls.setdefault(token, deque())
            while calls and calls[0] <= now - self.rate_window:
                calls.popleft()
            limited = len(calls) >= self.rate_limit
            if not limited:
                calls.append(now)
            reset = math.ceil(calls[0] + self.rate_window - now) if calls else 0
            return limited, {'X-Rate-Limit-Limit': self.rate_limit,
                             'X-Rate-Limit-Remaining': max(self.rate_limit - len(calls), 0),
                             'X-Rate-Limit-Reset': max(reset, 0)}

    # ------------------------------------------------------------------ send
    @route('POST', r'/sms/send')
    def send(self, request):
        forced = self.take_forced()
        if forced:
            return forced
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get('to'), list) or not body['to'] \
                or not body.get('content') or len(body['to']) > 100:
            return self.error('101')
        sms_type = str(body.get('sms_type', ''))
        if sms_type not in SMS_TYPES or (sms_type == '3' and not body.get('sender')):
            return self.error('101')
        message, code = self.check_content(str(body['content']))
        if code:
            return self.error(code)
        valid, invalid = [], []
        for phone in body['to']:
            national, code = self.check_recipient(phone)
            if national and not code:
                valid.append((national, phone))
            else:
                invalid.append(phone)
        if not valid:
            return self.error('105', invalidPhone=invalid)
        total_price = self.price_of(message, len(valid))
        with self.lock:
            if not self.can_afford(total_price):
                return self.error('300')
            tran_id = self._next_tran = self._next_tran + 1
            for national, phone in valid:
                self.accept(national, phone, message, str(body.get('sender') or ''), msg_id=f'{tran_id}/84{national}')
        return json_response({'status': 'success', 'code': '00', 'data': {
            'tranId': tran_id, 'totalSMS': message.segments * len(valid), 'totalPrice': total_price,
            'invalidPhone': invalid,
        }})

    # ------------------------------------------------------------------ account and status
    @route('GET', r'/user/info')
    def user_info(self, request):
        return json_response({'status': 'success', 'code': '00',
                              'data': {'email': self.email, 'balance': self.balance, 'currency': 'VND'}})

    @route('GET', r'/sms/status/(?P<tran_id>[^/]+)')
    def sms_status(self, request, tran_id):
        ids = self.message_ids(tran_id)
        if not ids:
            return json_response({'status': 'error', 'code': '101', 'message': 'Transaction not found'})
        return json_response({'status': 'success', 'code': '00',
                              'data': [{'phone': self.record(i).phone, 'status': self._status(self.record(i))}
                                       for i in ids]})

    @staticmethod
    def _status(record):
        return {'delivered': STATUS_DELIVERED, 'failed': STATUS_FAILED}.get(record.status, STATUS_PENDING)

    # ------------------------------------------------------------------ webhooks
    def report_request(self, record, url, **fields):
        body = {'type': 'report', 'tranId': int(record.msg_id.split('/')[0]), 'phone': record.phone,
                'status': self._status(record)}
        body.update(fields)
        return 'POST', url, json.dumps(body).encode(), {'Content-Type': 'application/json'}

    def send_incoming(self, phone, content, url=None):
        """POST an incoming-SMS event (not a delivery report) to ``url`` or ``report_url``."""
        body = json.dumps({'type': 'incoming', 'phone': phone, 'content': content}).encode()
        return http_call('POST', url or self.report_url, body=body, headers={'Content-Type': 'application/json'})[0]
