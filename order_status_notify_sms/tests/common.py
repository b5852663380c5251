# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import pathlib
import sys
from urllib.parse import parse_qsl, urlsplit

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# The fake vendor servers live in the repository's top-level tests/ folder (stdlib only).
_REPO_TESTS = pathlib.Path(__file__).resolve().parents[2] / 'tests'
if _REPO_TESTS.is_dir() and str(_REPO_TESTS) not in sys.path:
    sys.path.insert(0, str(_REPO_TESTS))

from fake_providers import FakeESMS, FakeServer, FakeSpeedSMS, FakeVietguys  # noqa: E402
from fake_providers.esms import DEFAULT_API_KEY, DEFAULT_SECRET_KEY  # noqa: E402
from fake_providers.speedsms import DEFAULT_TOKEN  # noqa: E402
from fake_providers.vietguys import DEFAULT_PASSCODE, DEFAULT_USERNAME  # noqa: E402

ESMS_SEND_PATH = '/MainService.svc/json/SendMultipleMessage_V4_post_json/'


class SmsCommon(OrderNotifyCommon):
    """The shop of the core tests with SMS providers talking over real HTTP to fresh fake
    gateways on 127.0.0.1 (one server per test, so no state leaks between tests)."""

    BRANDNAME = 'SHOPDEMO'

    def setUp(self):
        super().setUp()
        self.esms = FakeESMS()
        self.speedsms = FakeSpeedSMS()
        self.vietguys = FakeVietguys()
        for fake in (self.esms, self.speedsms, self.vietguys):
            server = FakeServer(fake).start()
            self.addCleanup(server.stop)
            fake.server_url = server.url
        # One message per order in these tests: the shipping one (the SMS channel's main case).
        self.env['order.notify.route'].search([('event', '!=', 'shipped')]).active = False

    def _create_esms(self, **values):
        return self._create_provider('esms', 'sms', **{
            'api_base_url': self.esms.server_url + '/MainService.svc/json',
            'esms_api_key': DEFAULT_API_KEY,
            'esms_secret_key': DEFAULT_SECRET_KEY,
            'sms_brandname': self.BRANDNAME,
            'unit_cost': 800,
            'currency_id': self.vnd.id,
            **values,
        })

    def _create_speedsms(self, **values):
        return self._create_provider('speedsms', 'sms', **{
            'api_base_url': self.speedsms.server_url + '/index.php',
            'speedsms_access_token': DEFAULT_TOKEN,
            'sms_brandname': self.BRANDNAME,
            'unit_cost': 250,
            'currency_id': self.vnd.id,
            **values,
        })

    def _create_vietguys(self, **values):
        return self._create_provider('vietguys', 'sms', **{
            'api_base_url': self.vietguys.server_url,
            'vietguys_username': DEFAULT_USERNAME,
            'vietguys_password': DEFAULT_PASSCODE,
            'sms_brandname': self.BRANDNAME,
            'unit_cost': 800,
            'currency_id': self.vnd.id,
            **values,
        })

    def _shipped_order(self, **values):
        """A confirmed order of the test customer whose delivery was validated (GHN123456)."""
        order = self._create_order(**values)
        order.action_confirm()
        self._ship(order)
        return order

    def _sends(self, fake, path):
        return [r for r in fake.requests if r.path.rstrip('/') == path.rstrip('/')]

    @staticmethod
    def _report_params(fake, msg_id, **fields):
        """The query parameters of the delivery report ``fake`` would send for ``msg_id``."""
        _method, url, _body, _headers = fake.report_request(fake.record(msg_id), 'http://odoo/cb', **fields)
        return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
