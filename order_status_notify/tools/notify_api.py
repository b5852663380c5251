# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The one HTTP client of the channel addons.

Every vendor call (Zalo, the SMS gateways, Messenger…) goes through ``request()``: a
``requests.Session`` per provider and worker thread (keep-alive: a batch of 50 messages opens one
TLS connection, not 50), explicit connect/read timeouts, the vendor's rate-limit answer read into
a ``retry_at``, JSON decoding with a clear error, and logs that name the host only (URLs and
bodies carry API keys). Errors come out as ``OrderNotifyError`` with the class the dispatcher
acts upon, and ``ambiguous`` set when the vendor may have processed the request all the same.

Pure Python, no ORM: the provider model wraps it (``order.notify.provider._order_notify_request``).
"""

import contextlib
import email.utils
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests

from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import OrderNotifyError, is_ambiguous_request_error

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# Explicit (connect, read) timeout of a vendor call, in seconds: a vendor that hangs must not
# hold a dispatcher worker (and its cron lock) for minutes.
DEFAULT_TIMEOUT = (5, 20)
# What a 429 without a readable delay waits.
DEFAULT_RATE_LIMIT_WAIT = 60
# Sessions idle this long are dropped (a vendor closes idle keep-alive connections anyway).
SESSION_IDLE_SECONDS = 300

_local = threading.local()


def get_session(key):
    """The ``requests.Session`` of ``key`` (a provider) for the current thread.

    Sessions are not thread-safe, and Odoo runs one request or cron per thread (or process):
    one session per (thread, provider) keeps connections alive between the messages of a batch
    without sharing a connection pool across threads."""
    sessions = getattr(_local, 'sessions', None)
    if sessions is None:
        sessions = _local.sessions = {}
    now = datetime.now(timezone.utc)
    entry = sessions.get(key)
    if entry and (now - entry[1]).total_seconds() > SESSION_IDLE_SECONDS:
        entry[0].close()
        entry = None
    if not entry:
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        entry = [session, now]
        sessions[key] = entry
    entry[1] = now
    return entry[0]


def drop_session(key):
    """Close the session of ``key`` in this thread (credentials or base URL changed)."""
    entry = getattr(_local, 'sessions', {}).pop(key, None)
    if entry:
        entry[0].close()


def parse_retry_after(value, default=DEFAULT_RATE_LIMIT_WAIT):
    """Seconds to wait from a ``Retry-After``-style header: delay-seconds or an HTTP date
    (RFC 9110 §10.2.3); ``default`` when missing or unreadable; at least 1."""
    if value in (None, ''):
        return default
    try:
        return max(int(float(value)), 1)
    except (TypeError, ValueError):
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return default
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(int((moment - datetime.now(timezone.utc)).total_seconds()), 1)


def request(method, url, *, vendor, session_key=None, timeout=DEFAULT_TIMEOUT,
            rate_limit_headers=('Retry-After',), **kwargs):
    """Call a vendor and return its ``requests`` response (any status below 500 but 429).

    :param str vendor: the vendor's name, for the shop's reasons and the log
    :param session_key: keeps a ``requests.Session`` alive under this key (a provider id);
        without it, the call uses a throw-away session
    :param rate_limit_headers: the headers that say how long to wait after a 429, first found wins
    :raise OrderNotifyError: ``transient`` when the vendor cannot be reached, times out, answers
        5xx or 429 (with ``retry_at``); ``ambiguous`` when the request may have been processed
        all the same (read timeout, connection cut once the request was written). Reasons and
        logs name the host only.
    """
    host = urlsplit(url).netloc
    session = get_session(session_key) if session_key is not None else requests.Session()
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.exceptions.RequestException as error:
        if session_key is not None:
            drop_session(session_key)  # a half-closed keep-alive connection is not reused
        _logger.warning("%s (%s) unreachable: %s", vendor, host, type(error).__name__)
        raise OrderNotifyError(const.ERROR_TRANSIENT, _lt(
            "Could not reach %(vendor)s at %(host)s (%(error)s).", vendor=vendor, host=host, error=type(error).__name__,
        ), code='network', ambiguous=is_ambiguous_request_error(error)) from None
    finally:
        if session_key is None:
            session.close()
    if response.status_code == 429:
        value = next((response.headers[h] for h in rate_limit_headers if response.headers.get(h)), None)
        wait = parse_retry_after(value)
        _logger.info("%s (%s) rate limit reached: retry in %s s", vendor, host, wait)
        raise OrderNotifyError(const.ERROR_TRANSIENT, _lt(
            "%(vendor)s's rate limit was reached: retry in %(seconds)s seconds.", vendor=vendor, seconds=wait,
        ), code='http_429', retry_at=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(seconds=wait))
    if response.status_code >= 500:
        _logger.warning("%s (%s) answered HTTP %s", vendor, host, response.status_code)
        raise OrderNotifyError(const.ERROR_TRANSIENT, _lt(
            "%(vendor)s answered HTTP %(status)s.", vendor=vendor, status=response.status_code,
        ), code=f'http_{response.status_code}')
    return response


def decode_json(response, *, vendor, ambiguous=None):
    """The JSON object of a vendor's answer.

    :param ambiguous: whether an unreadable answer may hide a processed request; by default,
        when its status is 2xx (the vendor said "OK" but the body was cut)
    :raise OrderNotifyError: ``transient`` (code ``bad_answer``) when the body is not a JSON object
    """
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OrderNotifyError(const.ERROR_TRANSIENT, _lt(
            "%(vendor)s answered something that is not JSON (HTTP %(status)s).",
            vendor=vendor, status=response.status_code,
        ), code='bad_answer', ambiguous=response.status_code < 300 if ambiguous is None else ambiguous)
    return data


# === PARALLEL SENDS === #
#
# The dispatcher keeps the ORM in its own thread and lets worker threads wait for the vendors:
# it runs a provider's send once with an ``Exchange`` in place, which stops it at its first
# vendor call (``RequestDeferred``) with that call's plain data (method, URL, body); a worker thread
# of ``get_pool()`` makes the call; the dispatcher then runs the send again, and the first vendor
# call returns the worker's answer. Later calls of the same send (a duplicate lookup, a token
# refresh) are made directly. Providers need nothing special: every vendor call goes through
# ``order.notify.provider._order_notify_request``.

# Worker threads of a dispatcher process: enough for every provider's parallel sends.
MAX_WORKERS = 32

_pool = None
_pool_lock = threading.Lock()


def get_pool():
    """The worker threads of this process (created on first use: after Odoo forked its workers)."""
    global _pool  # noqa: PLW0603
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix='order_notify_send')
        return _pool


class RequestDeferred(BaseException):  # noqa: N818 - a signal, not an error
    """Raised by an ``Exchange`` at a send's first vendor call, to be made by a worker thread.

    A ``BaseException``: a provider's ``except Exception`` must not swallow it."""


