# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from collections import Counter
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from odoo.addons.order_status_notify import const

from odoo.addons.order_status_notify_sms.tests.common import (
    DEFAULT_API_KEY, DEFAULT_SECRET_KEY, ESMS_SEND_PATH, FakeESMS, FakeServer,
)


@tagged('post_install', '-at_install')
class TestParallelSends(TransactionCase):
    """The dispatcher with several eSMS calls in flight, over real HTTP to the fake gateway, on
    really committed transactions (as a cron worker): never more than the provider's parallel
    sends at once, never faster than its rate limit, a 429 pauses it, each message sent once."""

    def setUp(self):
        super().setUp()
        self.registry = self.env.registry
        self.esms = FakeESMS()
        server = FakeServer(self.esms).start()
        self.addCleanup(server.stop)
        self.ids = {'orders': [], 'provider': None}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            self.ids['company'] = company.read(['order_notify_window_start', 'order_notify_window_end'])[0]
            company.write({'order_notify_window_start': 0, 'order_notify_window_end': 24})
            others = env['order.notify.provider'].search([('state', '!=', 'disabled')])
            self.ids['other_providers'] = [(p.id, p.state) for p in others]
            others.write({'state': 'disabled'})
            self.ids['provider'] = env['order.notify.provider'].create({
                'name': 'parallel eSMS', 'code': 'esms', 'channel': 'sms', 'state': 'enabled',
                'api_base_url': server.url + '/MainService.svc/json', 'esms_api_key': DEFAULT_API_KEY,
                'esms_secret_key': DEFAULT_SECRET_KEY, 'sms_brandname': 'SHOPDEMO', 'unit_cost': 800,
            }).id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM order_notify_message WHERE provider_id = %s OR order_id = ANY(%s)",
                       [self.ids['provider'], self.ids['orders'] or [0]])
            cr.execute("DELETE FROM order_notify_provider WHERE id = %s", [self.ids['provider']])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['sale.order'].browse(self.ids['orders']).exists().with_context(disable_cancel_warning=True).action_cancel()
            env['sale.order'].browse(self.ids['orders']).exists().unlink()
            for provider_id, state in self.ids['other_providers']:
                env['order.notify.provider'].browse(provider_id).state = state
            window = self.ids['company']
            env.company.write({'order_notify_window_start': window['order_notify_window_start'],
                               'order_notify_window_end': window['order_notify_window_end']})

    def _queue(self, count, **provider_values):
        """``count`` confirmed orders of buyers with their own mobile: one queued message each."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['order.notify.provider'].browse(self.ids['provider']).write(provider_values)
            vn = env.ref('base.vn')
            partners = env['res.partner'].create([
                {'name': f'Khách song song {i}', 'mobile': f'09123450{i:02d}', 'country_id': vn.id}
                for i in range(count)
            ])
            orders = env['sale.order'].create([{'partner_id': partner.id} for partner in partners])
            orders.action_confirm()
            self.ids['orders'] += orders.ids
            messages = env['order.notify.message'].search([('order_id', 'in', orders.ids)])
            self.assertEqual(len(messages), count)
            self.assertEqual(set(messages.mapped('state')), {'queued'})
            return messages.ids

    def _dispatch(self):
        with self.registry.cursor() as worker_cr:
            worker_env = api.Environment(worker_cr, SUPERUSER_ID, {})
            return worker_env['order.notify.message']._order_notify_process_queue(auto_commit=True)

    def _states(self, message_ids):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, count(*) FROM order_notify_message WHERE id = ANY(%s) GROUP BY state",
                       [message_ids])
            return dict(cr.fetchall())

    def _sends(self):
        return [r for r in self.esms.requests if r.path.rstrip('/') == ESMS_SEND_PATH.rstrip('/')]

    def _assert_each_sent_once(self, message_ids):
        self.assertEqual(self._states(message_ids), {'sent': len(message_ids)})
        request_ids = Counter(r.json['RequestId'] for r in self._sends())
        self.assertEqual(len(request_ids), len(message_ids))
        self.assertEqual(set(request_ids.values()), {1}, "a message was sent twice")

    def test_never_more_in_flight_than_the_provider_allows(self):
        message_ids = self._queue(9, send_concurrency=3)
        self.esms.latency = 0.3
        self.assertEqual(self._dispatch(), 9)
        # Three at once, never four: the calls really overlapped, within the provider's setting.
        self.assertEqual(self.esms.max_in_flight, 3)
        self._assert_each_sent_once(message_ids)

    def test_one_at_a_time(self):
        message_ids = self._queue(4, send_concurrency=1)
        self.esms.latency = 0.1
        self._dispatch()
        self.assertEqual(self.esms.max_in_flight, 1)
        self._assert_each_sent_once(message_ids)

    def test_rate_limit_is_kept(self):
        """A token bucket of 4 calls per second (a burst of 4): in any span of t seconds, at most
        4 + 4 t calls."""
        rate = 4.0
        message_ids = self._queue(10, send_concurrency=8, send_rate_limit=rate)
        self._dispatch()
        self._assert_each_sent_once(message_ids)
        starts = sorted(start for start, _end, _status in self.esms.timeline)
        self.assertEqual(len(starts), 10)
        for i, first in enumerate(starts):
            for j in range(i + 1, len(starts)):
                self.assertLessEqual(j - i + 1, rate + rate * (starts[j] - first) + 1e-6 + 0.05 * rate,
                                     f"calls {i}..{j} came faster than {rate}/s")
        self.assertGreaterEqual(starts[-1] - starts[0], (10 - rate) / rate * 0.95)

    def test_too_many_requests_pauses_the_sends(self):
        """eSMS answers one call with HTTP 429 and Retry-After: 2: no call starts during those 2
        seconds (only the ones already in flight finish), that message is queued again for
        then, the others are sent once."""
        message_ids = self._queue(6, send_concurrency=2)
        self.esms.latency = 0.1
        self.esms.fail_next(http_status=429, headers={'Retry-After': '2'})
        self._dispatch()
        limited = [(start, end) for start, end, status in self.esms.timeline if status == 429]
        self.assertEqual(len(limited), 1)
        answered = limited[0][1]
        later = sorted(start for start, _end, _status in self.esms.timeline if start > answered)
        self.assertTrue(later, "the other messages were sent after the pause")
        # The other place (2 in flight) may hold a call handed to a worker before the 429 was read,
        # which reaches the fake just after; every call started once it was read waits 2 s.
        early = [start for start in later if start - answered < 1.9]
        self.assertLessEqual(len(early), 1, "a call started while the provider asked to wait")
        self.assertGreaterEqual(later[-1] - answered, 1.9)
        states = self._states(message_ids)
        self.assertEqual(states, {'sent': 5, 'queued': 1})

    def test_next_waves_claimed_while_calls_are_in_flight(self):
        """One run claims the next messages of the queue wave by wave while calls are on their
        way: the places never wait for a batch to end before the next one is claimed."""
        message_ids = self._queue(12, send_concurrency=3)
        self.esms.latency = 0.2
        Message = self.registry['order.notify.message']
        claim_more = Message._order_notify_claim_more
        in_flight_at_claims = []

        def watched_claim_more(records, *args):
            in_flight_at_claims.append(self.esms.in_flight)
            return claim_more(records, *args)

        with patch.object(const, 'DISPATCH_WAVE_SIZE', 4), patch.object(const, 'DISPATCH_REFILL_SIZE', 2), \
                patch.object(Message, '_order_notify_claim_more', watched_claim_more):
            self.assertEqual(self._dispatch(), 12)  # one run, three claims of 4 at least
        self._assert_each_sent_once(message_ids)
        self.assertEqual(self.esms.max_in_flight, 3)
        # Claimed as the ready ones ran low: the first right after the first calls left (they may
        # not have reached the gateway yet), the next ones with calls on their way.
        self.assertGreaterEqual(len(in_flight_at_claims), 2)
        self.assertTrue(any(in_flight_at_claims[1:]), f"calls in flight at the claims: {in_flight_at_claims}")

    def test_run_stops_starting_calls_after_its_time(self):
        """After ``DISPATCH_RUN_SECONDS`` a run starts no call: the ones in flight end and are
        recorded, the others stay queued for the next run (a slow provider never keeps a cron
        worker past its time limit)."""
        message_ids = self._queue(5, send_concurrency=1)
        self.esms.latency = 0.3
        with patch.object(const, 'DISPATCH_RUN_SECONDS', 0.5):
            handled = self._dispatch()
        states = self._states(message_ids)
        self.assertEqual(set(states), {'sent', 'queued'}, "only sent or still queued: none left sending")
        self.assertEqual(states['sent'], handled)
        self.assertTrue(1 <= handled < 5, handled)
        self.assertEqual(len(self._sends()), handled)
        self.assertEqual(self._dispatch(), 5 - handled)  # the next run sends the others
        self._assert_each_sent_once(message_ids)
