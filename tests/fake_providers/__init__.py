"""Fake Zalo ZNS, SMS brandname, Messenger (Graph API) providers and carrier (GHN, GHTK) order APIs for the order_status_notify tests and sandbox.

Standard library only. Typical test use::

    from fake_providers import FakeServer, FakeZaloZNS

    zns = FakeZaloZNS()
    zns.add_template('123456', params=['customer_name', 'order_code'])
    with FakeServer(zns) as server:        # 127.0.0.1, random free port
        ...                                # API base URL and OAuth base URL = server.url
        assert zns.inbox.messages(phone='0901888484')

The sandbox (all fakes in one process, phone inbox at /inbox) is ``serve.py``.
"""
from .base import (
    CallbackRecorder, Fake, FakeServer, Inbox, InboxMessage, Request, RequestLog, Response, SmsFake, canonical_phone,
    parse_vn_mobile, sms_segments,
)
from .carriers import DEFAULT_GHN_TOKEN, DEFAULT_GHTK_TOKEN, FakeGHN, FakeGHTK
from .esms import FakeESMS
from .messenger import (
    DEMO_APP_SECRET, DEMO_PAGE_ID, DEMO_PAGE_TOKEN, DEMO_PAGE_USERNAME, FakeMessenger, sign_messenger_event,
)
from .speedsms import FakeSpeedSMS
from .vietguys import FakeVietguys
from .zalo_zns import (
    DEMO_APP_ID, DEMO_APP_SECRET_KEY, DEMO_OA_ID, DEMO_OA_SECRET_KEY, DEMO_REFRESH_TOKEN, DEMO_TEMPLATES, FakeZaloZNS,
    ZnsParam, sign_zns_event, zns_delivery_event,
)

__all__ = [
    'CallbackRecorder', 'Fake', 'FakeServer', 'Inbox', 'InboxMessage', 'Request', 'RequestLog', 'Response', 'SmsFake',
    'canonical_phone', 'parse_vn_mobile', 'sms_segments',
    'FakeESMS', 'FakeSpeedSMS', 'FakeVietguys',
    'DEFAULT_GHN_TOKEN', 'DEFAULT_GHTK_TOKEN', 'FakeGHN', 'FakeGHTK',
    'DEMO_APP_ID', 'DEMO_APP_SECRET_KEY', 'DEMO_OA_ID', 'DEMO_OA_SECRET_KEY', 'DEMO_REFRESH_TOKEN', 'DEMO_TEMPLATES',
    'FakeZaloZNS', 'ZnsParam', 'sign_zns_event', 'zns_delivery_event',
    'DEMO_APP_SECRET', 'DEMO_PAGE_ID', 'DEMO_PAGE_TOKEN', 'DEMO_PAGE_USERNAME', 'FakeMessenger', 'sign_messenger_event',
]
