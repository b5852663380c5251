"""Fake Facebook Graph API for the Messenger Platform: Send API, Page lookup, signed webhooks.

Follows ``shared/notes/messenger.md`` (sources there); the fake's own choices are marked *fake*.

- §1 Send API: ``POST /v{NN}.0/{PAGE_ID}/messages`` (or ``/me/messages``), Page access token as
  the ``access_token`` query parameter or ``Authorization: Bearer``; JSON body
  ``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE"|"UPDATE"|"MESSAGE_TAG"|"UTILITY",
  "message": {"text": …, "metadata": …}}``. Success (HTTP 200):
  ``{"recipient_id": PSID, "message_id": "m_…"}``.
- Errors: HTTP 400 (*fake*: Graph's status for these is not in the notes) with
  ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` (§6):
  190/463 expired or unknown token (``OAuthException``), 100 invalid parameter (missing
  ``recipient`` or ``messaging_type``, text over 2000 characters, a deprecated message tag since
  2026-04-27, §2), 100/2018001 no matching user (PSID unknown to this Page), 551/1545041 person not
  available (blocked the Page), 10/2018278 outside the 24-hour window, 200 permission (the
  ``HUMAN_AGENT`` tag without approval, *fake*), 4 / 613 rate limits, 2 temporary error.
- §2 window rule: ``RESPONSE`` and ``UPDATE`` go only within 24 h of the person's last interaction
  with the Page (a message, a postback, an m.me referral). *Fake*: ``UTILITY`` (utility templates,
  §3) is not modelled: 100.
- §4 webhooks: the subscription handshake (``GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…``,
  :meth:`FakeMessenger.verify_webhook`), events ``{"object": "page", "entry": [{"id": PAGE_ID,
  "time", "messaging": [event]}]}`` signed ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw
  body keyed with the app secret>`` (:func:`sign_messenger_event`): messages, ``messaging_referrals``
  (existing thread via ``m.me/<page>?ref=…``), ``messaging_postbacks`` with ``referral`` (new thread
  via Get Started), ``message_deliveries`` (``mids`` + ``watermark``), ``message_reads``
  (``watermark``), ``message_echoes`` (``is_echo``, ``metadata`` of the send).
- ``GET /v{NN}.0/{PAGE_ID}?fields=id,name`` (Test Connection): ``{"id", "name"}``.

Each Page has its own PSIDs (page-scoped ids): :meth:`FakeMessenger.add_user` makes a person
known to a Page; :meth:`user_writes` / :meth:`user_opens_link` / :meth:`user_starts` build (and
with ``url`` post) the signed event of the person's action, which also opens the 24-hour window.
"""
import hashlib
import hmac
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field

from .base import Fake, InboxMessage, http_call, is_loopback_url, json_field, json_response, route, text_response

