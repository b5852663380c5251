# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import pathlib
import sys

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify.tests import test_order_notify_carrier as carrier_tests
from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# The fake vendor servers live in the repository's top-level tests/ folder (stdlib only).
_REPO_TESTS = pathlib.Path(__file__).resolve().parents[2] / 'tests'
if _REPO_TESTS.is_dir() and str(_REPO_TESTS) not in sys.path:
    sys.path.insert(0, str(_REPO_TESTS))

from fake_providers import DEFAULT_GHN_TOKEN, DEFAULT_GHTK_TOKEN, FakeGHN, FakeGHTK, FakeServer  # noqa: E402


@tagged('post_install', '-at_install')
class TestOrderNotifyCarrierExpectedDate(OrderNotifyCommon, HttpCase):
    """GHN's and GHTK's webhooks carry no expected delivery date: with the shop's API token,
    Odoo asks their order APIs (fakes shaped as documented) and the buyer's message tells it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_provider('sandbox', 'sms')
        cls.company.sudo().write({
            'order_notify_ghn_webhook_token': 'ghn-token-123',
            'order_notify_ghtk_webhook_token': 'ghtk-hash-123',
            'order_notify_ghn_api_token': DEFAULT_GHN_TOKEN,
            'order_notify_ghtk_api_token': DEFAULT_GHTK_TOKEN,
        })

    def setUp(self):
        super().setUp()
        self.ghn, self.ghtk = FakeGHN(), FakeGHTK()
        self.server = FakeServer(mounts={'/ghn': self.ghn, '/ghtk': self.ghtk}).start()
        self.addCleanup(self.server.stop)
        ICP = self.env['ir.config_parameter'].sudo()
        ICP.set_param('order_status_notify.ghn_api_url', f'{self.server.url}/ghn')
        ICP.set_param('order_status_notify.ghtk_api_url', f'{self.server.url}/ghtk')

    def _post_ghn(self, body):
        return carrier_tests.TestOrderNotifyCarrierWebhooks._post_ghn(self, body)

    def _post_ghtk(self, body):
        return carrier_tests.TestOrderNotifyCarrierWebhooks._post_ghtk(self, body)

    def _validated(self, tracking_ref):
        order = self._create_order()
        order.action_confirm()
        return order, self._ship(order, tracking_ref=tracking_ref)

    def test_ghn_leadtime_fills_the_expected_date(self):
        order, picking = self._validated('GHNETA1')
        # GHN's leadtime is the end of the expected day in Vietnam, in UTC.
        self.ghn.add_order('GHNETA1', leadtime='2026-03-11T16:59:59Z')
        response = self._post_ghn(carrier_tests.ghn_payload('GHNETA1', 'delivering', '2026-03-10T01:00:00Z'))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(str(picking.order_notify_expected_date), '2026-03-11')
        detail = [r for r in self.ghn.requests.all() if r.path.endswith('/shipping-order/detail')]
        self.assertEqual(len(detail), 1)
        self.assertEqual(detail[0].header('token'), DEFAULT_GHN_TOKEN)
        self.assertEqual(detail[0].json, {'order_code': 'GHNETA1'})
        # A failed attempt: GHN moves the date, the parcel follows.
        self.ghn.add_order('GHNETA1', leadtime='2026-03-12T16:59:59Z')
        self._post_ghn(carrier_tests.ghn_payload('GHNETA1', 'delivery_fail', '2026-03-10T05:00:00Z', Reason='Hẹn lại'))
        self.assertEqual(str(picking.order_notify_expected_date), '2026-03-12')

    def test_ghtk_deliver_date_fills_the_expected_date(self):
        order, picking = self._validated('S1.A1.ETA2')
        self.ghtk.add_order('S1.A1.ETA2', deliver_date='2026-03-11')
        response = self._post_ghtk(carrier_tests.ghtk_payload('S1.A1.ETA2', 3, '2026-03-09T09:00:00+07:00'))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(str(picking.order_notify_expected_date), '2026-03-11')
        status = [r for r in self.ghtk.requests.all() if r.path.startswith('/services/shipment/v2/')]
        self.assertEqual([r.path for r in status], ['/services/shipment/v2/S1.A1.ETA2'])
        self.assertEqual(status[0].header('token'), DEFAULT_GHTK_TOKEN)

    def test_api_down_or_refusing_never_fails_the_webhook(self):
        order, picking = self._validated('GHNETA3')
        self.ghn.fail_next(http_status=500)
        response = self._post_ghn(carrier_tests.ghn_payload('GHNETA3', 'delivering', '2026-03-10T01:00:00Z'))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(picking.order_notify_carrier_status, 'out_for_delivery')
        self.assertFalse(picking.order_notify_expected_date)
        # Unknown order at GHN, then a refused token: still applied, no date.
        response = self._post_ghn(carrier_tests.ghn_payload('GHNETA3', 'delivery_fail', '2026-03-10T02:00:00Z'))
        self.assertEqual(response.status_code, 200, response.text)
        self.company.sudo().order_notify_ghn_api_token = 'wrong'
        self.ghn.add_order('GHNETA3', leadtime='2026-03-11T16:59:59Z')
        response = self._post_ghn(carrier_tests.ghn_payload('GHNETA3', 'delivering', '2026-03-11T01:00:00Z'))
        self.assertEqual(response.status_code, 200, response.text)
        self.assertFalse(picking.order_notify_expected_date)
        self.assertEqual(picking.order_notify_carrier_status, 'out_for_delivery')

    def test_no_api_token_no_call(self):
        self.company.sudo().order_notify_ghtk_api_token = False
        order, picking = self._validated('S1.A1.ETA4')
        self.ghtk.add_order('S1.A1.ETA4', deliver_date='2026-03-11')
        self._post_ghtk(carrier_tests.ghtk_payload('S1.A1.ETA4', 4, '2026-03-10T08:00:00+07:00'))
        self.assertEqual(picking.order_notify_carrier_status, 'out_for_delivery')
        self.assertFalse(self.ghtk.requests.all())
        self.assertFalse(picking.order_notify_expected_date)
