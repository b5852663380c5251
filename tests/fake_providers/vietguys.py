"""Fake VietGuys CSKH brandname SMS API.

Follows ``shared/notes/sms_providers.md`` §2 (clients cross-checked; only the token call is
confirmed by developers.vietguys.biz [V1]) and its conformance list §8.2:

- ``/api/index.php`` (and ``/api/``) by GET query, POST x-www-form-urlencoded or POST multipart,
  fields ``u``, ``pwd`` (static passcode or access token), ``from`` (brandname), ``phone`` (84…
  or 0…), ``sms``, ``bid``, ``type`` (``8`` = unicode, else GSM-7), ``json``, ``pid``.
- ``json=1`` → ``{"error": 0, "error_code": 0, "msgid", "carrier", "log", "message"}``; on failure
  ``error`` and ``error_code`` both hold the negative code and ``log`` a text. Without ``json``:
  the msgid as plain text, or the negative code.
- Codes (§2.2): -1 missing field, -3 unknown user, -4 locked, -5 wrong password, -6 API off,
  -7 IP, -8 unknown sender ("sender chua chinh xac"), -9 no credit, -10 invalid phone (old
  11-digit numbers too), -11 do-not-receive list, -14 content longer than 3 messages (459 GSM-7 /
  201 UCS-2 characters), -16 same phone + sender + content within 60 s, -18 blocked keyword,
  -20 template not registered, -22 no route on the telco. -2, -7, -12, -17, -19, -21, -23 by
  scripting (:meth:`Fake.fail_next`).
- ``POST /token/v1/refresh`` (the api-v2 host) with header ``Refresh-Token`` and JSON
  ``{"username", "type": "refresh_token"}`` → ``{"error": 0, "data": {"access_token",
  "refresh_token", "expired_at": <ms>}}``; the refresh token rotates (single use) and the access
  token is accepted as ``pwd``.
- Delivery report (UNCONFIRMED shape, single source): JSON POST ``{"data": {"message_id",
  "status": "delivered" | "fail" | "sent"}}`` to the account's ``report_url``.

Fake's choices: price 800 VND per segment (no public price); a bad refresh token →
``{"error": -5, "message": …}``; access tokens live 24 h; msgids are 12-digit strings.
"""
import json
import secrets

from .base import PHONE_FORMS, SmsFake, TokenStore, json_response, route, text_response, vn_carrier

DEFAULT_USERNAME = 'fake-vietguys-user'
DEFAULT_PASSCODE = 'fake-vietguys-passcode'
DEFAULT_REFRESH_TOKEN = 'fake-vietguys-refresh-token'
ACCESS_TOKEN_TTL = 24 * 3600
REFRESH_TOKEN_TTL = 90 * 24 * 3600
DUPLICATE_WINDOW = 60

ERRORS = {
    -1: 'Thieu tham so', -2: 'He thong dang ban', -3: 'Tai khoan khong ton tai', -4: 'Tai khoan bi khoa',
    -5: 'Sai thong tin dang nhap', -6: 'Tai khoan chua duoc kich hoat API', -7: 'Dia chi IP chua chinh xac',
    -8: 'sender chua chinh xac', -9: 'Tai khoan het tien', -10: 'So dien thoai khong hop le',
    -11: 'So dien thoai nam trong danh sach tu choi nhan tin', -12: 'Tai khoan het tien',
    -13: 'sender chua chinh xac', -14: 'Noi dung vuot qua 459 ky tu',
    -16: 'Trung noi dung gui cung so dien thoai trong 1 phut', -17: 'Vuot han muc gui trong ngay',
    -18: 'Noi dung chua tu khoa quang cao', -19: 'Vuot han muc gui den so dien thoai trong ngay',
    -20: 'Noi dung chua dang ky template', -21: 'Noi dung khong phai OTP',
    -22: 'Sender chua duoc khai bao cho nha mang', -23: 'Chua cau hinh gia ban',
}
REQUIRED = ('u', 'pwd', 'from', 'phone', 'sms')