class Exchange:
    """The first vendor call of one message's send, made by a worker thread.

    First run of the send: the call is recorded (``spec``) and ``RequestDeferred`` stops the send.
    Second run, once ``future`` is set: the call returns what the worker got (or raises its
    ``OrderNotifyError``); any further call is made directly. A run again after ``rewind`` (its
    transaction was rolled back) gets the same answer: the vendor is never asked twice."""

    def __init__(self):
        self.spec = None
        self.future = None
        self.answered = False

    def request(self, method, url, **kwargs):
        if self.answered:
            return request(method, url, **kwargs)
        if self.future is None:
            self.spec = (method, url, kwargs)
            raise RequestDeferred()
        if (method, url) != self.spec[:2]:
            # The send asked something else the second time: its first answer cannot be used, and
            # the first request may have reached the vendor. Never guess: the dispatcher records it.
            raise RuntimeError(f"{method} {urlsplit(url).netloc}: not the request made by the worker thread")
        self.answered = True
        return self.future.result()

    def rewind(self):
        """Run the send again from its start: its first call gets the worker's answer again."""
        self.answered = False

    def submit(self):
        """Make the recorded call in a worker thread; the future's result is the response."""
        method, url, kwargs = self.spec
        self.future = get_pool().submit(request, method, url, **kwargs)
        return self.future


_exchange = threading.local()


@contextlib.contextmanager
def exchange(current):
    """Route the vendor calls of the current thread through ``current`` (an ``Exchange``)."""
    previous = getattr(_exchange, 'current', None)
    _exchange.current = current
    try:
        yield current
    finally:
        _exchange.current = previous


def current_exchange():
    return getattr(_exchange, 'current', None)


class TokenBucket:
    """A per-provider rate limit: ``rate`` calls per second on average, ``burst`` at once.

    Kept per process (``get_bucket``): with several dispatcher jobs, each gets its share of the
    vendor's limit. A 429 answer empties the bucket until the vendor's ``Retry-After``."""

    def __init__(self, rate, burst=None):
        self.rate = rate
        self.burst = max(burst or rate, 1)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.blocked_until = 0.0

    def configure(self, rate, burst=None):
        if rate != self.rate:
            self.rate = rate
            self.burst = max(burst or rate, 1)
            self.tokens = min(self.tokens, self.burst)

    def _refill(self, now):
        if self.rate > 0:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self):
        """Take a token if one is there: True, else False (see ``wait_time``)."""
        now = time.monotonic()
        if now < self.blocked_until:
            return False
        if self.rate <= 0:
            return True
        self._refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def wait_time(self):
        """Seconds until ``take`` can succeed."""
        now = time.monotonic()
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.rate <= 0:
            return 0.0
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def block(self, seconds):
        """The vendor said "too many requests": nothing before ``seconds`` from now."""
        self.blocked_until = max(self.blocked_until, time.monotonic() + seconds)
        self.tokens = 0


_buckets = {}


def get_bucket(key, rate):
    """The ``TokenBucket`` of ``key`` (database, provider) in this process, at ``rate`` per second."""
    bucket = _buckets.get(key)
    if bucket is None:
        bucket = _buckets[key] = TokenBucket(rate)
    else:
        bucket.configure(rate)
    return bucket


def mask(text, *secrets):
    """``text`` with every non-empty secret replaced by ``***``: for log lines and reasons that
    quote a URL or a vendor's answer."""
    text = str(text)
    for secret in secrets:
        if secret and len(str(secret)) >= 4:
            text = text.replace(str(secret), '***')
    return text


class UrlSecretFilter(logging.Filter):
    """Masks as ``***`` the secret that a webhook URL carries (a token in its path or query):
    werkzeug logs each request line in full, and the access log is read by more people than
    the Settings admins. ``pattern`` keeps the part before the secret as its first group."""

    def __init__(self, key, pattern):
        super().__init__()
        self.key = key
        self.pattern = re.compile(pattern)

    def _mask(self, text):
        return self.pattern.sub(r'\1***', text)

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(self._mask(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = self._mask(record.msg)
        return True


def mask_url_secret_in_access_log(key, pattern):
    """Install an ``UrlSecretFilter`` known as ``key`` on werkzeug's logger, once (a module
    reload does not stack them)."""
    access_log = logging.getLogger('werkzeug')
    if not any(isinstance(f, UrlSecretFilter) and f.key == key for f in access_log.filters):
        access_log.addFilter(UrlSecretFilter(key, pattern))
