# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import threading
from datetime import datetime, timedelta

from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyDispatch(OrderNotifyCommon):
    """The dispatcher's decisions: timing, retries, errors, fallback, crashes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def _confirmed_order(self):
        order = self._create_order()
        order.action_confirm()
        return order, self._messages(order)

    def _open_from_7_to_21(self):
        self.company.write({'order_notify_window_start': 7.0, 'order_notify_window_end': 21.0})

    def test_quiet_hours_defer_to_next_opening(self):
        self._open_from_7_to_21()
        # 23:00 in Ho Chi Minh City is 16:00 UTC.
        with freeze_time('2026-03-10 16:00:00'):
            order, message = self._confirmed_order()
            self._dispatch()
            self.assertEqual((message.state, message.reason_code, message.is_deferred), ('queued', 'quiet_hours', True))
            # Next opening: 07:00 on 11 March in Ho Chi Minh City = 00:00 UTC.
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 11, 0, 0))
        with freeze_time('2026-03-10 23:59:00'):
            self._dispatch()
            self.assertEqual(message.state, 'queued', "06:59 local: still closed")
        with freeze_time('2026-03-11 00:00:01'):
            self._dispatch()
            self.assertEqual(message.state, 'delivered')
            self.assertEqual(message.sent_date, datetime(2026, 3, 11, 0, 0, 1))

    def test_before_opening_waits_same_day(self):
        self._open_from_7_to_21()
        with freeze_time('2026-03-10 22:30:00'):  # 05:30 local on the 11th
            _order, message = self._confirmed_order()
            self._dispatch()
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 11, 0, 0))

    def test_transient_error_retried_with_backoff(self):
        self.sms.write({'sandbox_simulated_error': 'transient', 'sandbox_simulated_error_count': 2})
        with freeze_time('2026-03-10 03:00:00') as frozen:
            _order, message = self._confirmed_order()
            self._dispatch()
            self.assertEqual((message.state, message.attempt_count, message.reason_code), ('queued', 1, 'transient'))
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 10, 3, 1))  # +60 s
            self._dispatch()
            self.assertEqual(message.attempt_count, 1, "not due yet: untouched")
            frozen.tick(timedelta(seconds=61))
            self._dispatch()
            self.assertEqual((message.state, message.attempt_count), ('queued', 2))
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 10, 3, 3, 1))  # +120 s
            frozen.tick(timedelta(seconds=121))
            self._dispatch()
            self.assertEqual((message.state, message.attempt_count, message.reason_code), ('delivered', 3, False))

    def test_transient_error_gives_up_after_max_attempts(self):
        self.sms.write({'sandbox_simulated_error': 'transient', 'sandbox_simulated_error_count': 0})
        with freeze_time('2026-03-10 03:00:00') as frozen:
            _order, message = self._confirmed_order()
            for _attempt in range(10):
                self._dispatch()
                frozen.tick(timedelta(hours=7))
                frozen.move_to(fields.Datetime.to_string(message.next_attempt_at)) if message.state == 'queued' else None
            self.assertEqual((message.state, message.reason_code, message.attempt_count), ('failed', 'max_attempts', 6))

    def test_permanent_error_fails_with_reason_and_order_commits(self):
        self.sms.write({'sandbox_simulated_error': 'invalid'})
        order, message = self._confirmed_order()
        self._dispatch()
        self.assertEqual(order.state, 'sale')
        self.assertEqual((message.state, message.reason_code), ('failed', 'invalid'))
        self.assertIn("Rejected message", message.reason)
        self.assertFalse(message.fallback_ids)
        # A failed message can be sent again by a salesperson.
        message.action_resend()
        self._dispatch()
        self.assertEqual(message.state, 'delivered')

    def test_config_error_fails_once_and_pauses_provider(self):
        self.sms.write({'sandbox_simulated_error': 'config'})
        _order, first = self._confirmed_order()
        _order2, second = self._confirmed_order()
        self._dispatch()
        self.assertEqual((first.state, first.reason_code), ('failed', 'config'))
        self.assertTrue(self.sms.is_paused)
        self.assertEqual((second.state, second.reason_code), ('queued', 'provider_paused'))
        alerts = self.sms.activity_ids.filtered(lambda a: a.summary == '[order_notify] Provider paused')
        self.assertEqual(len(alerts), 1, "one alert, not one per message")
        self.sms.action_resume()
        self._dispatch()
        self.assertEqual(second.state, 'delivered')
        self.assertFalse(self.sms.activity_ids)

    def test_balance_error_pauses_and_loses_nothing(self):
        self.sms.write({'sandbox_simulated_error': 'balance'})
        _order, message = self._confirmed_order()
        self._dispatch()
        self.assertEqual((message.state, message.reason_code, message.attempt_count), ('queued', 'balance', 0))
        self.assertTrue(self.sms.is_paused)
        self.sms.action_resume()  # topped up
        self._dispatch()
        self.assertEqual(message.state, 'delivered')

    def test_unreachable_falls_back_to_next_channel_once(self):
        zalo = self._create_provider('sandbox', 'zalo', sandbox_simulated_error='unreachable')
        order, zalo_message = self._confirmed_order()
        self.assertEqual((zalo_message.channel, zalo_message.provider_id), ('zalo', zalo))
        self._dispatch()
        self.assertEqual((zalo_message.state, zalo_message.reason_code), ('skipped', 'unreachable'))
        sms_message = zalo_message.fallback_ids
        self.assertEqual((sms_message.channel, sms_message.state), ('sms', 'queued'))
        self.assertEqual(sms_message.phone, zalo_message.phone)
        self._dispatch()
        self.assertEqual(sms_message.state, 'delivered')
        # A late retry of the Zalo message never sends a second message for the event.
        zalo_message.action_resend()
        self._dispatch()
        self.assertEqual((zalo_message.state, zalo_message.reason_code), ('skipped', 'already_notified'))
        self.assertEqual(len(self._messages(order, state='delivered')), 1)

    def test_provider_switched_off_after_queueing(self):
        with freeze_time('2026-03-10 03:00:00'):
            _order, message = self._confirmed_order()
            self.sms.state = 'disabled'
            spare = self._create_provider('sandbox', 'sms', name='Spare SMS account')
            self._dispatch()
        self.assertEqual((message.state, message.provider_id), ('delivered', spare))

    def test_daily_cap_defers_promotional_messages(self):
        self.company.order_notify_daily_cap = 1
        self._open_from_7_to_21()
        # Order events are transactional: no cap. Treat 'placed' as a promotional event (as a
        # review request will be) to check the dispatcher applies the company's cap by phone.
        with freeze_time('2026-03-10 03:00:00'), patch.dict(const.EVENTS['placed'], kind='promotional'):
            _order, first = self._confirmed_order()
            _order2, second = self._confirmed_order()
            self._dispatch()
            self.assertEqual(first.state, 'delivered')
            self.assertEqual((second.state, second.reason_code), ('queued', 'daily_cap'))
            # 07:00 tomorrow in Ho Chi Minh City.
            self.assertEqual(second.next_attempt_at, datetime(2026, 3, 11, 0, 0))

    def test_enqueue_error_never_blocks_the_sale(self):
        self.env.cr.execute("ALTER TABLE order_notify_message ADD CONSTRAINT test_block CHECK (event <> 'placed')")
        order = self._create_order()
        order.action_confirm()
        self.assertEqual(order.state, 'sale')
        self.assertFalse(self._messages(order))
        self.assertTrue(order.picking_ids, "the rest of the confirmation went on")

    def test_stuck_sending_becomes_unknown(self):
        _order, message = self._confirmed_order()
        message._order_notify_mark_sending()  # the provider call started… and the worker died
        message.flush_recordset()
        self.env.cr.execute(
            "UPDATE order_notify_message SET send_started_at = now() at time zone 'UTC' - interval '1 hour',"
            " write_date = now() at time zone 'UTC' - interval '1 hour' WHERE id = %s",
            [message.id],
        )
        message.invalidate_recordset()
        self.env['order.notify.message']._cron_dispatch()
        self.assertEqual((message.state, message.reason_code), ('unknown', 'stuck_sending'))

    def test_stuck_sending_never_started_goes_back_to_queue(self):
        """A row marked sending by a dispatcher that never started its provider call (the old
        dispatcher marked whole batches) is sent, not left unknown."""
        _order, message = self._confirmed_order()
        message.state = 'sending'
        message.flush_recordset()
        self.env.cr.execute(
            "UPDATE order_notify_message SET write_date = now() at time zone 'UTC' - interval '1 hour' WHERE id = %s",
            [message.id],
        )
        message.invalidate_recordset()
        self.env['order.notify.message']._cron_dispatch()
        self.assertEqual(message.state, 'delivered')
        self.assertEqual(message.attempt_count, 1)

    def test_claim_skips_rows_locked_by_another_worker(self):
        _order, first = self._confirmed_order()
        _order2, second = self._confirmed_order()
        self.env.cr.execute("SELECT id FROM order_notify_message WHERE id = %s FOR UPDATE", [first.id])
        with self.env.registry.cursor() as other_cr:
            other_env = api.Environment(other_cr, SUPERUSER_ID, {})
            # The other worker cannot even see uncommitted rows: it claims nothing, and above all
            # never waits on or takes the rows this transaction holds.
            claimed = other_env['order.notify.message']._order_notify_claim(10)
            self.assertFalse(claimed & other_env['order.notify.message'].browse([first.id, second.id]))
        claimed_here = self.env['order.notify.message']._order_notify_claim(10)
        self.assertIn(first, claimed_here)
        # Claimed means locked, not marked: only a message whose provider call starts is 'sending'.
        self.assertEqual(set(claimed_here.mapped('state')), {'queued'})


@tagged('post_install', '-at_install')
class TestOrderNotifyDispatchRace(TransactionCase):
    """Two dispatcher runs on separate cursors over the same committed queue. The data is
    committed (and removed afterwards) since each worker has its own transaction, like two
    Odoo workers or servers."""

    def test_two_workers_send_each_message_once(self):
        registry = self.env.registry
        count = 12
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            window = env.company.read(['order_notify_window_start', 'order_notify_window_end'])[0]
            env.company.write({'order_notify_window_start': 0, 'order_notify_window_end': 24})
            provider = env['order.notify.provider'].create({
                'name': 'race sandbox', 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled',
            })
            partner = env['res.partner'].create({'name': 'Race', 'mobile': '0912345678', 'country_id': env.ref('base.vn').id})
            orders = env['sale.order'].create([{'partner_id': partner.id} for _i in range(count)])
            messages = env['order.notify.message'].create([{
                'order_id': order.id, 'order_name': order.name, 'company_id': env.company.id,
                'event': 'placed', 'channel': 'sms', 'provider_id': provider.id, 'phone': '+84912345678',
                'content': f'race {order.name}', 'idempotency_key': f'race-test-{order.id}',
            } for order in orders])
            ids = dict(provider=provider.id, partner=partner.id, orders=orders.ids, messages=messages.ids)
        try:
            barrier = threading.Barrier(2)
            errors = []

            def worker():
                try:
                    with registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        barrier.wait(timeout=10)
                        Message = env['order.notify.message']
                        for _round in range(100):  # bounded: a stuck queue fails the test, never hangs it
                            done = Message._order_notify_process_queue(limit=3, auto_commit=True)
                            if not done and not Message.search_count(
                                [('id', 'in', ids['messages']), ('state', '=', 'queued')]
                            ):
                                break
                            cr.commit()
                except Exception as error:  # noqa: BLE001
                    errors.append(error)

            threads = [threading.Thread(target=worker) for _i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            self.assertFalse(errors)
            with registry.cursor() as cr:
                cr.execute("SELECT state, attempt_count FROM order_notify_message WHERE id IN %s", [tuple(ids['messages'])])
                self.assertEqual(cr.fetchall(), [('delivered', 1)] * count)
                # What left the sandbox: one chatter line per order, never two.
                cr.execute("""SELECT res_id, count(*) FROM mail_message
                               WHERE model = 'sale.order' AND res_id IN %s AND body::text LIKE %s
                            GROUP BY res_id""", [tuple(ids['orders']), '%Sandbox%'])
                self.assertEqual(sorted(n for _id, n in cr.fetchall()), [1] * count)
        finally:
            with registry.cursor() as cr:
                cr.execute("DELETE FROM order_notify_message WHERE id IN %s", [tuple(ids['messages'])])
                cr.execute("DELETE FROM mail_message WHERE model = 'sale.order' AND res_id IN %s", [tuple(ids['orders'])])
                cr.execute("DELETE FROM sale_order WHERE id IN %s", [tuple(ids['orders'])])
                cr.execute("DELETE FROM order_notify_provider WHERE id = %s", [ids['provider']])
                cr.execute("DELETE FROM res_partner WHERE id = %s", [ids['partner']])
                env = api.Environment(cr, SUPERUSER_ID, {})
                env.company.write({key: window[key] for key in ('order_notify_window_start', 'order_notify_window_end')})
