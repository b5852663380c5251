"""Shared machinery of the fake provider servers: HTTP server, routing, logs, inbox, scripting.

Standard library only, so the fakes run in the Odoo test process, in plain pytest and as the
sandbox server (``serve.py``) without installing anything.

Pieces:

- :class:`FakeServer`: a ``ThreadingHTTPServer`` on 127.0.0.1 (port 0 = a free port) in a daemon
  thread. It hosts one fake at its root (``FakeServer(fake)``, the usual test setup: the fake's
  base URL is ``server.url``) or several fakes under path prefixes
  (``FakeServer(mounts={'/zalo': zns, '/esms': esms})``, the sandbox).
- :class:`Fake`: the base of every fake. Routes are methods decorated with :func:`route`; paths
  are relative to the mount point. It keeps its own :class:`RequestLog` and scripting state
  (forced failures, delays, per-phone errors, a clock that tests can move forward).
- :class:`SmsFake`: what the three SMS fakes share (credentials, brandnames, registered CSKH
  templates, balance, segments and price, message records, delivery reports).
- :class:`Inbox`: what each phone "received", shared by all fakes of a server.
- Vietnamese phone and SMS length helpers, following ``shared/notes/sms_providers.md`` §6.1
  (160/306/459 GSM-7 characters = 1/2/3 messages; 70/134/201 for UCS-2) and §7 (10-digit
  numbers ``0`` + 9 digits, country code 84, carrier by prefix).
"""
import email.parser
import email.policy
import hashlib
import json
import math
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time
import traceback
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK_HOSTS = ('127.0.0.1', 'localhost')
ICT = timezone(timedelta(hours=7), 'ICT')  # Asia/Ho_Chi_Minh, no DST


# --------------------------------------------------------------------------- requests, responses

@dataclass
class Request:
    """One HTTP request as a fake sees it. ``headers`` has lower-cased names."""
    method: str
    path: str                     # relative to the mount point, without the query string
    full_path: str                # as received, without the query string
    query: dict                   # first value of each query parameter
    headers: dict
    body: bytes
    json: object = None           # parsed body when it is JSON, else None
    json_error: bool = False      # a non-empty body that is not valid JSON
    form: dict = field(default_factory=dict)  # x-www-form-urlencoded or multipart fields
    mount: str = ''
    time: float = field(default_factory=time.time)

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    @property
    def params(self):
        """Query string and form fields together (vendors that take either)."""
        return {**self.query, **self.form}

    @property
    def content_type(self):
        return (self.header('content-type') or '').split(';')[0].strip().lower()


@dataclass
class Response:
    status: int = 200
    body: bytes = b''
    headers: dict = field(default_factory=dict)
    content_type: str = 'application/json; charset=utf-8'
    drop: bool = False  # cut the connection (TCP reset) instead of answering


def json_response(data, status=200, headers=None):
    body = json.dumps(data, ensure_ascii=False).encode()
    return Response(status=status, body=body, headers=dict(headers or {}))


def json_field(response, key):
    """``key`` of a JSON object answer, else None."""
    try:
        data = json.loads(response.body)
    except ValueError:
        return None
    return data.get(key) if isinstance(data, dict) else None


def text_response(text, status=200, content_type='text/plain; charset=utf-8', headers=None):
    return Response(status=status, body=str(text).encode(), headers=dict(headers or {}), content_type=content_type)


def parse_form(content_type_header, body):
    """Fields of an ``application/x-www-form-urlencoded`` or ``multipart/form-data`` body."""
    kind = (content_type_header or '').split(';')[0].strip().lower()
    if kind == 'application/x-www-form-urlencoded':
        pairs = urllib.parse.parse_qsl(body.decode('utf-8', 'replace'), keep_blank_values=True)
        return dict(pairs)
    if kind == 'multipart/form-data':
        head = f'Content-Type: {content_type_header}\r\n\r\n'.encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        fields = {}
        for part in message.iter_parts():
            name = part.get_param('name', header='content-disposition')
            if name is not None:
                payload = part.get_payload(decode=True) or b''
                fields[name] = payload.decode(part.get_content_charset() or 'utf-8', 'replace')
        return fields
    return {}


