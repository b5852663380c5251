# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import threading
from contextlib import contextmanager

from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon
from odoo.addons.sms.tests.common import MockSMS


@tagged('post_install', '-at_install')
class TestStockSms(OrderNotifyCommon, MockSMS):
    """Odoo's stock_sms texts the customer through IAP when a delivery is validated; while our
    ``shipped`` message reaches the buyer, on whatever channel, the buyer gets ours only.

    The providers are the core's sandbox on the Zalo or the SMS channel: the rule looks at
    channels and routes, not at a vendor (this addon depends on no channel addon)."""

    def setUp(self):
        super().setUp()
        # One message per order in these tests: the shipping one.
        self.env['order.notify.route'].search([('event', '!=', 'shipped')]).active = False

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

    def _zalo_only(self):
        """A shop that tells its buyers by Zalo ZNS only: no SMS route, a Zalo provider."""
        self.env['order.notify.route'].search([('event', '=', 'shipped'), ('channel', '!=', 'zalo')]).active = False
        return self._create_provider('sandbox', 'zalo')

    def test_setting_switched_off_once_a_provider_sends_shipped(self):
        # The shipped event is on, but no provider sends it: Odoo's text stays the only one.
        self.company.stock_move_sms_validation = True
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        self.assertTrue(self.company.stock_move_sms_validation)
        provider = self._create_provider('sandbox', 'sms', state='disabled')
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        provider.state = 'test'
        self.assertTrue(self.company.order_notify_replaces_stock_sms)
        self.assertFalse(self.company.stock_move_sms_validation)
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.order_notify_replaces_stock_sms)
        # Provider disabled: the setting is editable again, left off for the shop to decide.
        provider.state = 'disabled'
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        self.assertFalse(self.company.stock_move_sms_validation)

    def test_new_company_keeps_odoo_text_until_set_up(self):
        """A new company gets the default routes, hence the shipped event, but no provider."""
        company = self.env['res.company'].create({'name': 'Shop Sen Hồng'})
        self.assertTrue(self.env['order.notify.route'].search_count([
            ('company_id', '=', company.id), ('event', '=', 'shipped'),
        ]))
        self.assertFalse(company.order_notify_replaces_stock_sms)
        self.assertTrue(company.stock_move_sms_validation)
        self.env['order.notify.provider'].create({
            'name': 'Zalo Sen Hồng', 'code': 'sandbox', 'channel': 'zalo', 'state': 'enabled', 'company_id': company.id,
        })
        self.assertTrue(company.order_notify_replaces_stock_sms)
        self.assertFalse(company.stock_move_sms_validation)
        self.assertFalse(self.company.order_notify_replaces_stock_sms, "the other company is left alone")

    def test_route_of_another_channel_does_not_count(self):
        """A Zalo provider with only the SMS route of shipped on: nothing would tell the buyer."""
        self.company.stock_move_sms_validation = True
        self.env['order.notify.route'].search([('event', '=', 'shipped'), ('channel', '=', 'zalo')]).active = False
        self._create_provider('sandbox', 'zalo')
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        self.assertTrue(self.company.stock_move_sms_validation)
        # Turning the Zalo route on switches Odoo's text off.
        self.env['order.notify.route'].with_context(active_test=False).search([
            ('event', '=', 'shipped'), ('channel', '=', 'zalo'),
        ]).active = True
        self.assertFalse(self.company.stock_move_sms_validation)

    def test_zalo_only_shop_no_iap_sms(self):
        """A Zalo-only shop's buyer gets the ZNS message, not an IAP text too, even with Odoo's
        setting switched back on by hand."""
        self._zalo_only()
        self.assertTrue(self.company.order_notify_replaces_stock_sms)
        self.company.stock_move_sms_validation = True
        order, picking = self._validate_delivery()
        self.assertEqual(picking.state, 'done')
        self.assertFalse(self._stock_sms_records())
        self.assertEqual(self._sms, [], "no SMS went to Odoo IAP")
        self._dispatch()
        self.assertRecordValues(self._messages(order, event='shipped'), [{'channel': 'zalo', 'state': 'delivered'}])

    def test_no_iap_sms_while_shipped_goes_by_sms(self):
        self._create_provider('sandbox', 'sms')
        self.company.stock_move_sms_validation = True
        order, _picking = self._validate_delivery()
        self.assertFalse(self._stock_sms_records())
        self.assertEqual(self._sms, [], "no SMS went to Odoo IAP")
        self._dispatch()
        self.assertRecordValues(self._messages(order, event='shipped'), [{'channel': 'sms', 'state': 'delivered'}])

    def test_iap_sms_when_shipped_event_is_off(self):
        """The counterpart: without our shipped event, stock_sms works as before (so the tests
        above would see an IAP SMS if our switch did not work)."""
        self._create_provider('sandbox', 'sms')
        self._create_provider('sandbox', 'zalo')
        self.env['order.notify.route'].search([('event', '=', 'shipped')]).active = False
        self.assertFalse(self.company.order_notify_replaces_stock_sms)
        self.company.stock_move_sms_validation = True
        order, _picking = self._validate_delivery()
        self.assertEqual(len(self._stock_sms_records()), 1)
        self.assertEqual([sms['number'] for sms in self._sms], ['+84912345678'])
        self.assertFalse(self._messages(order, event='shipped'))

    def test_iap_sms_when_no_provider_sends_shipped(self):
        """Routes alone, without a provider, tell nobody: Odoo's text leaves as before."""
        self.company.stock_move_sms_validation = True
        _order, _picking = self._validate_delivery()
        self.assertEqual(len(self._stock_sms_records()), 1)
