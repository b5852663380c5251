"""Fake eSMS (ViHAT) brandname CSKH SMS API.

Follows ``shared/notes/sms_providers.md`` §1 (eSMS GitBook v2 [E1]–[E9]) and its conformance
list §8.1:

- §1.1 ``POST /MainService.svc/json/SendMultipleMessage_V4_post_json/`` with ``ApiKey``,
  ``SecretKey``, ``Phone``, ``Content``, ``Brandname``, ``SmsType`` ("2"), ``IsUnicode``,
  ``Sandbox``, ``RequestId``, ``CallbackUrl`` (string or int values accepted) →
  ``{"CodeResult": "100", "CountRegenerate": 0, "SMSID": "…"}``; errors carry ``ErrorMessage``;
  malformed JSON → ``{"error": "Invalid request"}`` (no ``CodeResult``); always HTTP 200.
- §1.2 result codes: 99 blocked phone, 101 wrong keys, 103 balance, 104 brandname, 108 phone
  format, 118 type, 124 duplicate ``RequestId`` within 24 h (``"Request exist 1"``,
  ``SendStatus "5"``, no SMSID, not charged), 143 locked account, 146 wrong CSKH template (with an
  SMSID), 177 brandname not registered on the recipient's network, 201 blocked keyword, 300
  missing ``SmsType``.
- §1.3 the GET variant ``SendMultipleMessage_V4_get`` (``SandBox`` / ``Unicode`` spellings) and
  the form variant ``SendMultipleMessage_V4_post`` (``Apikey``).
- §1.4 delivery report: HTTP **GET** to ``CallbackUrl`` with ``SMSID, SendFailed, SendStatus,
  SendSuccess, TotalPrice (4 decimals), TotalReceiver, TotalSent, RequestId, TypeId, telcoid,
  phonenumber, switchsmsid``, retried 5 times when the receiver times out
  (:meth:`FakeESMS.deliver`, :meth:`FakeESMS.send_report`); ``GetSendStatus`` (key
  ``CodeResponse``, 105 when unknown or older than 7 days), ``GetSmsReceiverStatus_get`` and
  ``GetSmsSentData_V2`` (messages of a time range, with ``ReferenceId`` = SMSID and ``SellPrice``).
- §1.5 ``POST GetBalance_json`` and the legacy ``GET GetBalance/{ApiKey}/{SecretKey}``.
- §1.6 ``Sandbox=1``: validated, not stored, not charged, not delivered, no callback.
- §1.7 phones as ``0xxxxxxxxx`` (84… → 108 unless ``accept_84=True``: whether eSMS takes it is
  UNCONFIRMED); CSKH templates with ``{P1,20}`` placeholders (:meth:`SmsFake.add_template`).

Fake's choices: only ``SmsType`` 2 (CSKH) is supported (others → 118); a ``RequestId`` over 50
characters → 159 (legacy code, UNCONFIRMED); ``IsUnicode=0`` with Vietnamese text is sent
without diacritics; price 850 VND per segment (the docs' sample value); a failed delivery is
refunded (``TotalPrice=0.0000`` in the docs' failed sample).
"""
from datetime import datetime
from urllib.parse import urlencode

from .base import CARRIER_NAMES, ICT, SmsFake, json_field, json_response, route, vn_carrier

DEFAULT_API_KEY = 'fake-esms-api-key'
DEFAULT_SECRET_KEY = 'fake-esms-secret-key'
REQUEST_ID_TTL = 24 * 3600
STATUS_RETENTION = 7 * 24 * 3600

ERRORS = {
    99: 'Phone number is blocked',
    101: 'Authorize Failed',
    103: 'Balance not enough to send message',
    104: 'Brand name code is not exist',
    105: 'SMSID not found',
    108: 'Phone number is invalid',
    118: 'Message type is not supported',
    124: 'Request exist 1',
    143: 'Account is not activated or is locked',
    146: 'Sai template Brandname CSKH',
    159: 'RequestId is too long',
    177: 'The network has not registered this brandname',
    201: 'Content contains a blocked keyword',
    300: 'Message type is missing',
}
TELCO_IDS = {'viettel': 1, 'mobifone': 2, 'vinaphone': 3, 'vietnamobile': 4, 'gmobile': 5, 'reddi': 7}
# GET and form variants: parameter names as the docs spell them there, to the JSON names.
_ALIASES = {'apikey': 'ApiKey', 'secretkey': 'SecretKey', 'phone': 'Phone', 'content': 'Content',
            'brandname': 'Brandname', 'smstype': 'SmsType', 'isunicode': 'IsUnicode', 'unicode': 'IsUnicode',
            'sandbox': 'Sandbox', 'requestid': 'RequestId', 'callbackurl': 'CallbackUrl', 'senddate': 'SendDate'}


def _status_fields(record):
    """SendStatus 7 = sent to the network, awaiting its report; 5 = finished (see the counts)."""
    return {'SendFailed': int(record.status == 'failed'), 'SendStatus': 7 if record.status == 'sent' else 5,
            'SendSuccess': int(record.status == 'delivered')}