def build_request(method, raw_path, headers, body, mount='', path=None):
    parsed = urllib.parse.urlsplit(raw_path)
    query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
    headers = {k.lower(): v for k, v in headers.items()}
    parsed_json, json_error = None, False
    if body.strip():
        try:
            parsed_json = json.loads(body)
        except ValueError:
            json_error = True
    return Request(
        method=method, path=parsed.path if path is None else path, full_path=parsed.path, query=query,
        headers=headers, body=body, json=parsed_json, json_error=json_error,
        form=parse_form(headers.get('content-type'), body), mount=mount,
    )


class SafeList:
    """A list that threads may append to and read at the same time."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items = []

    def append(self, item):
        with self._lock:
            self._items.append(item)
        return item

    def all(self):
        """A snapshot, oldest first."""
        with self._lock:
            return list(self._items)

    def clear(self):
        with self._lock:
            self._items.clear()

    def __len__(self):
        with self._lock:
            return len(self._items)

    def __iter__(self):
        return iter(self.all())

    def __getitem__(self, index):
        return self.all()[index]


class RequestLog(SafeList):
    """Thread-safe list of :class:`Request`, oldest first."""

    def filter(self, path=None, method=None):
        return [r for r in self.all() if (path is None or r.path == path) and (method is None or r.method == method)]

    def last(self, path=None, method=None):
        found = self.filter(path, method)
        return found[-1] if found else None


# --------------------------------------------------------------------------- inbox

@dataclass
class InboxMessage:
    """A message as the buyer's phone would show it."""
    channel: str                  # 'zalo' | 'sms'
    provider: str                 # 'zalo_zns' | 'esms' | 'speedsms' | 'vietguys'
    phone: str                    # 84xxxxxxxxx
    text: str                     # SMS text, or the rendered preview of a ZNS template
    msg_id: str                   # the provider's message id
    template_id: str = None       # ZNS only
    params: dict = None           # ZNS template_data
    sender: str = None            # brandname, or the OA id
    status: str = 'sent'          # 'sent' | 'delivered' | 'failed' | 'not_delivered'
    note: str = ''                # e.g. "Sandbox=1: validated only"
    segments: int = None          # SMS only
    price: float = None
    time: float = field(default_factory=time.time)

    def to_dict(self):
        return asdict(self)


class Inbox(SafeList):
    """Thread-safe list of delivered (or attempted) :class:`InboxMessage`, shared by the fakes of
    a server.

    With ``path``, it is kept in that JSON file (loaded at start, rewritten after every change)
    so that the demo's phones keep their messages when the sandbox restarts (``serve.py
    --inbox-file``, which ``setup/run.sh`` points at ``.run/``)."""

    def __init__(self, path=None):
        super().__init__()
        self.path = path
        if path:
            self._load()

    def add(self, message):
        self.append(message)
        self._save()
        return message

    def update(self, message, **changes):
        """Change a message already in the inbox (its status once delivered, its price)."""
        for name, value in changes.items():
            setattr(message, name, value)
        self._save()
        return message

    def clear(self):
        super().clear()
        self._save()

    def _load(self):
        try:
            with open(self.path, encoding='utf-8') as file:
                rows = json.load(file)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            print(f'Inbox file {self.path} unreadable ({error}): starting empty', file=sys.stderr)
            return
        with self._lock:
            self._items = [InboxMessage(**row) for row in rows if isinstance(row, dict)]

    def _save(self):
        if not self.path:
            return
        with self._lock:
            rows = [message.to_dict() for message in self._items]
            tmp = f'{self.path}.tmp'
            with open(tmp, 'w', encoding='utf-8') as file:
                json.dump(rows, file, ensure_ascii=False)
            os.replace(tmp, self.path)  # a crash mid-write never leaves half a file

    def messages(self, phone=None, channel=None, provider=None):
        """Newest first. ``phone`` may be given in any Vietnamese form (0…, 84…, +84…)."""
        wanted = canonical_phone(phone) if phone else None
        return [
            m for m in reversed(self.all())
            if (wanted is None or m.phone == wanted)
            and (channel is None or m.channel == channel)
            and (provider is None or m.provider == provider)
        ]

    def phones(self):
        """Phones that received something, the most recent first."""
        return list(dict.fromkeys(message.phone for message in self.messages()))


# --------------------------------------------------------------------------- Vietnamese phones

_PHONE_RE = re.compile(r'(?:(\+84|84)0?|(0))?([35789]\d{8})')
PHONE_FORMS = ('0', '84', '+84', '')  # '' = the bare 9-digit national number

