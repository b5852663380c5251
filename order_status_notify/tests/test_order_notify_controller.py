# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyDeliveryWebhook(OrderNotifyCommon, HttpCase):
    """Carriers report received parcels on a JSON endpoint authenticated by the company secret."""

    URL = '/order_status_notify/delivery_status'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_provider('sandbox', 'sms')
        cls.company.sudo().order_notify_webhook_secret = 'carrier-secret-123'

    def _post(self, body, secret='carrier-secret-123'):
        headers = {'Content-Type': 'application/json'}
        if secret:
            headers['Authorization'] = f'Bearer {secret}'
        data = body if isinstance(body, str) else json.dumps(body)
        return self.url_open(self.URL, data=data, headers=headers)

    def test_delivered_status_sends_thank_you(self):
        order = self._create_order()
        order.action_confirm()
        picking = self._ship(order, tracking_ref='GHN777')
        response = self._post({'tracking_ref': 'GHN777', 'status': 'delivered', 'date': '2026-03-10 09:30:00'})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(str(picking.order_notify_delivered_date), '2026-03-10 09:30:00')
        self.assertEqual(len(self._messages(order, event='delivered')), 1)
        # The carrier repeats itself: nothing more.
        self.assertEqual(self._post({'tracking_ref': 'GHN777', 'status': 'delivered'}).status_code, 200)
        self.assertEqual(len(self._messages(order, event='delivered')), 1)

    def test_rejected_calls_change_nothing(self):
        order = self._create_order()
        order.action_confirm()
        picking = self._ship(order, tracking_ref='GHN888')
        self.assertEqual(self._post({'tracking_ref': 'GHN888', 'status': 'delivered'}, secret='forged').status_code, 401)
        self.assertEqual(self._post({'tracking_ref': 'GHN888', 'status': 'delivered'}, secret=None).status_code, 400)
        self.assertEqual(self._post('{not json').status_code, 400)
        self.assertEqual(self._post({'tracking_ref': 'UNKNOWN', 'status': 'delivered'}).status_code, 404)
        self.assertEqual(self._post({'tracking_ref': 'GHN888', 'status': 'in_transit'}).status_code, 200)
        self.assertFalse(picking.order_notify_delivered_date)
        self.assertFalse(self._messages(order, event='delivered'))

    def test_webhook_keeps_no_session(self):
        """Carriers call without cookies: the route must not create or save a session per call."""
        from odoo.addons.order_status_notify.controllers.main import OrderNotifyController  # noqa: PLC0415
        routing = OrderNotifyController.order_notify_delivery_status.original_routing
        self.assertIs(routing.get('save_session'), False)
        response = self._post({'tracking_ref': 'NONE', 'status': 'delivered'})
        self.assertNotIn('session_id', response.headers.get('Set-Cookie', ''))
