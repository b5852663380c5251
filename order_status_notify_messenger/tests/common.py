# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import pathlib
import sys
from datetime import timedelta

from odoo import fields

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# The fake vendor servers live in the repository's top-level tests/ folder (stdlib only).
_REPO_TESTS = pathlib.Path(__file__).resolve().parents[2] / 'tests'
if _REPO_TESTS.is_dir() and str(_REPO_TESTS) not in sys.path:
    sys.path.insert(0, str(_REPO_TESTS))

from fake_providers import (  # noqa: E402
    DEMO_APP_SECRET, DEMO_PAGE_ID, DEMO_PAGE_TOKEN, DEMO_PAGE_USERNAME, FakeMessenger, FakeServer,
)

SEND_PATH = f'/v25.0/{DEMO_PAGE_ID}/messages'
WEBHOOK = '/order_status_notify_messenger/webhook'
BUYER_PSID = '7001000000000001'


class MessengerCommon(OrderNotifyCommon):
    """The shop of the core tests with its Facebook Page (a Messenger provider) talking over
    real HTTP to a fresh fake Graph API; only the *placed* event is on."""

    def setUp(self):
        super().setUp()
        self.fb = FakeMessenger()
        self.server = FakeServer(self.fb).start()
        self.addCleanup(self.server.stop)
        self.provider = self._create_messenger()
        self.env['order.notify.route'].search([('event', '!=', 'placed')]).active = False

    def _create_messenger(self, page_id=DEMO_PAGE_ID, token=DEMO_PAGE_TOKEN, **values):
        return self._create_provider('messenger', 'messenger', **{
            'name': f"Page {page_id}",
            'api_base_url': self.server.url + '/v25.0',
            'messenger_page_id': page_id,
            'messenger_page_token': token,
            'messenger_app_secret': DEMO_APP_SECRET,
            'messenger_page_username': DEMO_PAGE_USERNAME,
            'currency_id': self.vnd.id,
            **values,
        })

    def _link(self, partner=None, psid=BUYER_PSID, provider=None, hours_ago=0, order=None):
        """The buyer is known to the Page (fake) and linked to ``partner`` (Odoo), having last
        written ``hours_ago`` hours ago."""
        provider = provider or self.provider
        user = self.fb.add_user(psid, page_id=provider.messenger_page_id)
        when = fields.Datetime.now() - timedelta(hours=hours_ago)
        user.last_interaction = self.fb.now() - hours_ago * 3600
        contact = self.env['order.notify.messenger.contact']._messenger_touch(provider, psid, when)
        contact.write({'partner_id': (partner or self.customer).id, 'order_id': order and order.id})
        return contact

    def _confirmed_order(self, **values):
        order = self._create_order(**values)
        order.action_confirm()
        return order

    def _sends(self):
        return [r for r in self.fb.requests.filter(method='POST') if r.path.endswith('/messages')]

    def _over_http(self, call, *args, **kwargs):
        """What the test wrote must be in the database for the server, and what the server
        wrote must be re-read here."""
        self.env.flush_all()
        result = call(*args, **kwargs)
        self.env.invalidate_all()
        return result
