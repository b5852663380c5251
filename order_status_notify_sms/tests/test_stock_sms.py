# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import threading
from contextlib import contextmanager

from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import SmsCommon
from odoo.addons.sms.tests.common import MockSMS


@tagged('post_install', '-at_install')
class TestStockSms(SmsCommon, MockSMS):
    """Odoo's stock_sms texts the customer through IAP when a delivery is validated; while our
    ``shipped`` event is on, the buyer gets our message only."""

    @contextmanager
    def _stock_sms_live(self):
        """stock_sms stays silent in tests (``threading.current_thread().testing``); lift that
        guard so that its real code runs, against Odoo's own IAP gateway mock."""
        thread = threading.current_thread()
        with self.mockSMSGateway():
            thread.testing = False
            try:
                yield
            finally:
                thread.testing = True

    def _validate_delivery(self):
        order = self._create_order()
        order.action_confirm()
        picking = order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        with self._stock_sms_live():
            picking._action_done()
        return order, picking

    def _stock_sms_records(self):
        return self.env['sms.sms'].sudo().search([('partner_id', '=', self.customer.id)])

    def test_setting_switched_off_with_shipped_event(self):
        self.assertTrue(self.company.order_notify_replaces_stock_sms)
        self.assertFalse(self.company.stock_move_sms_validation)
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.order_notify_replaces_stock_sms)
        # A new company gets the default routes, hence the shipped event: off there too.
        company = self.env['res.company'].create({'name': 'Shop Sen Hồng'})
        self.assertTrue(company.order_notify_replaces_stock_sms)
        self.assertFalse(company.stock_move_sms_validation)

    def test_no_iap_sms_while_shipped_event_is_on(self):
        self._create_esms()
        # Even switched back on by hand, stock_sms does not text the buyer.
        self.company.stock_move_sms_validation = True
        order, _picking = self._validate_delivery()
        self.assertFalse(self._stock_sms_records())
        self.assertEqual(self._sms, [], "no SMS went to Odoo IAP")
        self._dispatch()
        self.assertEqual(self._messages(order, event='shipped').state, 'sent')
        self.assertEqual(len(self.esms.records), 1)

    def test_iap_sms_when_shipped_event_is_off(self):
        """The counterpart: without our shipped event, stock_sms works as before (so the test
        above would see an IAP SMS if our switch did not work)."""
        self.env['order.notify.route'].search([('event', '=', 'shipped')]).active = False
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        self.company.stock_move_sms_validation = True
        order, _picking = self._validate_delivery()
        self.assertEqual(len(self._stock_sms_records()), 1)
        self.assertEqual([sms['number'] for sms in self._sms], ['+84912345678'])
        self.assertFalse(self._messages(order, event='shipped'))