# Carrier by the first digits of the 9-digit national number (sms_providers.md §7, from the
# python-phonenumbers carrier data; portability makes this a guess, as on the real networks).
_CARRIER_PREFIXES = {
    'viettel': ('32', '33', '34', '35', '36', '37', '38', '39', '86', '96', '97', '98'),
    'mobifone': ('70', '76', '77', '78', '79', '90', '93', '896', '897', '898', '899'),
    'vinaphone': ('81', '82', '83', '84', '85', '87', '88', '91', '94'),
    'vietnamobile': ('52', '56', '58', '92'),
    'gmobile': ('59', '99'),
    'reddi': ('559',),
}
CARRIER_NAMES = {'viettel': 'Viettel', 'mobifone': 'Mobifone', 'vinaphone': 'Vinaphone',
                 'vietnamobile': 'Vietnamobile', 'gmobile': 'Gmobile', 'reddi': 'Reddi', 'unknown': ''}


def parse_vn_mobile(raw):
    """``(national, form)`` of a Vietnamese mobile number, or ``(None, None)``.

    ``national`` is the 9-digit number without the trunk 0; ``form`` says how it was written:
    ``'0'`` (0901888484), ``'84'`` (84901888484), ``'+84'`` or ``''`` (901888484). Old 11-digit
    numbers (01689123456), landlines and anything with spaces or letters are not mobiles.
    """
    match = _PHONE_RE.fullmatch(str(raw if raw is not None else '').strip())
    if not match:
        return None, None
    return match.group(3), match.group(1) or match.group(2) or ''


def canonical_phone(raw):
    """``84xxxxxxxxx`` for a valid mobile number, else the input stripped (for display)."""
    national, _form = parse_vn_mobile(raw)
    return '84' + national if national else str(raw or '').strip()


def vn_carrier(national):
    """Carrier key for a 9-digit national number ('viettel', 'mobifone', …) or 'unknown'."""
    best, best_len = 'unknown', 0
    for carrier, prefixes in _CARRIER_PREFIXES.items():
        for prefix in prefixes:
            if national.startswith(prefix) and len(prefix) > best_len:
                best, best_len = carrier, len(prefix)
    return best


# --------------------------------------------------------------------------- SMS length

GSM7_BASIC = set(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡'
    'ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
)
GSM7_EXTENDED = set('^{}\\[~]|€\f')  # two septets each
MAX_SEGMENTS = 3  # brandname CSKH: 459 GSM-7 / 201 UCS-2 characters at most


def needs_unicode(text):
    return any(c not in GSM7_BASIC and c not in GSM7_EXTENDED for c in text)


def sms_length(text, unicode):
    if unicode:
        return sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
    return sum(2 if c in GSM7_EXTENDED else 1 for c in text)


def sms_segments(text, unicode):
    """Billed messages: GSM-7 1–160 → 1, –306 → 2, –459 → 3; UCS-2 1–70 → 1, –134 → 2, –201 → 3."""
    single, part = (70, 67) if unicode else (160, 153)
    length = sms_length(text, unicode)
    return 1 if length <= single else math.ceil(length / part)


def strip_diacritics(text):
    """What a phone shows when Vietnamese text goes out as GSM-7: accents dropped, đ → d."""
    text = text.replace('đ', 'd').replace('Đ', 'D')
    decomposed = unicodedata.normalize('NFD', text)
    plain = ''.join(c for c in decomposed if unicodedata.category(c) != 'Mn')
    return ''.join(c if c in GSM7_BASIC or c in GSM7_EXTENDED else '?' for c in plain)


class SmsTemplate:
    """A registered CSKH template: literal text with ``{P1,20}``-style placeholders (eSMS syntax;
    ``{…,n}`` = up to n characters, ``{…}`` = any text)."""

    _PLACEHOLDER = re.compile(r'\{[^{}]*\}')

    def __init__(self, pattern):
        self.pattern = pattern
        parts, last = [], 0
        for match in self._PLACEHOLDER.finditer(pattern):
            parts.append(re.escape(pattern[last:match.start()]))
            size = re.search(r',\s*(\d+)\s*\}$', match.group())
            parts.append(f'.{{0,{size.group(1)}}}' if size else '.*?')
            last = match.end()
        parts.append(re.escape(pattern[last:]))
        self._regex = re.compile(''.join(parts), re.DOTALL)

    def matches(self, text):
        return bool(self._regex.fullmatch(text))


# --------------------------------------------------------------------------- outgoing HTTP

