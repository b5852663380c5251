# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import pathlib
import sys
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

import requests

from odoo import fields

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# The fake vendor servers live in the repository's top-level tests/ folder (stdlib only).
_REPO_TESTS = pathlib.Path(__file__).resolve().parents[2] / 'tests'
if _REPO_TESTS.is_dir() and str(_REPO_TESTS) not in sys.path:
    sys.path.insert(0, str(_REPO_TESTS))

from fake_providers import (  # noqa: E402
    DEMO_APP_ID, DEMO_APP_SECRET_KEY, DEMO_OA_ID, DEMO_OA_SECRET_KEY, FakeServer, FakeZaloZNS,
)

SEND_PATH = '/message/template'
TOKEN_PATH = '/v4/oa/access_token'
CUSTOMER_PHONE = '84912345678'  # the core test customer's 0912 345 678


@contextmanager
def _token_cursor_of_the_test(provider):
    """A test's rows are invisible to any other cursor: the token renewal locks the provider
    row and commits the new pair in a savepoint of the test's own cursor instead."""
    with provider.env.cr.savepoint(flush=True):
        yield provider.env.cr


def _write_health_in_the_test(provider, vals):
    """Quota and balance are written in the test's own transaction, for the same reason."""
    provider.sudo().write(vals)


class ZaloCommon(OrderNotifyCommon):
    """The shop of the core tests with a Zalo ZNS provider talking over real HTTP to a fresh
    fake Zalo (ZNS API and OAuth on one server, the sandbox's five demo templates), a sandbox
    SMS provider as the fallback channel, and the OA's templates synchronized."""

    def setUp(self):
        super().setUp()
        Provider = type(self.env['order.notify.provider'])
        self.patch(Provider, '_zalo_token_cursor', _token_cursor_of_the_test)
        self.patch(Provider, '_zalo_write_health', _write_health_in_the_test)
        self.zns = FakeZaloZNS(demo_templates=True, admin_phones=[CUSTOMER_PHONE])
        self.server = FakeServer(self.zns).start()
        self.addCleanup(self.server.stop)
        self.provider = self._create_provider('zalo_zns', 'zalo', **{
            'api_base_url': self.server.url,
            'zalo_oauth_base_url': self.server.url,
            'zalo_app_id': DEMO_APP_ID,
            'zalo_app_secret': DEMO_APP_SECRET_KEY,
            'zalo_oa_secret_key': DEMO_OA_SECRET_KEY,
            'zalo_oa_id': DEMO_OA_ID,
            'zalo_access_token': self.zns.access_token,
            'zalo_refresh_token': self.zns.refresh_token,
            'zalo_access_token_expiry': fields.Datetime.now() + timedelta(hours=25),
            'currency_id': self.vnd.id,
        })
        self.sms_provider = self._create_provider('sandbox', 'sms')
        self.env['zalo.zns.template']._zalo_sync_from_provider(self.provider)
        self.zns_templates = {t.template_ref: t for t in self.provider.zalo_template_ids}
        self.template_placed = self._create_zns_template('placed', '100001')
        self.zns.requests.clear()

    def _create_zns_template(self, event, template_ref):
        """An order notification template of ``event`` on the ZNS template, parameters mapped
        by the automatic suggestions."""
        template = self.env['order.notify.template'].create({
            'name': f"ZNS {event}",
            'event': event,
            'channel': 'zalo',
            'provider_id': self.provider.id,
            'company_id': self.company.id,
            'zalo_template_id': self.zns_templates[template_ref].id,
        })
        template.action_zalo_suggest_params()
        return template

    # Over HTTP (for the HttpCase tests)

    def _over_http(self, call, *args, **kwargs):
        """What the test wrote must be in the database for the server, and what the server
        wrote must be re-read here."""
        self.env.flush_all()
        result = call(*args, **kwargs)
        self.env.invalidate_all()
        return result

    def _connect_over_http(self, login):
        """Click *Connect Zalo OA* as ``login`` (JSON-RPC, so the state lands in that session)."""
        self.authenticate(login, login)
        self.env.flush_all()
        return self.make_jsonrpc_request('/web/dataset/call_button', {
            'model': 'order.notify.provider', 'method': 'action_zalo_connect',
            'args': [[self.provider.id]], 'kwargs': {},
        })

    def _consent(self, action):
        """The OA admin agrees on Zalo's page, which sends the browser back to Odoo."""
        answer = requests.get(action['url'], allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302)
        back = urlsplit(answer.headers['Location'])
        return f'{back.path}?{back.query}'

    def _sends(self):
        return self.zns.requests.filter(path=SEND_PATH, method='POST')

    def _token_calls(self):
        return self.zns.requests.filter(path=TOKEN_PATH, method='POST')

    def _confirmed_order(self, **values):
        order = self._create_order(**values)
        order.action_confirm()
        return order
