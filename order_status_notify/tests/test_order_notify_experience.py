# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import re
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyExperience(OrderNotifyCommon):
    """What the shop owner and the salesperson see and can do (issue 15): Send Now outside the
    sending hours, new hours re-planning waiting messages, costs at send time with a currency,
    skipped messages that say what to do, channels in fallback order, Send Test outside any
    order, the opt-out on the order, the A4 cost summary."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms', unit_cost=850.0, currency_id=cls.vnd.id)
        cls.salesman = new_test_user(cls.env, 'osn_exp_salesman', groups='sales_team.group_sale_salesman')
        cls.admin = new_test_user(cls.env, 'osn_exp_admin', groups='sales_team.group_sale_manager')

    def _confirmed_order(self, **values):
        order = self._create_order(**values)
        order.action_confirm()
        return order, self._messages(order)

    def _night(self):
        """23:00 in Ho Chi Minh City (16:00 UTC) with the shop open 7:00-21:00."""
        self.company.write({'order_notify_window_start': 7.0, 'order_notify_window_end': 21.0})
        return freeze_time('2026-03-10 16:00:00')

    # Item 1: sending hours

    def test_send_now_overrides_the_sending_hours_knowingly(self):
        with self._night():
            order, message = self._confirmed_order()
            self._dispatch()
            self.assertEqual((message.state, message.reason_code), ('queued', 'quiet_hours'))
            # The reason says when, in the shop's time, not in naive UTC.
            self.assertIn("07:00 11/03/2026 (Asia/Ho_Chi_Minh)", message.reason)
            with self.assertRaises(AccessError):
                message.with_user(self.salesman).action_send_now()
            message.with_user(self.admin).action_send_now()
            self.assertTrue(message.force_send)
            self.assertIn("osn_exp_admin", message.reason)
            self.assertIn("Sent now by", order.message_ids[0].body)
            self._dispatch()
            self.assertEqual(message.state, 'delivered', "still 23:00: only Send Now let it leave")
            with self.assertRaises(UserError):
                message.with_user(self.admin).action_send_now()  # nothing is waiting any more

    def test_new_sending_hours_replan_waiting_messages(self):
        with self._night():
            _order, message = self._confirmed_order()
            self._dispatch()
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 11, 0, 0))
            self.company.write({'order_notify_window_end': 24.0})
            self.assertEqual(message.next_attempt_at, fields.Datetime.now(), "open now: due at once")
            self._dispatch()
            self.assertEqual(message.state, 'delivered')

    def test_narrower_hours_move_waiting_messages_to_the_new_opening(self):
        with self._night():
            _order, message = self._confirmed_order()
            self._dispatch()
            self.company.write({'order_notify_window_start': 9.0})
            self.assertEqual(message.next_attempt_at, datetime(2026, 3, 11, 2, 0), "09:00 local = 02:00 UTC")

    # Item 2: costs

    def test_every_message_has_a_currency(self):
        self.env['order.notify.provider'].search([]).write({'state': 'disabled'})
        order, message = self._confirmed_order()
        self.assertEqual((message.state, message.reason_code), ('skipped', 'no_provider'))
        self.assertEqual(message.currency_id, self.vnd, "no provider, still a currency: the Billed total adds up")

    # Item 4: the order's Notifications tab

    def test_skipped_message_shows_the_number_tried_and_what_to_do(self):
        landline = self.env['res.partner'].create({'name': 'Phạm Thu Hà', 'phone': '028 3822 1234', 'country_id': self.vn.id})
        _order, message = self._confirmed_order(partner=landline)
        self._dispatch()
        self.assertEqual((message.state, message.reason_code), ('skipped', 'landline'))
        self.assertIn("028 3822 1234", message.reason)
        self.assertIn("Add a mobile number", message.reason_guidance)
        self.assertIn("Send Again", message.reason_guidance)

    def test_no_send_again_on_a_cancelled_order(self):
        landline = self.env['res.partner'].create({'name': 'Phạm Thu Hà', 'phone': '028 3822 1234', 'country_id': self.vn.id})
        order, message = self._confirmed_order(partner=landline)
        self._dispatch()
        order._action_cancel()
        with self.assertRaises(UserError):
            message.with_user(self.admin).action_resend()
        self.assertEqual(message.state, 'skipped')

    def test_dispatch_result_is_pushed_to_the_order_forms(self):
        order, message = self._confirmed_order()
        self.env.cr.precommit.run()  # what was queued before
        Bus = self.env['bus.bus'].sudo()
        last = Bus.search([], order='id desc', limit=1).id or 0
        self._dispatch()
        self.env.cr.precommit.run()
        pushed = Bus.search([('id', '>', last), ('message', 'like', 'order_status_notify/updated')])
        self.assertTrue(pushed)
        group = self.env.ref('order_status_notify.group_order_notify_user')
        self.assertEqual(json.loads(pushed[-1].message)['payload'], {'order_ids': [order.id]})
        self.assertEqual(json.loads(pushed[-1].channel)[1:], ['res.groups', group.id])

    # Item 6: events and channels

    def test_channels_in_fallback_order_reordered_by_sequence(self):
        routes = self.env['order.notify.route'].search([('company_id', '=', self.company.id), ('event', '=', 'placed')])
        # The chain of the core and the Zalo and SMS addons only (other channel addons, e.g. Messenger, out of it).
        routes.filtered(lambda r: r.channel not in ('zalo', 'sms', 'email')).active = False
        routes = routes.filtered('active')
        # The default chain: Zalo, SMS, then e-mail for buyers without a mobile.
        self.assertEqual([(r.channel, r.fallback_rank) for r in routes], [
            ('zalo', "1st channel"), ('sms', "2nd channel"), ('email', "3rd channel"),
        ])
        # Drag SMS above Zalo (the handle widget writes the sequences).
        routes.filtered(lambda r: r.channel == 'sms').sequence = 1
        routes = routes.search([('company_id', '=', self.company.id), ('event', '=', 'placed')])
        self.assertEqual([(r.channel, r.fallback_rank) for r in routes], [
            ('sms', "1st channel"), ('zalo', "2nd channel"), ('email', "3rd channel"),
        ])
        self.assertEqual(routes._order_notify_get_channels('placed', self.company), ['sms', 'zalo', 'email'])
        events = routes.search([('company_id', '=', self.company.id)]).mapped('event')
        # The events in the order a buyer lives them (the cart reminder is off until the shop chooses it).
        self.assertEqual(list(dict.fromkeys(events)), [
            'placed', 'paid', 'order_changed', 'shipped', 'out_for_delivery', 'delivery_failed', 'returning',
            'delivered', 'cancelled', 'return_received', 'refunded',
        ])

    # Item 7: providers

    def test_provider_name_stays_when_the_language_changes(self):
        self.sms.with_context(lang='vi_VN').name = "Hộp thử SMS"
        self.assertEqual(self.sms.with_context(lang='en_US').name, "Hộp thử SMS")

    def test_send_test_writes_nothing_into_the_sample_order(self):
        order, _message = self._confirmed_order()
        self._dispatch()
        chatter_before = order.message_ids
        wizard = self.env['order.notify.send.test'].with_user(self.admin).create({
            'provider_id': self.sms.id,
            'template_id': self.env.ref('order_status_notify_sms.template_sms_placed').id,
            'order_id': order.id,
            'phone': '098 765 4321',
        })
        action = wizard.action_send()
        test_message = self.env['order.notify.message'].search([('is_test', '=', True)])
        self.assertEqual((test_message.order_id, test_message.state, test_message.cost), (order.browse(), 'delivered', 850.0))
        self.assertIn(order.name, test_message.content, "rendered on the sample order's values")
        self.assertNotIn(test_message, order.order_notify_message_ids)
        self.assertEqual(order.message_ids, chatter_before)
        self.assertEqual(action['params']['type'], 'success')
        self.assertIn(order.name, action['params']['message'], "the preview")
        self.assertIn("850", action['params']['message'], "the cost")
        self.assertEqual(action['params']['next'], {'type': 'ir.actions.act_window_close'})

    # Item 9: the accountant's PDF

    def test_cost_summary_defaults_to_the_current_month(self):
        with freeze_time('2026-03-10 03:00:00'):
            summary = self.env['order.notify.cost.summary'].create({})
            self.assertEqual((summary.date_from, summary.date_to), (date(2026, 3, 1), date(2026, 3, 31)))

    def test_cost_summary_prints_on_a4(self):
        _order, message = self._confirmed_order()
        self._dispatch()
        summary = self.env['order.notify.cost.summary'].create({})
        report = self.env.ref('order_status_notify.action_report_order_notify_cost_summary')
        self.assertEqual(report.paperformat_id.format, 'A4')
        pdf, kind = self.env['ir.actions.report'].with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, summary.ids,
        )
        self.assertEqual(kind, 'pdf')
        self.assertTrue(pdf.startswith(b'%PDF'))
        boxes = re.findall(rb'/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]', pdf)
        self.assertTrue(boxes)
        for box in boxes:
            width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            self.assertAlmostEqual(width, 595, delta=3)
            self.assertAlmostEqual(height, 842, delta=3)

    # Item 10: the opt-out on the order

    def test_opt_out_from_the_order(self):
        order = self._create_order(user_id=self.salesman.id)
        order.with_user(self.salesman).order_notify_opt_out = True
        self.assertTrue(self.customer.order_notify_opt_out)
        order.action_confirm()
        message = self._messages(order)
        self._dispatch()
        self.assertEqual((message.state, message.reason_code), ('skipped', 'opted_out'))