def _flag(value):
    return str(value if value is not None else '0').strip() == '1'


class FakeESMS(SmsFake):
    """Fake eSMS. Base URL: the server root (the client appends ``/MainService.svc/json/…``);
    a base URL that already ends in ``/MainService.svc/json`` works too.

    Scripting: :meth:`fail_next` (``code`` = a CodeResult such as 101, 103 or 99),
    :meth:`set_phone_error`, :meth:`block_phone` (99), :meth:`add_template` (146),
    :meth:`add_blocked_keyword` (201), ``unregistered_carriers`` (177), ``locked`` (143),
    ``balance`` (103), :meth:`deliver` (callback), :meth:`send_report` (callback with any field
    overridden, e.g. ``SendStatus=7``).
    """

    provider = 'esms'
    DEFAULT_CREDENTIALS = {'ApiKey': DEFAULT_API_KEY, 'SecretKey': DEFAULT_SECRET_KEY}
    DEFAULT_PRICE = 850
    REPORT_RETRIES = 5
    def is_accepted(self, response):
        return json_field(response, 'CodeResult') == '100'

    SUMMARY_KEYS = ('CodeResult', 'CodeResponse')
    CHECK_CODES = {'phone': 108, 'template': 146, 'keyword': 201}

    def __init__(self, *, api_key=None, secret_key=None, accept_84=False, locked=False, **kwargs):
        super().__init__(credentials={'ApiKey': api_key, 'SecretKey': secret_key}, **kwargs)
        self.phone_forms = ('0', '84', '+84') if accept_84 else ('0',)
        self.locked = locked
        self.unregistered_carriers = set()   # e.g. {'vinaphone'} → 177 for numbers of that network
        self._request_ids = {}               # RequestId -> time of the accepted send

    @property
    def api_key(self):
        return self.credentials['ApiKey']

    @property
    def secret_key(self):
        return self.credentials['SecretKey']

    def block_phone(self, phone):
        self.set_phone_error(phone, 99)

    def error(self, code, **extra):
        return json_response({'CodeResult': str(code), 'CountRegenerate': 0,
                              'ErrorMessage': ERRORS.get(int(code), 'Error'), **extra})

    def normalize_path(self, path):
        prefix = '/MainService.svc/json'
        if path.startswith(prefix):
            path = path[len(prefix):]
        return super().normalize_path(path)

    # ------------------------------------------------------------------ send
    @route('POST', r'/SendMultipleMessage_V4_post_json')
    def send_json(self, request):
        if request.json_error or not isinstance(request.json, dict):
            return json_response({'error': 'Invalid request'})
        return self._send(request.json)

    @route('GET', r'/SendMultipleMessage_V4_get')
    def send_get(self, request):
        return self._send(self._canonical(request.query))

    @route('POST', r'/SendMultipleMessage_V4_post')
    def send_form(self, request):
        return self._send(self._canonical(request.form))

    @staticmethod
    def _canonical(params):
        return {_ALIASES.get(key.lower(), key): value for key, value in params.items()}

    def _send(self, params):
        forced = self.take_forced()
        if forced:
            return forced
        if self.bad_credential(ApiKey=params.get('ApiKey'), SecretKey=params.get('SecretKey')):
            return self.error(101)
        if self.locked:
            return self.error(143)
        sms_type = str(params.get('SmsType') or '')
        if not sms_type:
            return self.error(300)
        if sms_type != '2':
            return self.error(118)
        content = str(params.get('Content') or '')
        if not content:
            return json_response({'error': 'Invalid request'})
        brandname = str(params.get('Brandname') or '')
        if not self.brandname_ok(brandname):
            return self.error(104)
        national, code = self.check_recipient(params.get('Phone'), self.phone_forms)
        if code:
            return self.error(code)
        if vn_carrier(national) in self.unregistered_carriers:
            return self.error(177)
        request_id = str(params.get('RequestId') or '')
        if len(request_id) > 50:
            return self.error(159)
        message, code = self.check_content(content, _flag(params.get('IsUnicode')))
        if code == 146:
            return self.error(146, SMSID=self.new_msg_id())  # the documented 146 sample has an SMSID
        if code:
            return self.error(code)
        sandbox = _flag(params.get('Sandbox'))
        with self.lock:
            if self._duplicate(request_id):
                return self.error(124, SendStatus='5')
            if not sandbox and not self.can_afford(self.price_of(message)):
                return self.error(103)
            if request_id and not sandbox:
                self._request_ids[request_id] = self.now()
            record = self.accept(national, params.get('Phone'), message, brandname, sandbox=sandbox,
                                 request_id=request_id, callback_url=params.get('CallbackUrl') or None,
                                 note='Sandbox=1: validated only, not delivered' if sandbox else '')
        return json_response({'CodeResult': '100', 'CountRegenerate': 0, 'SMSID': record.msg_id})

    def _duplicate(self, request_id):
        seen = self._request_ids.get(request_id) if request_id else None
        return seen is not None and self.now() - seen < REQUEST_ID_TTL

    # ------------------------------------------------------------------ delivery report
    def report_request(self, record, url, **fields):
        params = {
            'SMSID': record.msg_id,
            **_status_fields(record),
            'TotalPrice': f'{record.price:.4f}',
            'TotalReceiver': 1,
            'TotalSent': 1,
            'RequestId': record.request_id or '',
            'TypeId': 2,
            'telcoid': TELCO_IDS.get(record.carrier, ''),
            'phonenumber': '0' + record.phone[2:],
            'switchsmsid': '',
        }
        params.update(fields)
        return 'GET', url + ('&' if '?' in url else '?') + urlencode(params), None, {}

    def _stored(self, sms_id):
        """The record eSMS still keeps for ``sms_id`` (sandbox sends are never stored)."""
        record = self.record(sms_id)
        if record is None or record.sandbox or self.now() - record.created > STATUS_RETENTION:
            return None
        return record

    @route('GET', r'/GetSendStatus')
    def get_send_status(self, request):
        query = request.query
        sms_id = query.get('RefId', '')
        if self.bad_credential(ApiKey=query.get('ApiKey'), SecretKey=query.get('SecretKey')):
            return json_response({'CodeResponse': '101', 'SMSID': sms_id})
        record = self._stored(sms_id)
        if record is None:
            return json_response({'CodeResponse': '105', 'SMSID': sms_id})
        return json_response({
            'CodeResponse': '100', 'SMSID': sms_id, **_status_fields(record), 'TotalPrice': float(record.price),
            'TotalReceiver': 1, 'TotalSent': 1,
        })

    @route('POST', r'/GetSmsSentData_V2')
    def get_sent_data(self, request):
        """§1.4 ``GetSmsSentData_V2``: the messages created between ``From`` and ``To``
        (``yyyy-MM-dd HH:mm:ss``, eSMS local time), of ``SmsType``, ``PageSize`` ≤ 500 per
        ``Page``. Fake's choices: unreadable dates or type → ``{"error": "Invalid request"}``;
        ``Campaign`` is empty (the fake keeps no ``campaignid``); ``SmsId`` is the record's rank."""
        body = request.json if isinstance(request.json, dict) else {}
        if self.bad_credential(ApiKey=body.get('ApiKey'), SecretKey=body.get('SecretKey')):
            return json_response({'CodeResult': '101', 'ErrorMessage': 'Authorize Failed.'})
        try:
            start, end = (datetime.strptime(str(body[key]), '%Y-%m-%d %H:%M:%S').replace(tzinfo=ICT).timestamp()
                          for key in ('From', 'To'))
            page = max(int(body.get('Page') or 1), 1)
            size = min(max(int(body.get('PageSize') or 500), 1), 500)
            sms_type = int(body.get('SmsType'))
        except (KeyError, TypeError, ValueError):
            return json_response({'error': 'Invalid request'})
        with self.lock:
            ranked = list(enumerate(self.records.values(), start=1))
        found = [(rank, record) for rank, record in ranked
                 if sms_type == 2 and not record.sandbox and start <= record.created <= end]
        found.sort(key=lambda item: item[1].created)
        return json_response({'CodeResult': '100', 'CountTotal': len(found), 'SentData': [{
            'Campaign': '',
            'Content': record.text,
            'Phone': '0' + record.phone[2:],
            'ReferenceId': record.msg_id,
            'SellPrice': float(record.price),
            'SendResult': {'delivered': 1, 'failed': 0}.get(record.status, 2),
            'SendStatus': _status_fields(record)['SendStatus'],
            'SentTime': f'/Date({int(record.created * 1000)}+0700)/',
            'SmsId': rank,
            'SmsType': 2,
        } for rank, record in found[(page - 1) * size:page * size]]})

    @route('GET', r'/GetSmsReceiverStatus_get')
    def get_receiver_status(self, request):
        query = request.query
        if self.bad_credential(ApiKey=query.get('ApiKey'), SecretKey=query.get('SecretKey')):
            return self.error(101)
        record = self._stored(query.get('RefId', ''))
        if record is None:
            return self.error(105)
        return json_response({'CodeResult': '100', 'ReceiverList': [{
            'IsSent': True, 'NetworkName': CARRIER_NAMES[record.carrier], 'Phone': '0' + record.phone[2:],
            'Retry': 0, 'SentResult': record.status == 'delivered',
        }]})

    # ------------------------------------------------------------------ balance
    def _balance(self, api_key, secret_key):
        if self.bad_credential(ApiKey=api_key, SecretKey=secret_key):
            return json_response({'Balance': 0, 'CodeResponse': '101', 'ErrorMessage': ERRORS[101]})
        return json_response({'Balance': self.balance, 'CodeResponse': '100', 'UserID': 9999})

    @route('POST', r'/GetBalance_json')
    def get_balance_json(self, request):
        body = request.json if isinstance(request.json, dict) else {}
        return self._balance(body.get('ApiKey'), body.get('SecretKey'))

    @route('GET', r'/GetBalance/(?P<api_key>[^/]*)/(?P<secret_key>[^/]*)')
    def get_balance_legacy(self, request, api_key, secret_key):
        return self._balance(api_key, secret_key)