class FakeVietguys(SmsFake):
    """Fake VietGuys. Base URL: the server root (paths ``/api/index.php`` and
    ``/token/v1/refresh``; the real hosts are cloudsms[4].vietguys.biz:4438 and
    api-v2.vietguys.biz:4438).

    Scripting: :meth:`fail_next` (``code`` = -2, -7…), :meth:`set_phone_error` (e.g. -11),
    :meth:`add_template` (-20), :meth:`add_blocked_keyword` (-18), ``unrouted_carriers`` (-22),
    ``locked`` (-4), ``api_enabled`` (-6), ``balance`` (-9), :meth:`deliver`,
    :meth:`expire_access_tokens`.
    """

    provider = 'vietguys'
    DEFAULT_CREDENTIALS = {'u': DEFAULT_USERNAME, 'pwd': DEFAULT_PASSCODE}
    DEFAULT_PRICE = 800
    SUMMARY_KEYS = ('error',)
    CHECK_CODES = {'phone': -10, 'too_long': -14, 'template': -20, 'keyword': -18}

    def __init__(self, *, username=None, passcode=None, refresh_token=DEFAULT_REFRESH_TOKEN, locked=False,
                 api_enabled=True, **kwargs):
        super().__init__(credentials={'u': username, 'pwd': passcode}, **kwargs)
        self.locked, self.api_enabled = locked, api_enabled
        self.unrouted_carriers = set()
        self.tokens = TokenStore(self.now)
        self.refresh_token = self.tokens.add(refresh_token, 'refresh', REFRESH_TOKEN_TTL)
        self._recent = {}     # (phone, from, sms) -> time of the last accepted send

    def error(self, code):
        return json_response({'error': code, 'error_code': code, 'log': ERRORS.get(code, 'Error'),
                              'message': ERRORS.get(code, 'Error')})

    def new_msg_id(self):
        return str(10 ** 11 + secrets.randbelow(9 * 10 ** 11))

    def expire_access_tokens(self):
        self.tokens.expire(kind='access')

    # ------------------------------------------------------------------ send
    @route('GET', r'/api(?:/index\.php)?')
    def send_get(self, request):
        return self._send(request.query)

    @route('POST', r'/api(?:/index\.php)?')
    def send_post(self, request):
        return self._send(request.params)

    def _send(self, params):
        as_json = params.get('json') == '1'
        forced = self.take_forced()
        if forced:
            return forced if as_json or forced.status != 200 else self._plain(forced)
        code, record = self._check_and_accept(params)
        if not as_json:
            return text_response(record.msg_id if record else str(code))
        if record is None:
            return self.error(code)
        return json_response({'error': 0, 'error_code': 0, 'msgid': record.msg_id, 'carrier': record.carrier,
                              'log': '', 'message': 'Success'})

    @staticmethod
    def _plain(response):
        return text_response(str(json.loads(response.body)['error']))

    def _check_and_accept(self, params):
        """``(error_code, None)`` or ``(0, record)``."""
        if any(not params.get(name) for name in REQUIRED):
            return -1, None
        bad = self.bad_credential(u=params['u'], pwd=params['pwd'])
        if bad == 'u':
            return -3, None
        if bad == 'pwd' and self.tokens.check(params['pwd'], 'access') != 'ok':
            return -5, None
        if self.locked:
            return -4, None
        if not self.api_enabled:
            return -6, None
        sender = params['from']
        if not self.brandname_ok(sender):
            return -8, None
        national, code = self.check_recipient(params['phone'], PHONE_FORMS)
        if code:
            return code, None
        if vn_carrier(national) in self.unrouted_carriers:
            return -22, None
        message, code = self.check_content(params['sms'], unicode=params.get('type') == '8')
        if code:
            return code, None
        key = ('84' + national, sender, params['sms'])
        with self.lock:
            last = self._recent.get(key)
            if last is not None and self.now() - last < DUPLICATE_WINDOW:
                return -16, None
            if not self.can_afford(self.price_of(message)):
                return -9, None
            self._recent[key] = self.now()
            return 0, self.accept(national, params['phone'], message, sender, request_id=params.get('bid'))

    # ------------------------------------------------------------------ access token
    @route('POST', r'/token/v1/refresh')
    def refresh(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        if not self.credential_ok('u', body.get('username')) or body.get('type') != 'refresh_token' \
                or self.tokens.consume(request.header('refresh-token') or '', 'refresh',
                                       accept_unknown=self.sandbox) != 'ok':
            return json_response({'error': -5, 'message': 'Refresh token is invalid, expired or already used'})
        access = self.tokens.issue('access', ACCESS_TOKEN_TTL, 'fake-vietguys-access')
        refresh = self.tokens.issue('refresh', REFRESH_TOKEN_TTL, 'fake-vietguys-refresh')
        return json_response({'error': 0, 'data': {
            'access_token': access, 'refresh_token': refresh, 'expired_at': int((self.now() + ACCESS_TOKEN_TTL) * 1000),
        }})

    # ------------------------------------------------------------------ delivery report
    def report_request(self, record, url, **fields):
        data = {'message_id': record.msg_id,
                'status': {'delivered': 'delivered', 'failed': 'fail'}.get(record.status, 'sent')}
        data.update(fields)
        return 'POST', url, json.dumps({'data': data}).encode(), {'Content-Type': 'application/json'}
