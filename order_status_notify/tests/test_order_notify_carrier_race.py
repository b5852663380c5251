# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

from odoo.addons.order_status_notify.tests.test_order_notify_carrier import ghn_payload


@tagged('post_install', '-at_install')
class TestOrderNotifyCarrierRace(TransactionCase):
    """Really committed transactions, as Odoo's workers run them (data committed, removed
    afterwards): GHN retrying a call that Odoo still processes; the cron's parallel dispatcher."""

    def setUp(self):
        super().setUp()
        self.registry = self.env.registry
        self.ids = {}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            self.ids['company'] = company.read(
                ['order_notify_window_start', 'order_notify_window_end', 'order_notify_ghn_webhook_token'])[0]
            company.write({
                'order_notify_window_start': 0, 'order_notify_window_end': 24,
                'order_notify_ghn_webhook_token': 'race-ghn-token',
            })
            others = env['order.notify.provider'].search([('state', '!=', 'disabled')])
            self.ids['other_providers'] = [(p.id, p.state) for p in others]
            others.write({'state': 'disabled'})
            provider = env['order.notify.provider'].create({
                'name': 'carrier race sandbox', 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled',
            })
            partner = env['res.partner'].create({
                'name': 'Trần Thị Bình', 'mobile': '0912345678', 'country_id': env.ref('base.vn').id,
            })
            product = env['product.product'].create({
                'name': 'Áo khoác', 'type': 'consu', 'is_storable': True, 'list_price': 300000.0,
            })
            warehouse = env['stock.warehouse'].search([('company_id', '=', company.id)], limit=1)
            env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 10)
            order = env['sale.order'].create({
                'partner_id': partner.id,
                'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 2})],
            })
            order.action_confirm()
            picking = order.picking_ids
            # A buyer paying on delivery with no mobile nor e-mail: the dispatcher's own path.
            unreachable = env['sale.order'].create({
                'partner_id': env['res.partner'].create({'name': 'Lê Văn Cường', 'phone': '028 3911 2222'}).id,
                'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 1})],
            })
            unreachable.action_confirm()
            unreachable.picking_ids.carrier_tracking_ref = 'GHNRACE2'
            for move in unreachable.picking_ids.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            unreachable.picking_ids.with_context(skip_sms=True)._action_done()
            self.ids['unreachable'] = unreachable.id
            picking.carrier_tracking_ref = 'GHNRACE1'
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.with_context(skip_sms=True)._action_done()
            self.ids.update(provider=provider.id, order=order.id, picking=picking.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            orders = [self.ids['order'], self.ids['unreachable']]
            cr.execute("DELETE FROM order_notify_message WHERE provider_id = %s OR order_id = ANY(%s)",
                       [self.ids['provider'], orders])
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'sale.order' AND res_id = ANY(%s)", [orders])
            cr.execute("DELETE FROM order_notify_provider WHERE id = %s", [self.ids['provider']])
            env = api.Environment(cr, SUPERUSER_ID, {})
            for provider_id, state in self.ids['other_providers']:
                env['order.notify.provider'].browse(provider_id).state = state
            values = dict(self.ids['company'])
            values.pop('id')
            env.company.write(values)
            # Orders, deliveries and stock moves stay: done moves are history Odoo keeps too.

    def _call(self, env):
        body = json.dumps(ghn_payload('GHNRACE1', 'delivering', '2026-03-10T01:00:00Z')).encode()
        return env['stock.picking'].sudo()._order_notify_process_carrier_call(
            'ghn', {'Content-Type': 'application/json'}, {'token': 'race-ghn-token'}, body,
        )

    def test_a_retry_waits_for_the_first_call_then_changes_nothing(self):
        with self.registry.cursor() as first_cr:
            self.assertEqual(self._call(api.Environment(first_cr, SUPERUSER_ID, {})), (200, 'ok'))
            # The retry arrives while the first call's transaction is still open: it waits for
            # the parcel's row instead of applying the same status a second time.
            with self.registry.cursor() as retry_cr:
                retry_cr.execute("SET LOCAL lock_timeout = '300ms'")
                with self.assertRaises(psycopg2.errors.LockNotAvailable):
                    self._call(api.Environment(retry_cr, SUPERUSER_ID, {}))
                retry_cr.rollback()
            first_cr.commit()
        # Odoo retries the request (or GHN does): now it is a repeat.
        with self.registry.cursor() as retry_cr:
            self.assertEqual(
                self._call(api.Environment(retry_cr, SUPERUSER_ID, {})), (200, 'repeated: already applied'),
            )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM order_notify_message WHERE order_id = %s AND event = 'out_for_delivery'",
                [self.ids['order']],
            )
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute("SELECT order_notify_carrier_status FROM stock_picking WHERE id = %s", [self.ids['picking']])
            self.assertEqual(cr.fetchone()[0], 'out_for_delivery')

    def test_parallel_dispatcher_asks_for_a_call_when_a_cod_buyer_is_unreachable(self):
        """The cron's dispatcher (parallel sends, committed per wave) settles the shipped message
        of the buyer without mobile or e-mail: the salesperson gets the call activity."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['order.notify.message']._order_notify_process_queue(auto_commit=True)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT state FROM order_notify_message WHERE order_id = %s AND event = 'shipped'",
                [self.ids['unreachable']],
            )
            self.assertEqual([row[0] for row in cr.fetchall()], ['skipped'])
            cr.execute(
                "SELECT count(*) FROM mail_activity WHERE res_model = 'sale.order' AND res_id = %s "
                "AND order_notify_alert_key LIKE 'order-notify-call-buyer-%%'", [self.ids['unreachable']],
            )
            self.assertEqual(cr.fetchone()[0], 1)
