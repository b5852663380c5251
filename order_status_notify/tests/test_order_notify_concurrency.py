# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import psycopg2
import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyPortalToken(OrderNotifyCommon):

    def test_token_created_by_the_business_transaction(self):
        """The hook that queues a message gives the order its portal token, so that the
        dispatcher finds it and only reads it."""
        self._create_provider('sandbox', 'sms')
        order = self._create_order()
        self.assertFalse(order.access_token)
        order.action_confirm()
        self.assertTrue(order.access_token)
        values = order._order_notify_get_values('placed')
        self.assertIn(f"access_token={order.access_token}", values['order_url'])

    def test_order_url_without_token_never_writes(self):
        order = self._create_order()
        order.action_confirm()
        order.access_token = False
        order.flush_recordset()
        values = order._order_notify_get_values('placed')
        self.assertTrue(values['order_url'].endswith(order.access_url))
        self.assertFalse(order.access_token, "rendering never creates the token")


@tagged('post_install', '-at_install')
class TestOrderNotifyConcurrency(TransactionCase):
    """The dispatcher and the sale flow on separate, really committed transactions, as two Odoo
    workers: the data is committed (and removed afterwards) since each cursor only sees what
    the others committed."""

    def setUp(self):
        super().setUp()
        self.registry = self.env.registry
        self.ids = {'orders': [], 'messages': [], 'constraint': None}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            self.ids['window'] = company.read(['order_notify_window_start', 'order_notify_window_end'])[0]
            company.write({'order_notify_window_start': 0, 'order_notify_window_end': 24})
            others = env['order.notify.provider'].search([('state', '!=', 'disabled')])
            self.ids['other_providers'] = [(p.id, p.state) for p in others]
            others.write({'state': 'disabled'})
            provider = env['order.notify.provider'].create({
                'name': 'concurrency sandbox', 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled',
            })
            partner = env['res.partner'].create({
                'name': 'Trần Thị Bình', 'mobile': '0912345678', 'country_id': env.ref('base.vn').id,
            })
            self.ids.update(provider=provider.id, partner=partner.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            if self.ids['constraint']:
                cr.execute(f"ALTER TABLE order_notify_message DROP CONSTRAINT IF EXISTS {self.ids['constraint']}")
            cr.execute("DELETE FROM order_notify_message WHERE provider_id = %s OR order_id = ANY(%s)",
                       [self.ids['provider'], self.ids['orders'] or [0]])
            cr.execute("DELETE FROM order_notify_provider WHERE id = %s", [self.ids['provider']])
            env = api.Environment(cr, SUPERUSER_ID, {})
            for provider_id, state in self.ids['other_providers']:
                env['order.notify.provider'].browse(provider_id).state = state
            env.company.write(self.ids['window'])
            # Orders, deliveries and stock moves stay: done moves are history Odoo keeps too.

    def _confirmed_order(self, env):
        product = env['product.product'].create({
            'name': 'Áo khoác', 'type': 'consu', 'is_storable': True, 'list_price': 300000.0,
        })
        warehouse = env['stock.warehouse'].search([('company_id', '=', env.company.id)], limit=1)
        env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 10)
        order = env['sale.order'].create({
            'partner_id': self.ids['partner'],
            'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 2})],
        })
        order.action_confirm()
        self.ids['orders'].append(order.id)
        return order

    def _read_state(self, model, record_id):
        with self.registry.cursor() as cr:
            cr.execute(f"SELECT state FROM {model} WHERE id = %s", [record_id])
            return cr.fetchone()[0]

    def test_dispatcher_never_blocks_a_validation(self):
        """The dispatcher renders and commits a message while a salesperson validates the
        delivery of the same order: the validation commits and the message leaves."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            order = self._confirmed_order(env)
            message = order.order_notify_message_ids
            self.assertEqual(message.state, 'queued')
            picking = order.picking_ids
            # An order queued before its token was created at enqueue time: the dispatcher must
            # still leave the order row alone.
            cr.execute("UPDATE sale_order SET access_token = NULL WHERE id = %s", [order.id])
            ids = {'order': order.id, 'message': message.id, 'picking': picking.id}

        with self.registry.cursor() as user_cr:
            user_env = api.Environment(user_cr, SUPERUSER_ID, {})
            picking = user_env['stock.picking'].browse(ids['picking'])
            self.assertEqual(picking.state, 'assigned')  # the salesperson's transaction has begun
            with self.registry.cursor() as worker_cr:
                worker_env = api.Environment(worker_cr, SUPERUSER_ID, {})
                worker_env['order.notify.message']._order_notify_process_queue(auto_commit=True)
            with self.registry.cursor() as cr:
                cr.execute("SELECT access_token FROM sale_order WHERE id = %s", [ids['order']])
                self.assertIsNone(cr.fetchone()[0], "the dispatcher never writes the order")
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking._action_done()
            user_cr.commit()  # before the fix: could not serialize access due to concurrent update

        self.assertEqual(self._read_state('stock_picking', ids['picking']), 'done')
        self.assertEqual(self._read_state('order_notify_message', ids['message']), 'delivered')

    def test_enqueue_never_swallows_a_serialization_failure(self):
        """A concurrent update of the order makes the business transaction fail: the enqueue
        guard lets the error through so Odoo retries the request, instead of committing a half
        sale or failing later with "current transaction is aborted"."""
        with self.registry.cursor() as cr:
            order_id = self._confirmed_order(api.Environment(cr, SUPERUSER_ID, {})).id
        with self.registry.cursor() as user_cr:
            user_env = api.Environment(user_cr, SUPERUSER_ID, {})
            order = user_env['sale.order'].browse(order_id)
            self.assertEqual(order.state, 'sale')  # the user's snapshot
            with self.registry.cursor() as other_cr:
                other_cr.execute("UPDATE sale_order SET client_order_ref = 'other' WHERE id = %s", [order_id])
            order.client_order_ref = 'mine'  # flushed by the enqueue's savepoint
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                user_env['order.notify.message']._order_notify_enqueue(order, 'cancelled')
            user_cr.rollback()

    def test_two_hooks_queue_one_message(self):
        """Two transactions queue the same message of one order (a payment webhook and the
        invoice's payment, say); the second one's snapshot cannot see the first one's message:
        the unique key stops its INSERT inside the enqueue's savepoint, and its sale goes on
        and commits. One message."""
        with self.registry.cursor() as cr:
            order_id = self._confirmed_order(api.Environment(cr, SUPERUSER_ID, {})).id
        with self.registry.cursor() as late_cr:
            late_env = api.Environment(late_cr, SUPERUSER_ID, {})
            late_order = late_env['sale.order'].browse(order_id)
            self.assertEqual(late_order.state, 'sale')  # its snapshot is taken
            with self.registry.cursor() as first_cr:
                first_env = api.Environment(first_cr, SUPERUSER_ID, {})
                first = first_env['order.notify.message']._order_notify_enqueue(
                    first_env['sale.order'].browse(order_id), 'paid',
                )
                self.assertEqual(first.state, 'queued')
            late_order.client_order_ref = 'PO-LATE'
            late = late_env['order.notify.message']._order_notify_enqueue(late_order, 'paid')
            self.assertFalse(late.filtered(lambda m: m.id != first.id), "no second message")
            late_cr.commit()  # the late transaction was not aborted
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM order_notify_message WHERE order_id = %s AND event = 'paid'", [order_id])
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute("SELECT client_order_ref FROM sale_order WHERE id = %s", [order_id])
            self.assertEqual(cr.fetchone()[0], 'PO-LATE')

    def test_database_error_on_one_message_never_stops_the_batch(self):
        """The commit of one message fails (here a constraint): it is rolled back and recorded,
        the rest of the batch is sent in fresh transactions."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env['sale.order'].create([{'partner_id': self.ids['partner']} for _i in range(3)])
            self.ids['orders'] += orders.ids
            messages = env['order.notify.message'].create([{
                'order_id': order.id, 'order_name': order.name, 'company_id': env.company.id,
                'event': 'placed', 'channel': 'sms', 'provider_id': self.ids['provider'], 'phone': '+84912345678',
                'content': f'batch {order.name}', 'idempotency_key': f'batch-test-{order.id}',
            } for order in orders])
            self.ids['messages'] = messages.ids
            bad = messages[1].id
            self.ids['constraint'] = 'order_notify_message_test_batch_error'
            cr.execute(f"""ALTER TABLE order_notify_message ADD CONSTRAINT {self.ids['constraint']}
                           CHECK (id <> {bad} OR state NOT IN ('sent', 'delivered'))""")
        with self.registry.cursor() as worker_cr:
            worker_env = api.Environment(worker_cr, SUPERUSER_ID, {})
            done = worker_env['order.notify.message']._order_notify_process_queue(auto_commit=True)
        self.assertGreaterEqual(done, 3)
        with self.registry.cursor() as cr:
            cr.execute("SELECT id, state, reason_code FROM order_notify_message WHERE id = ANY(%s) ORDER BY id",
                       [self.ids['messages']])
            rows = cr.fetchall()
        self.assertEqual([row[1] for row in rows], ['delivered', 'unknown', 'delivered'])
        # Its provider call had started: the provider may have it, a person checks.
        self.assertEqual(rows[1][2], 'internal_error')
