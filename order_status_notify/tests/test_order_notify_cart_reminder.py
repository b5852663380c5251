# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

# 10:00 and 23:00 in Hồ Chí Minh City (UTC+7).
MORNING = datetime(2026, 3, 10, 3, 0, 0)
LATE_EVENING = datetime(2026, 3, 10, 16, 0, 0)
SIGNATURE = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='


@tagged('post_install', '-at_install')
class TestOrderNotifyCartReminder(OrderNotifyCommon, HttpCase):
    """Quotations sent to the buyer and left unpaid get one reminder with a link back to pay: an
    advertising message (opt-out, 07:00-22:00, daily cap), never to a buyer who ordered since."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')
        cls.company.order_notify_plan = 'full'  # the cart reminder is off until the shop chooses it
        cls.company.order_notify_cart_delay_hours = 1.0

    def _sent_quotation(self, now, hours_ago=2, partner=None):
        order = self._create_order(partner=partner)
        order.action_quotation_sent()
        order.write({'date_order': now - timedelta(hours=hours_ago), 'validity_date': False})
        return order

    def _remind(self):
        self.env['sale.order']._cron_order_notify_cart_reminders()

    def test_one_reminder_with_a_link_back_to_pay(self):
        with freeze_time(MORNING):
            quotation = self._sent_quotation(MORNING, hours_ago=2)
            recent = self._sent_quotation(MORNING, hours_ago=0.5)
            draft = self._create_order()
            draft.date_order = MORNING - timedelta(hours=5)
            self._remind()
            self.assertFalse(self._messages(recent) | self._messages(draft), "too recent, or never sent to the buyer")
            reminder = self._messages(quotation, event='cart_abandoned')
            self.assertEqual(len(reminder), 1)
            self.assertTrue(quotation.order_notify_cart_reminded)
            self._dispatch()
            self._remind()
        self.assertEqual(len(self._messages(quotation)), 1, "one reminder per cart")
        self.assertEqual(reminder.state, 'delivered')
        link = quotation.get_base_url() + quotation.get_portal_url()
        self.assertTrue(reminder.content.startswith(f"[QC] {self.company.name}: Nguyễn Văn An ơi"), reminder.content)
        self.assertIn(f"Thanh toán tại: {link}", reminder.content)
        self.assertIn("Từ chối nhận tin QC", reminder.content)
        # The link opens the quotation for the buyer, without signing in.
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn(quotation.name, response.text)

    def test_buyer_who_signed_since_is_not_reminded(self):
        """The buyer accepts the quotation on the portal after the reminder was queued: it never
        leaves; nor does the reminder of their other quotation (they ordered since)."""
        with freeze_time(LATE_EVENING):
            # Queued at 23:00: the reminders wait for the legal hours of advertising.
            quotation = self._sent_quotation(LATE_EVENING, hours_ago=3)
            other = self._sent_quotation(LATE_EVENING, hours_ago=2)
            self._remind()
        reminders = self._messages(quotation) | self._messages(other)
        self.assertEqual(len(reminders), 2)
        self.assertEqual(set(reminders.mapped('state')), {'queued'})
        response = self.url_open(
            f'/my/orders/{quotation.id}/accept?access_token={quotation.access_token}',
            data=json.dumps({'params': {'name': "Nguyễn Văn An", 'signature': SIGNATURE}}),
            headers={'Content-Type': 'application/json'},
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('error', response.json().get('result', {}), response.text)
        self.assertEqual(quotation.state, 'sale')
        with freeze_time(datetime(2026, 3, 11, 1, 0, 0)):
            self._dispatch()
        mine, theirs = self._messages(quotation, event='cart_abandoned'), self._messages(other, event='cart_abandoned')
        self.assertEqual((mine.state, mine.reason_code), ('cancelled', 'cart_ordered'))
        self.assertEqual((theirs.state, theirs.reason_code), ('cancelled', 'cart_ordered'))
        self.assertIn(quotation.name, theirs.reason)
        self.assertTrue(self._messages(quotation, event='placed'), "the order itself is told as usual")

    def test_legal_hours_opt_out_and_daily_cap(self):
        self.company.order_notify_daily_cap = 1
        with freeze_time(LATE_EVENING):
            # 23:00: the shop sends at any hour, advertising waits for 07:00.
            first = self._sent_quotation(LATE_EVENING)
            second = self._sent_quotation(LATE_EVENING, hours_ago=3)
            self._remind()
            self._dispatch()
            reminders = self._messages(first) | self._messages(second)
            self.assertEqual(set(reminders.mapped('state')), {'queued'})
            self.assertEqual(set(reminders.mapped('reason_code')), {'promotional_hours'})
            self.assertEqual(set(reminders.mapped('next_attempt_at')), {datetime(2026, 3, 11, 0, 0, 0)})
        with freeze_time(datetime(2026, 3, 11, 0, 5, 0)):
            self._dispatch()
        # One advertising message a day for this shop: the second waits for tomorrow's window.
        states = sorted(reminders.mapped(lambda m: (m.state, m.reason_code or '')))
        self.assertEqual(states, [('delivered', ''), ('queued', 'daily_cap')])
        self.assertEqual(reminders.filtered(lambda m: m.state == 'queued').next_attempt_at,
                         datetime(2026, 3, 12, 0, 0, 0))

        # A buyer who refused advertising is not reminded, nor once the reminder was queued.
        refusing = self.env['res.partner'].create({
            'name': 'Lê Văn Cường', 'mobile': '0903 222 333', 'country_id': self.vn.id,
            'order_notify_promo_opt_out': True,
        })
        changing = self.env['res.partner'].create({'name': 'Phạm Thu', 'mobile': '0904 444 555', 'country_id': self.vn.id})
        with freeze_time(datetime(2026, 3, 11, 3, 0, 0)):
            refused = self._sent_quotation(datetime(2026, 3, 11, 3, 0, 0), partner=refusing)
            changed_mind = self._sent_quotation(datetime(2026, 3, 11, 3, 0, 0), partner=changing)
            self._remind()
            self.assertFalse(self._messages(refused))
            self.assertTrue(refused.order_notify_cart_reminded, "looked at once, not at every run")
            changing.order_notify_promo_opt_out = True
            self._dispatch()
        reminder = self._messages(changed_mind)
        self.assertEqual((reminder.state, reminder.reason_code), ('skipped', 'promo_opted_out'))

    def test_no_reminder_without_a_mobile_or_when_the_event_is_off(self):
        no_mobile = self.env['res.partner'].create({'name': 'Khách', 'email': 'khach@example.com'})
        with freeze_time(MORNING):
            quotation = self._sent_quotation(MORNING, partner=no_mobile)
            self._remind()
            self.assertFalse(self._messages(quotation))
            self.env['order.notify.route'].search([
                ('company_id', '=', self.company.id), ('event', '=', 'cart_abandoned'),
            ]).active = False
            other = self._sent_quotation(MORNING)
            self._remind()
            self.assertFalse(self._messages(other))
            self.assertFalse(other.order_notify_cart_reminded, "reminded once the shop switches the event on")


@tagged('post_install', '-at_install')
class TestOrderNotifyCartReminderConcurrency(TransactionCase):
    """The cart reminder cron and a buyer changing their cart, on separate, really committed
    transactions: the cron never waits for the buyer and never loses the cart."""

    def setUp(self):
        super().setUp()
        self.registry = self.env.registry
        self.ids = {'orders': [], 'routes': []}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            routes = env['order.notify.route'].with_context(active_test=False).search([
                ('company_id', '=', env.company.id), ('event', '=', 'cart_abandoned'), ('active', '=', False),
            ])
            routes.with_context(order_notify_applying_plan=True).active = True
            self.ids['routes'] = routes.ids
            partner = env['res.partner'].create({
                'name': 'Vũ Minh Châu', 'mobile': '0913 555 777', 'country_id': env.ref('base.vn').id,
            })
            product = env['product.product'].create({'name': 'Mũ bảo hiểm', 'type': 'consu', 'list_price': 350000.0})
            for _i in range(2):
                order = env['sale.order'].create({
                    'partner_id': partner.id,
                    'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 1})],
                })
                order.action_quotation_sent()
                order.write({'date_order': datetime.now() - timedelta(hours=2), 'validity_date': False})
                self.ids['orders'].append(order.id)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM order_notify_message WHERE order_id = ANY(%s)", [self.ids['orders']])
            cr.execute("UPDATE sale_order SET state = 'cancel', order_notify_cart_reminded = TRUE WHERE id = ANY(%s)",
                       [self.ids['orders']])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['order.notify.route'].browse(self.ids['routes']).with_context(
                order_notify_applying_plan=True).active = False

    def _reminded(self):
        with self.registry.cursor() as cr:
            cr.execute("""SELECT o.id, coalesce(o.order_notify_cart_reminded, FALSE), count(m.id)
                            FROM sale_order o LEFT JOIN order_notify_message m
                                 ON m.order_id = o.id AND m.event = 'cart_abandoned'
                           WHERE o.id = ANY(%s) GROUP BY o.id ORDER BY o.id""", [self.ids['orders']])
            return {row[0]: (row[1], row[2]) for row in cr.fetchall()}

    def test_cart_being_changed_is_left_for_the_next_run(self):
        busy, free = self.ids['orders']
        with self.registry.cursor() as buyer_cr:
            # The buyer's transaction is changing the cart (website_sale writes the order).
            buyer_cr.execute("SELECT id FROM sale_order WHERE id = %s FOR UPDATE", [busy])
            with self.registry.cursor() as cron_cr:
                env = api.Environment(cron_cr, SUPERUSER_ID, {})
                env['sale.order']._order_notify_remind_carts(auto_commit=True)
            self.assertEqual(self._reminded(), {busy: (False, 0), free: (True, 1)},
                             "the cron did not wait for the buyer, and committed the other cart")
            buyer_cr.rollback()
        with self.registry.cursor() as cron_cr:
            env = api.Environment(cron_cr, SUPERUSER_ID, {})
            env['sale.order']._order_notify_remind_carts(auto_commit=True)
        self.assertEqual(self._reminded(), {busy: (True, 1), free: (True, 1)}, "one reminder per cart, none lost")
