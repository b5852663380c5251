# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# Events an addon would declare by extending ``order.notify.registry._get_events``; the core's
# registry reads ``const.EVENTS``, which these tests extend for their duration.
EXTRA_EVENTS = {
    'test_changed': {'label': "Order changed", 'sequence': 25, 'scope': 'ref'},
    'test_reminder': {'label': "Reminder", 'sequence': 5, 'scope': 'bucket', 'bucket_hours': 24, 'kind': 'promotional',
                      'channels': ['sms'], 'default_on': False},
}


@tagged('post_install', '-at_install')
class TestOrderNotifyRegistry(OrderNotifyCommon):
    """Events and channels as extension points: an event's scope decides what makes its message
    unique, enqueue takes a reference and a debounce, a new company gets the registry's routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def setUp(self):
        super().setUp()
        patcher = patch.dict(const.EVENTS, EXTRA_EVENTS)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.Message = self.env['order.notify.message']
        self.env['order.notify.route']._order_notify_create_defaults(self.company)
        for event in EXTRA_EVENTS:
            self.env['order.notify.template'].create({
                'name': event, 'event': event, 'channel': 'sms', 'body': "{{ shop_name }}: {{ order_ref }}",
            })

    def _confirmed(self):
        order = self._create_order()
        order.action_confirm()
        return order

    def test_new_event_gets_routes_as_its_spec_says(self):
        routes = self.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', self.company.id), ('event', 'in', ('test_changed', 'test_reminder')),
        ])
        on = {(r.event, r.channel) for r in routes if r.active}
        channels = list(self.env['order.notify.registry']._get_channels())
        self.assertEqual(on, {('test_changed', channel) for channel in channels})
        self.assertEqual(routes.filtered(lambda r: r.event == 'test_reminder').mapped('active'), [False] * len(channels))
        # The selection follows the registry, in journey order.
        codes = [code for code, _label in self.env['order.notify.registry']._selection_events()]
        self.assertLess(codes.index('test_reminder'), codes.index('placed'))
        self.assertLess(codes.index('paid'), codes.index('test_changed'))

    def test_scope_ref_one_message_per_reference(self):
        order = self._confirmed()
        first = self.Message._order_notify_enqueue(order, 'test_changed', ref='c1')
        again = self.Message._order_notify_enqueue(order, 'test_changed', ref='c1')
        other = self.Message._order_notify_enqueue(order, 'test_changed', ref='c2')
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)
        self.assertEqual((first.ref, other.ref), ('c1', 'c2'))
        self.assertTrue(first.idempotency_key.endswith('-test_changed-sms-c1'))

    def test_debounce_makes_one_message_with_the_last_values(self):
        order = self._confirmed()
        with freeze_time('2026-03-10 03:00:00'):
            message = self.Message._order_notify_enqueue(order, 'test_changed', ref='rev', debounce_minutes=10)
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 10, 3, 10))
            self.assertEqual(message.reason_code, const.REASON_MERGE_HOLD)
        with freeze_time('2026-03-10 03:08:00'):
            again = self.Message._order_notify_enqueue(order, 'test_changed', ref='rev', debounce_minutes=10)
            self.assertEqual(again, message)
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 10, 3, 18))
            self._dispatch()
            self.assertEqual(message.state, 'queued', "not due before the quiet period ends")
        with freeze_time('2026-03-10 03:19:00'):
            self._dispatch()
            self.assertEqual(message.state, 'delivered')
            # Once it left, a later change is a new message (new reference from the hook).
            self.Message._order_notify_enqueue(order, 'test_changed', ref='rev', debounce_minutes=10)
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 10, 3, 18))

    def test_scope_bucket_one_message_per_window(self):
        self.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', self.company.id), ('event', '=', 'test_reminder'), ('channel', '=', 'sms'),
        ]).active = True
        order = self._create_order()
        moment = datetime(2026, 3, 10, 1, 0)
        with freeze_time(moment):
            first = self.Message._order_notify_enqueue(order, 'test_reminder')
        with freeze_time(moment + timedelta(hours=2)):
            same = self.Message._order_notify_enqueue(order, 'test_reminder')
        with freeze_time(moment + timedelta(hours=30)):
            later = self.Message._order_notify_enqueue(order, 'test_reminder')
        self.assertEqual(first, same)
        self.assertNotEqual(first, later)
        self.assertTrue(first.ref.startswith('b') and later.ref.startswith('b'))

    def test_parcel_scope_keeps_the_key_format(self):
        order = self._confirmed()
        picking = self._ship(order)
        shipped = self._messages(order, event='shipped')
        self.assertEqual(shipped.ref, f'p{picking.id}')
        self.assertTrue(shipped.idempotency_key.endswith(f'-shipped-sms-p{picking.id}'))

    def test_new_company_gets_every_registered_channel(self):
        company = self.env['res.company'].create({'name': 'Shop Hai'})
        routes = self.env['order.notify.route'].search([('company_id', '=', company.id), ('event', '=', 'placed')])
        # Every installed channel, at its place: Zalo, SMS (Messenger when installed), e-mail last.
        expected = [code for code, _label in self.env['order.notify.registry']._selection_channels()]
        self.assertEqual(routes.mapped('channel'), expected)
        self.assertEqual(expected[:2], ['zalo', 'sms'])
        self.assertEqual(expected[-1], 'email')

    def test_messages_waiting_before_a_channel_existed_move_to_it(self):
        """The demo's orders are confirmed while only the core (e-mail) is installed; when the
        SMS addon arrives with its provider, their untried messages go by SMS, as routes say."""
        self.sms.state = 'disabled'
        self.env.ref('order_status_notify.provider_mail').state = 'enabled'
        self.customer.email = 'an@example.com'
        order = self._confirmed()
        waiting = self._messages(order)
        self.assertEqual(waiting.channel, 'email')
        tried = self.Message._order_notify_enqueue(order, 'test_changed', ref='x')
        tried.attempt_count = 1
        self.sms.state = 'enabled'
        moved = self.Message._order_notify_reroute_waiting('sms')
        self.assertEqual(moved, waiting)
        self.assertEqual((waiting.channel, waiting.provider_id), ('sms', self.sms))
        self.assertIn('-placed-sms', waiting.idempotency_key)
        self.assertEqual(tried.channel, 'email', "a message already tried stays where it is")
        self._dispatch()
        self.assertEqual((waiting.state, waiting.phone), ('delivered', '+84912345678'))