def http_call(method, url, body=None, headers=None, timeout=5.0):
    """``(status, body_bytes)`` of a plain urllib call (non-2xx included); raises OSError when
    the server cannot be reached or times out. Standard library on purpose: Odoo's test
    framework patches ``requests`` only."""
    request = urllib.request.Request(url, data=body, headers=dict(headers or {}), method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def is_loopback_url(url):
    return (urllib.parse.urlsplit(url or '').hostname or '') in LOOPBACK_HOSTS


def sha256_hex(data):
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def mask(value):
    """A secret for a log line: its first 3 characters only."""
    value = str(value or '')
    return value[:3] + '…' if len(value) > 3 else '…'


# --------------------------------------------------------------------------- tokens

class TokenStore:
    """Access and refresh tokens with expiry on the fake's clock; refresh tokens are single-use
    (a used one is remembered so reusing it can be told apart from an unknown one)."""

    def __init__(self, clock):
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = {}   # token -> (kind, expires_at)
        self._used = set()

    def add(self, token, kind, ttl):
        with self._lock:
            self._tokens[token] = (kind, self._clock() + ttl)
        return token

    def issue(self, kind, ttl, prefix):
        return self.add(f'{prefix}-{secrets.token_urlsafe(24)}', kind, ttl)

    def check(self, token, kind):
        """'ok', 'expired', 'used' or 'unknown'."""
        with self._lock:
            return self._state(token, kind)

    def consume(self, token, kind, accept_unknown=False):
        """Like :meth:`check`, and a valid token is used up: of two concurrent calls, one wins.
        ``accept_unknown``: a token never seen counts as valid (sandbox after a restart)."""
        with self._lock:
            state = self._state(token, kind)
            if state == 'unknown' and accept_unknown:
                state = 'ok'
            if state == 'ok':
                self._tokens.pop(token, None)
                self._used.add(token)
            return state

    def revoke(self, token):
        with self._lock:
            self._tokens.pop(token, None)

    def expire(self, kind=None, token=None):
        """Make tokens (all, or of one kind, or one token) expired now."""
        with self._lock:
            for key, (token_kind, _exp) in list(self._tokens.items()):
                if (kind is None or token_kind == kind) and (token is None or key == token):
                    self._tokens[key] = (token_kind, self._clock() - 1)

    def _state(self, token, kind):
        if token in self._used:
            return 'used'
        entry = self._tokens.get(token)
        if not entry or entry[0] != kind:
            return 'unknown'
        return 'ok' if entry[1] > self._clock() else 'expired'


# --------------------------------------------------------------------------- fakes

def route(method, pattern):
    """Declare a fake's handler: ``@route('POST', r'/message/template')``. ``pattern`` is a
    regular expression matched against the whole path relative to the mount point; named
    groups become keyword arguments."""
    def decorate(function):
        function.fake_routes = getattr(function, 'fake_routes', ()) + ((method, pattern),)
        return function
    return decorate


@dataclass
class Forced:
    """One scripted outcome for the next send (see :meth:`Fake.fail_next`)."""
    code: object = None
    http_status: int = None
    delay: float = 0.0
    body: object = None
    headers: dict = None
    after_accept: str = None      # 'reset' | 'hang': the send is processed, then the answer is lost
    hang: float = 0.0             # 'hang': seconds before the (too late) answer


class Fake:
    """Base of a fake provider: routing, request log, inbox, scripting and a movable clock."""

    provider = 'fake'
    channel = 'sms'
    LOGGED = True  # whether the server's request log shows this fake's requests

    def __init__(self, *, sandbox=False, inbox=None, clock=None):
        self.sandbox = sandbox
        self.inbox = inbox if inbox is not None else Inbox()
        self.requests = RequestLog()
        self.lock = threading.RLock()
        self._base_clock = clock or time.time
        self._time_offset = 0.0
        self._forced = deque()
        self._after = threading.local()
        self.in_flight = 0
        self.timeline = []
        self._phone_errors = {}
        self._routes = []
        for name in dir(type(self)):
            function = getattr(type(self), name)
            for method, pattern in getattr(function, 'fake_routes', ()):
                self._routes.append((method, re.compile(pattern), getattr(self, name)))

    # -- clock
    def now(self):
        """Seconds since the epoch on the fake's clock (see :meth:`advance_time`)."""
        return self._base_clock() + self._time_offset

    def now_ms(self):
        return int(self.now() * 1000)

    def advance_time(self, seconds):
        """Move the fake's clock forward: tokens expire, quotas roll over at midnight ICT…"""
        self._time_offset += seconds

    def schedule(self, delay, function, *args):
        """Call ``function(*args)`` in ``delay`` seconds in a daemon thread (sandbox delivery). A
        receiver that is down loses its report, as with the real providers."""
        def run():
            try:
                function(*args)
            except OSError as error:
                print(f'[fake {self.provider}] {function.__name__}{args}: {error}', file=sys.stderr)
        timer = threading.Timer(delay, run)
        timer.daemon = True
        timer.start()

    # -- scripting
    def fail_next(self, code=None, times=1, *, http_status=None, delay=0.0, body=None, headers=None):
        """Make the next ``times`` sends answer with the vendor's error ``code``, or with
        ``http_status`` (and ``body``/``headers``, e.g. 500 or 429), after ``delay`` seconds.
        With only ``delay`` the send is slowed down and then handled normally, so a client that
        timed out has still sent the message, as with a real provider."""
        with self.lock:
            for _ in range(times):
                self._forced.append(Forced(code, http_status, delay, body, headers))

    def delay_next(self, seconds, times=1):
        self.fail_next(times=times, delay=seconds)

    def reset_after_accept(self, times=1):
        """The next ``times`` sends that the vendor accepts (charged, delivered) lose their answer:
        the connection is reset instead: the client cannot know. A refused send keeps its
        answer and the fault waits for the next accepted one."""
        with self.lock:
            for _ in range(times):
                self._forced.append(Forced(after_accept='reset'))

    def hang_after_accept(self, seconds, times=1):
        """The next ``times`` sends that the vendor accepts are answered only after ``seconds``: a
        client with a shorter read timeout sees a timeout for a message that was accepted."""
        with self.lock:
            for _ in range(times):
                self._forced.append(Forced(after_accept='hang', hang=seconds))

    def set_phone_error(self, phone, code):
        """Every send to ``phone`` (any Vietnamese form) fails with the vendor's ``code``."""
        with self.lock:
            self._phone_errors[canonical_phone(phone)] = code

    def clear_phone_error(self, phone):
        with self.lock:
            self._phone_errors.pop(canonical_phone(phone), None)

    def phone_error(self, phone):
        with self.lock:
            return self._phone_errors.get(canonical_phone(phone))

    def reset_scripts(self):
        with self.lock:
            self._forced.clear()
            self._phone_errors.clear()

    def take_forced(self):
        """The scripted response of this send, if any (after sleeping its delay)."""
        with self.lock:
            forced = self._forced.popleft() if self._forced else None
        if forced is None:
            return None
        if forced.after_accept:
            self._after.forced = forced  # applied by handle() to the normal answer
            return None
        if forced.delay:
            time.sleep(forced.delay)
        if forced.http_status:
            body = forced.body if forced.body is not None else f'HTTP {forced.http_status} (forced by the fake)'
            body = body if isinstance(body, bytes) else str(body).encode()
            return Response(status=forced.http_status, body=body, headers=dict(forced.headers or {}),
                            content_type='text/plain; charset=utf-8')
        if forced.code is not None:
            return self.error(forced.code)
        return None

    # -- vendor hooks
    def error(self, code):
        """The vendor's error response for ``code``."""
        raise NotImplementedError

    def normalize_path(self, path):
        return path.rstrip('/') or '/'

    def not_found(self, request):
        return text_response(f'Not found: {request.full_path}', status=404)

    def method_not_allowed(self, request):
        return text_response(f'Method {request.method} not allowed', status=405)

    def is_accepted(self, response):
        """Whether ``response`` accepts the message (the faults "after accept" wait for one)."""
        return 200 <= response.status < 300

    SUMMARY_KEYS = ()  # keys of a JSON answer worth a log line, e.g. ('error',)

    def log_summary(self, request, response):
        """A short, secret-free hint for the server's log line (e.g. 'error=-118')."""
        if not self.SUMMARY_KEYS or 'json' not in response.content_type:
            return ''
        try:
            data = json.loads(response.body)
        except ValueError:
            return ''
        if not isinstance(data, dict):
            return ''
        return ' '.join(f'{key}={data[key]}' for key in self.SUMMARY_KEYS if key in data)

    # -- dispatch
    #: seconds every request of this fake takes before it is handled (the vendor's network and
    #: processing time, for throughput benchmarks)
    latency = 0.0

    #: the most requests this fake was handling at once, and when each request started and ended
    #: (``time.monotonic()``, status): what the tests of the dispatcher's parallel sends look at
    max_in_flight = 0

    def handle(self, request):
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        started = time.monotonic()
        response = None
        try:
            response = self._handle(request)
            return response
        finally:
            with self.lock:
                self.in_flight -= 1
                self.timeline.append((started, time.monotonic(), response.status if response else None))

    def _handle(self, request):
        self.requests.append(request)
        if self.latency:
            time.sleep(self.latency)
        path = self.normalize_path(request.path)
        wrong_method = False
        for method, regex, handler in self._routes:
            match = regex.fullmatch(path)
            if match:
                if method == request.method:
                    self._after.forced = None
                    response = handler(request, **match.groupdict())
                    after, self._after.forced = self._after.forced, None
                    if after and self.is_accepted(response):
                        if after.after_accept == 'reset':
                            response.drop = True
                        else:
                            time.sleep(after.hang)
                    elif after:
                        with self.lock:  # refused: the fault waits for a send that is accepted
                            self._forced.appendleft(after)
                    return response
                wrong_method = True
        return self.method_not_allowed(request) if wrong_method else self.not_found(request)


class CallbackRecorder(Fake):
    """Receives webhooks and callbacks in tests: records every request (``.requests``) and
    answers ``statuses`` in turn (the last one repeats), after ``delay`` seconds if set."""

    provider = 'recorder'

    def __init__(self, statuses=(200,), delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.statuses = list(statuses)
        self.delay = delay

    def handle(self, request):
        self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return text_response('OK' if status < 400 else 'error', status=status)


@dataclass
class SmsText:
    """An SMS body as it will be sent: the text the phone shows, its encoding and length."""
    text: str
    unicode: bool
    segments: int
    note: str = ''


@dataclass
class SmsRecord:
    """An SMS a fake accepted."""
    msg_id: str
    phone: str                    # 84xxxxxxxxx
    phone_raw: str                # as the client sent it
    text: str                     # as the phone shows it
    sender: str
    unicode: bool
    segments: int
    price: float                  # charged (0 in sandbox or after a failed delivery)
    carrier: str
    status: str = 'sent'          # 'sent' | 'delivered' | 'failed'
    sandbox: bool = False
    request_id: str = None
    callback_url: str = None
    created: float = 0.0
    done: float = None
    entry: InboxMessage = None


class SmsFake(Fake):
    """What the SMS brandname fakes share: credentials, brandnames, CSKH templates, blocked
    keywords, balance, price per segment, message records and delivery reports.

    Credentials and brandnames given as ``None`` mean "any non-empty value" in sandbox mode and
    the class defaults (``DEFAULT_CREDENTIALS``, ``DEFAULT_BRANDNAMES``) otherwise.
    """

    channel = 'sms'
    DEFAULT_CREDENTIALS = {}
    DEFAULT_BRANDNAMES = ('SHOPDEMO',)
    DEFAULT_PRICE = 0
    REPORT_RETRIES = 0  # new attempts at a delivery report when the receiver times out or is down
    # Vendor code of each reason a CSKH SMS is refused; a missing or None entry skips the check.
    CHECK_CODES = {}  # keys: 'phone', 'too_long', 'template', 'keyword'

    def __init__(self, *, credentials=None, brandnames=None, balance=1_000_000, price_per_segment=None,
                 deliver_after=None, report_url=None, **kwargs):
        super().__init__(**kwargs)
        credentials = credentials or {}
        self.credentials = {
            name: credentials.get(name) if credentials.get(name) is not None
            else (None if self.sandbox else default)
            for name, default in self.DEFAULT_CREDENTIALS.items()
        }
        if brandnames is None and not self.sandbox:
            brandnames = self.DEFAULT_BRANDNAMES
        self.brandnames = None if brandnames is None else set(brandnames)
        self.balance = balance
        self.price_per_segment = self.DEFAULT_PRICE if price_per_segment is None else price_per_segment
        self.deliver_after = deliver_after
        self.report_url = report_url
        self.templates = []
        self.blocked_keywords = []
        self.records = {}

    # -- configuration
    def add_template(self, pattern):
        """Register a CSKH template (``{P1,20}`` placeholders). Once one is registered, content
        matching none of them is rejected with the vendor's "wrong template" code."""
        self.templates.append(SmsTemplate(pattern))

    def add_blocked_keyword(self, keyword):
        self.blocked_keywords.append(keyword.lower())

    # -- checks
    def credential_ok(self, name, value):
        expected = self.credentials[name]
        return bool(value) and (expected is None or str(value) == expected)

    def bad_credential(self, **given):
        """Name of the first credential that does not match, or None."""
        return next((name for name in self.credentials if not self.credential_ok(name, given.get(name))), None)

    def brandname_ok(self, brandname):
        return bool(brandname) and (self.brandnames is None or brandname in self.brandnames)

    def template_ok(self, text):
        return not self.templates or any(t.matches(text) for t in self.templates)

    def blocked_keyword(self, text):
        lowered = text.lower()
        return next((k for k in self.blocked_keywords if k in lowered), None)

    def check_recipient(self, phone, forms=PHONE_FORMS):
        """``(national, error_code)``: the 9-digit number, or the vendor code for a phone that is
        invalid or written in a form the vendor refuses, or the code scripted for this phone."""
        national, form = parse_vn_mobile(phone)
        if not national or form not in forms:
            return None, self.CHECK_CODES.get('phone')
        return national, self.phone_error(phone)

    def check_content(self, content, unicode=None):
        """``(SmsText, error_code)``. ``unicode`` is the client's flag (None: detect, as SpeedSMS
        does). GSM-7 requested for text that needs UCS-2 goes out without diacritics — the
        fake's documented choice where the vendors say nothing (sms_providers.md §8.1.10)."""
        note = ''
        if unicode is None:
            unicode = needs_unicode(content)
        elif not unicode and needs_unicode(content):
            content, note = strip_diacritics(content), 'sent as GSM-7 (no unicode flag): diacritics dropped'
        message = SmsText(content, unicode, sms_segments(content, unicode), note)
        checks = (
            ('too_long', lambda: message.segments > MAX_SEGMENTS),
            ('template', lambda: not self.template_ok(content)),
            ('keyword', lambda: self.blocked_keyword(content)),
        )
        for reason, failed in checks:
            if self.CHECK_CODES.get(reason) is not None and failed():
                return message, self.CHECK_CODES[reason]
        return message, None

    def price_of(self, message, count=1):
        return message.segments * self.price_per_segment * count

    def can_afford(self, amount):
        with self.lock:
            return self.balance >= amount

    # -- records
    def new_msg_id(self):
        return secrets.token_hex(16)

    def accept(self, national, phone_raw, message, sender, *, msg_id=None, sandbox=False, request_id=None,
               callback_url=None, note=''):
        """Record an accepted :class:`SmsText` (charging it unless ``sandbox``), put it in the
        inbox and schedule its delivery when ``deliver_after`` is set."""
        price = 0 if sandbox else self.price_of(message)
        with self.lock:
            self.balance -= price
            record = SmsRecord(
                msg_id=msg_id or self.new_msg_id(), phone='84' + national, phone_raw=str(phone_raw),
                text=message.text, sender=sender, unicode=message.unicode, segments=message.segments, price=price,
                carrier=vn_carrier(national), sandbox=sandbox, request_id=request_id, callback_url=callback_url,
                created=self.now(),
            )
            self.records[record.msg_id] = record
        record.entry = self.inbox.add(InboxMessage(
            channel='sms', provider=self.provider, phone=record.phone, text=message.text, msg_id=record.msg_id,
            sender=sender, status='not_delivered' if sandbox else 'sent',
            note='; '.join(n for n in (message.note, note) if n), segments=message.segments, price=price,
            time=record.created,
        ))
        if self.deliver_after is not None and not sandbox:
            self.schedule(self.deliver_after, self._auto_deliver, record.msg_id)
        return record

    def record(self, msg_id):
        with self.lock:
            return self.records.get(str(msg_id))

    def deliver(self, msg_id, success=True, report=True, url=None, **report_fields):
        """Final status of a message: delivered (or failed, which refunds it). With ``report``,
        send the vendor's delivery report to ``url`` (default: the message's callback URL, else
        the account's ``report_url``). Returns the report's HTTP status, or None when no report
        was sent; raises OSError when the receiver cannot be reached."""
        with self.lock:
            record = self.records[str(msg_id)]
            record.status = 'delivered' if success else 'failed'
            record.done = self.now()
            if not success:
                self.balance += record.price
                record.price = 0
        self.inbox.update(record.entry, status=record.status, price=record.price)
        if report and (url or record.callback_url or self.report_url):
            return self.send_report(msg_id, url=url, **report_fields)
        return None

    def _auto_deliver(self, msg_id):
        """Sandbox delivery: reports go to this machine only."""
        record = self.record(msg_id)
        self.deliver(msg_id, report=is_loopback_url(record.callback_url or self.report_url))

    def report_request(self, record, url, **fields):
        """``(method, url, body, headers)`` of the vendor's delivery report."""
        raise NotImplementedError

    def send_report(self, msg_id, url=None, timeout=5.0, **fields):
        """Send the delivery report of ``msg_id`` now, retried ``REPORT_RETRIES`` times while the
        receiver times out or cannot be reached (then the OSError is raised). Returns the HTTP
        status of the answered attempt."""
        record = self.record(msg_id)
        method, target, body, headers = self.report_request(record, url or record.callback_url or self.report_url,
                                                            **fields)
        for attempt in range(self.REPORT_RETRIES + 1):
            try:
                return http_call(method, target, body=body, headers=headers, timeout=timeout)[0]
            except OSError:
                if attempt == self.REPORT_RETRIES:
                    raise


# --------------------------------------------------------------------------- server

class _Handler(BaseHTTPRequestHandler):
    server_version = 'FakeProvider/1.0'
    protocol_version = 'HTTP/1.0'

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        fake_server = self.server.fake_server
        try:
            response = fake_server.dispatch(self.command, self.path, dict(self.headers.items()), body)
        except Exception as error:  # a bug in a fake: say so instead of hanging the client
            traceback.print_exc()
            response = text_response(f'Fake server error: {error!r}', status=500)
        if response.drop:
            # Processed, never answered: reset the connection (SO_LINGER 0 makes close() send RST).
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.close_connection = True
            return
        self.send_response(response.status)
        self.send_header('Content-Type', response.content_type)
        self.send_header('Content-Length', str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, str(value))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass


class FakeServer:
    """HTTP server hosting fakes, on 127.0.0.1 or localhost only.

    ``FakeServer(fake)`` hosts one fake at the root: its base URL is ``server.url``.
    ``FakeServer(mounts={'/zalo': zns, '/esms': esms})`` hosts several, each under its prefix
    (``server.url + '/zalo'``); the longest matching prefix wins, ``''`` catches the rest.
    All mounted fakes share ``server.inbox``; ``server.requests`` logs every request.
    ``log``: a callable receiving one short, secret-free line per request (e.g. ``print``).
    """

    def __init__(self, app=None, *, mounts=None, host='127.0.0.1', port=0, inbox=None, log=None):
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f'The fake providers bind to {" or ".join(LOOPBACK_HOSTS)} only, not {host!r}')
        mounts = dict(mounts or {})
        if app is not None:
            mounts[''] = app
        self.mounts = sorted(((prefix.rstrip('/'), fake) for prefix, fake in mounts.items()),
                             key=lambda item: len(item[0]), reverse=True)
        self.host, self.port = host, port
        self.inbox = inbox if inbox is not None else Inbox()
        for _prefix, fake in self.mounts:
            fake.inbox = self.inbox
        self.requests = RequestLog()
        self.log = log
        self._httpd = None
        self._thread = None

    @property
    def url(self):
        return f'http://{self.host}:{self.port}'

    def start(self):
        self._httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake_server = self
        self.port = self._httpd.server_address[1]
        # A short poll interval: stop() returns within 20 ms instead of the default 0.5 s.
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={'poll_interval': 0.02},
                                        name=f'fake-server-{self.port}', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def dispatch(self, method, raw_path, headers, body):
        path = urllib.parse.urlsplit(raw_path).path
        for prefix, fake in self.mounts:
            if path == prefix or path.startswith(prefix + '/') or prefix == '':
                request = build_request(method, raw_path, headers, body, mount=prefix,
                                        path=path[len(prefix):] or '/')
                self.requests.append(request)
                response = fake.handle(request)
                self._log(request, response, fake)
                return response
        request = build_request(method, raw_path, headers, body)
        self.requests.append(request)
        return text_response(f'Not found: {path}', status=404)

    def _log(self, request, response, fake):
        if not self.log or not fake.LOGGED:
            return
        secret = re.compile(r'key|secret|token|pwd|pass', re.I)
        query = '&'.join(f'{k}={mask(v) if secret.search(k) else v}' for k, v in request.query.items())
        hint = fake.log_summary(request, response)
        stamp = datetime.now(ICT).strftime('%H:%M:%S')
        self.log(f'{stamp} {request.method} {request.full_path}{"?" + query if query else ""}'
                 f' -> {response.status}{" " + hint if hint else ""}')