DEMO_PAGE_ID = '104857600123456'
DEMO_PAGE_NAME = 'Shop Demo'
DEMO_PAGE_USERNAME = 'shopdemo'
DEMO_PAGE_TOKEN = 'demo-page-access-token'
DEMO_APP_SECRET = 'demo-messenger-app-secret'
GRAPH_VERSION = 'v25.0'
WINDOW_SECONDS = 24 * 3600
MAX_TEXT_LENGTH = 2000
DEPRECATED_TAGS = ('POST_PURCHASE_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'ACCOUNT_UPDATE')

# (code, subcode) -> (type, message) of Graph's error object (§6; texts as seen in OSS handlers or *fake*).
ERRORS = {
    (2, None): ('OAuthException', 'An unexpected error has occurred. Please retry your request later.'),
    (4, None): ('OAuthException', '(#4) Application request limit reached'),
    (10, 2018278): ('OAuthException', '(#10) This message is sent outside of allowed window.'),
    (10, 1893063): ('OAuthException', '(#10) This Page is temporarily restricted from sending messages.'),
    (100, None): ('OAuthException', '(#100) Invalid parameter'),
    (100, 2018001): ('OAuthException', '(#100) No matching user found'),
    (190, 463): ('OAuthException', 'Error validating access token: Session has expired.'),
    (190, None): ('OAuthException', 'Invalid OAuth access token - Cannot parse access token'),
    (200, None): ('OAuthException', '(#200) Requires pages_messaging permission to manage the object'),
    (551, 1545041): ('OAuthException', "This person isn't available right now."),
    (613, None): ('OAuthException', '(#613) Calls to this api have exceeded the rate limit.'),
}


def graph_error(code, subcode=None, message=None, status=400):
    """Graph's error answer for ``code`` (and ``subcode``)."""
    kind, text = ERRORS.get((code, subcode)) or ERRORS.get((code, None)) or ('OAuthException', 'Error')
    error = {'message': message or text, 'type': kind, 'code': code, 'fbtrace_id': secrets.token_urlsafe(8)}
    if subcode is not None:
        error['error_subcode'] = subcode
    return json_response({'error': error}, status=status)


def sign_messenger_event(body, app_secret):
    """``(raw_body, headers)`` of a webhook POST: compact JSON of ``body`` with
    ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>``."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, separators=(',', ':')).encode()
    digest = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {'Content-Type': 'application/json', 'X-Hub-Signature-256': f'sha256={digest}'}


def page_envelope(page_id, events, time_ms):
    return {'object': 'page', 'entry': [{'id': str(page_id), 'time': time_ms, 'messaging': list(events)}]}


@dataclass
class FakePage:
    page_id: str
    token: str
    app_secret: str
    name: str = DEMO_PAGE_NAME
    username: str = DEMO_PAGE_USERNAME
    verify_token: str = None          # what the app's webhook subscription was set up with
    users: dict = field(default_factory=dict)   # psid -> FakeUser


@dataclass
class FakeUser:
    psid: str
    name: str = ''
    last_interaction: float = None    # seconds, fake clock
    blocked: bool = False             # blocked the Page / deactivated: 551


@dataclass
class MessengerMessage:
    mid: str
    page_id: str
    psid: str
    text: str
    messaging_type: str
    metadata: str = None
    sent: float = 0.0                 # seconds
    delivered: float = None
    read: float = None
    entry: InboxMessage = field(default=None, repr=False)


class FakeMessenger(Fake):
    """Fake Graph API for one or more Pages (one app). Scripting (besides :meth:`Fake.fail_next`,
    whose ``code`` may be ``(code, subcode)``): :meth:`add_page`, :meth:`add_user`,
    :meth:`block`, :meth:`expire_token`, :meth:`advance_time` (closes windows), the event
    builders and :meth:`deliver` / :meth:`read`."""

    provider = 'messenger'
    channel = 'messenger'

    def __init__(self, *, page_id=DEMO_PAGE_ID, token=DEMO_PAGE_TOKEN, app_secret=DEMO_APP_SECRET,
                 page_name=DEMO_PAGE_NAME, username=DEMO_PAGE_USERNAME, webhook_url=None, deliver_after=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.pages = {}
        self.messages = {}
        self.webhook_url = webhook_url
        self.deliver_after = deliver_after
        self.add_page(page_id, token=token, app_secret=app_secret, name=page_name, username=username)
        self.page_id = str(page_id)

    # ------------------------------------------------------------------ scripting
    def add_page(self, page_id, *, token=None, app_secret=DEMO_APP_SECRET, name=DEMO_PAGE_NAME,
                 username=DEMO_PAGE_USERNAME):
        page = FakePage(str(page_id), token or f'page-token-{page_id}', app_secret, name, username)
        with self.lock:
            self.pages[page.page_id] = page
        return page

    def page(self, page_id=None):
        return self.pages[str(page_id or self.page_id)]

    def add_user(self, psid=None, page_id=None, name='', interacted=True):
        """A person known to the Page (PSID). ``interacted``: their window is open now."""
        user = FakeUser(psid or str(secrets.randbelow(10 ** 16) + 10 ** 15), name,
                        self.now() if interacted else None)
        with self.lock:
            self.page(page_id).users[user.psid] = user
        return user

    def block(self, psid, page_id=None):
        self.page(page_id).users[psid].blocked = True

    def expire_token(self, page_id=None):
        """The Page access token stops working (190/463), as when the admin changed password."""
        page = self.page(page_id)
        page.token = 'expired:' + page.token

    def _touch(self, page_id, psid):
        page = self.page(page_id)
        with self.lock:
            user = page.users.get(psid) or FakeUser(psid)
            page.users[psid] = user
            user.last_interaction = self.now()
        return user

    # ------------------------------------------------------------------ helpers
    def error(self, code):
        code, subcode = code if isinstance(code, tuple) else (code, None)
        return graph_error(code, subcode)

    def is_accepted(self, response):
        return response.status == 200 and bool(json_field(response, 'message_id'))

    SUMMARY_KEYS = ('message_id',)

    def _page_of_token(self, request):
        token = request.query.get('access_token') or ''
        auth = request.header('authorization') or ''
        if not token and auth.lower().startswith('bearer '):
            token = auth[7:].strip()
        for page in self.pages.values():
            if token and page.token == token:
                return page
        return None

    def _token_error(self, request):
        auth = request.header('authorization') or ''
        token = request.query.get('access_token') or (auth[7:] if auth.lower().startswith('bearer ') else '')
        expired = any(('expired:' + token.strip()) == p.token for p in self.pages.values()) if token else False
        if not token:
            return graph_error(190, None, 'An active access token must be used to query information about the '
                                          'current user.')
        return graph_error(190, 463) if expired else graph_error(190)

    # ------------------------------------------------------------------ Graph API
    @route('GET', r'(?:/v\d+\.\d+)?/(?P<node>[^/]+)')
    def node(self, request, node):
        page = self._page_of_token(request)
        if page is None:
            return self._token_error(request)
        if node not in ('me', page.page_id):
            return graph_error(100, 33, f"(#100) Object with ID '{node}' does not exist")
        return json_response({'id': page.page_id, 'name': page.name})

    @route('POST', r'(?:/v\d+\.\d+)?/(?P<node>[^/]+)/messages')
    def send(self, request, node):
        forced = self.take_forced()
        if forced:
            return forced
        page = self._page_of_token(request)
        if page is None:
            return self._token_error(request)
        if node not in ('me', page.page_id):
            return graph_error(200)
        body = request.json
        if not isinstance(body, dict):
            return graph_error(100, None, '(#100) Invalid JSON body')
        psid = str((body.get('recipient') or {}).get('id') or '')
        if not psid:
            return graph_error(100, None, '(#100) The parameter recipient is required')
        messaging_type = body.get('messaging_type')
        if messaging_type not in ('RESPONSE', 'UPDATE', 'MESSAGE_TAG', 'UTILITY'):
            return graph_error(100, None, '(#100) Param messaging_type must be one of {RESPONSE, UPDATE, '
                                          'MESSAGE_TAG, UTILITY}')
        if messaging_type == 'UTILITY':
            return graph_error(100, None, '(#100) Utility messages are not modelled by the fake')
        if messaging_type == 'MESSAGE_TAG':
            if body.get('tag') != 'HUMAN_AGENT':  # DEPRECATED_TAGS and unknown tags
                return graph_error(100, None, '(#100) Invalid parameter: the message tag is deprecated')
            return graph_error(200, None, '(#200) The HUMAN_AGENT tag requires approval')
        message = body.get('message') or {}
        text = message.get('text')
        if not isinstance(text, str) or not text:
            return graph_error(100, None, '(#100) The parameter message[text] is required')
        if len(text) > MAX_TEXT_LENGTH:
            return graph_error(100, None, '(#100) Length of param message[text] must be less than or equal to 2000')
        with self.lock:
            user = page.users.get(psid)
            if user is None:
                return graph_error(100, 2018001)
            if user.blocked:
                return graph_error(551, 1545041)
            if self.phone_error(psid) is not None:
                return self.error(self.phone_error(psid))
            if user.last_interaction is None or self.now() - user.last_interaction > WINDOW_SECONDS:
                return graph_error(10, 2018278)
            record = MessengerMessage(
                mid='m_' + secrets.token_urlsafe(24), page_id=page.page_id, psid=psid, text=text,
                messaging_type=messaging_type, metadata=message.get('metadata'), sent=self.now(),
            )
            self.messages[record.mid] = record
        record.entry = self.inbox.add(InboxMessage(
            channel='messenger', provider=self.provider, phone=psid, text=text, msg_id=record.mid,
            sender=page.name, note=messaging_type, price=0.0, time=record.sent,
        ))
        if self.deliver_after is not None and is_loopback_url(self.webhook_url):
            self.schedule(self.deliver_after, self._auto_deliver, record.mid)
        return json_response({'recipient_id': psid, 'message_id': record.mid})

    # ------------------------------------------------------------------ webhooks
    def signed(self, body, page_id=None, app_secret=None):
        """``(raw_body, headers)`` of ``body`` signed with the Page's app secret (or ``app_secret``)."""
        return sign_messenger_event(body, app_secret or self.page(page_id).app_secret)

    def _post(self, url, body, page_id=None):
        raw, headers = self.signed(body, page_id)
        return http_call('POST', url, body=raw, headers=headers)[0]

    def _event(self, page_id, psid, **payload):
        page_id = str(page_id or self.page_id)
        event = {'sender': {'id': psid}, 'recipient': {'id': page_id}, 'timestamp': self.now_ms(), **payload}
        return page_envelope(page_id, [event], self.now_ms())

    def user_writes(self, psid, text, page_id=None, url=None):
        """The person writes ``text`` to the Page (``messages`` field): the window opens."""
        self._touch(page_id or self.page_id, psid)
        body = self._event(page_id, psid, message={'mid': 'm_' + secrets.token_urlsafe(24), 'text': text})
        return self._post(url, body, page_id) if url else body

    def user_opens_link(self, psid, ref, page_id=None, url=None):
        """The person opens ``m.me/<page>?ref=<ref>`` on an existing thread (``messaging_referrals``)."""
        self._touch(page_id or self.page_id, psid)
        body = self._event(page_id, psid, referral={'ref': ref, 'source': 'SHORTLINK', 'type': 'OPEN_THREAD'})
        return self._post(url, body, page_id) if url else body

    def user_starts(self, psid, ref, page_id=None, url=None):
        """The person opens the m.me link for the first time and taps Get Started
        (``messaging_postbacks`` carrying the referral)."""
        self._touch(page_id or self.page_id, psid)
        body = self._event(page_id, psid, postback={
            'title': 'Get Started', 'payload': 'GET_STARTED',
            'referral': {'ref': ref, 'source': 'SHORTLINK', 'type': 'OPEN_THREAD'},
        })
        return self._post(url, body, page_id) if url else body

    def delivery_event(self, mids=None, psid=None, watermark=None, page_id=None):
        """``message_deliveries`` from the person's device: ``mids`` (may be absent) and the
        ``watermark`` (every message sent before it was delivered)."""
        delivery = {'watermark': watermark if watermark is not None else self.now_ms()}
        if mids:
            delivery['mids'] = list(mids)
        return self._event(page_id, psid, delivery=delivery)

    def read_event(self, psid, watermark=None, page_id=None):
        return self._event(page_id, psid, read={'watermark': watermark if watermark is not None else self.now_ms()})

    def echo_event(self, mid):
        """``message_echoes`` of a message the Page sent: its ``mid`` and the send's ``metadata``."""
        record = self.messages[mid]
        event = {'sender': {'id': record.page_id}, 'recipient': {'id': record.psid}, 'timestamp': int(record.sent * 1000),
                 'message': {'is_echo': True, 'mid': mid, 'text': record.text, 'metadata': record.metadata or ''}}
        return page_envelope(record.page_id, [event], self.now_ms())

    def deliver(self, mid, url=None, with_mids=True):
        """The message reached the person's device: its delivery event (posted to ``url`` or
        ``webhook_url`` when given). Returns the HTTP status, or the event when not posted."""
        with self.lock:
            record = self.messages[mid]
            record.delivered = self.now()
        self.inbox.update(record.entry, status='delivered')
        body = self.delivery_event([mid] if with_mids else None, record.psid,
                                   watermark=int(record.delivered * 1000) + 1, page_id=record.page_id)
        target = url or self.webhook_url
        return self._post(target, body, record.page_id) if target else body

    def read(self, mid, url=None):
        with self.lock:
            record = self.messages[mid]
            record.read = record.delivered = self.now()
        self.inbox.update(record.entry, status='delivered', note=f'{record.messaging_type}, read')
        body = self.read_event(record.psid, watermark=int(record.read * 1000) + 1, page_id=record.page_id)
        target = url or self.webhook_url
        return self._post(target, body, record.page_id) if target else body

    def _auto_deliver(self, mid):
        self.deliver(mid)

    def verify_webhook(self, url, verify_token, challenge=None):
        """Meta's subscription handshake: ``(status, body)`` of the GET on the callback URL."""
        challenge = challenge or str(secrets.randbelow(10 ** 9))
        query = urllib.parse.urlencode({'hub.mode': 'subscribe', 'hub.verify_token': verify_token,
                                        'hub.challenge': challenge})
        status, body = http_call('GET', f'{url}?{query}')
        return status, body.decode('utf-8', 'replace')

    def method_not_allowed(self, request):
        return graph_error(100, None, f'(#100) Unsupported {request.method} request')

    def not_found(self, request):
        return text_response(f'Not found: {request.full_path}', status=404)


__all__ = [
    'DEMO_APP_SECRET', 'DEMO_PAGE_ID', 'DEMO_PAGE_NAME', 'DEMO_PAGE_TOKEN', 'DEMO_PAGE_USERNAME', 'FakeMessenger',
    'GRAPH_VERSION', 'graph_error', 'sign_messenger_event',
]
