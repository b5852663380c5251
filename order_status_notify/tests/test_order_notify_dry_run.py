# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from collections import Counter, defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyDryRun(OrderNotifyCommon):
    """The preview's figures against what a real send through the sandbox gives for the same
    orders: counts per event and channel, skipped buyers per reason, costs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.currency_id = cls.vnd
        # Orders committed by other tests (real-cursor concurrency tests, the reliability suite)
        # are not this shop's history: out of the preview's window.
        cls.env['sale.order'].search([]).write({'date_order': fields.Datetime.now() - timedelta(days=400)})
        cls.zalo = cls._create_provider('sandbox', 'zalo', name="Zalo", unit_cost=300.0, currency_id=cls.vnd.id)
        cls.sms = cls._create_provider('sandbox', 'sms', name="SMS", unit_cost=850.0, currency_id=cls.vnd.id)
        Partner = cls.env['res.partner']
        cls.no_phone = Partner.create({'name': 'Trần Không Số', 'country_id': cls.vn.id})
        cls.landline = Partner.create({'name': 'Lê Bàn', 'phone': '028 3822 9999', 'country_id': cls.vn.id})
        cls.opted_out = Partner.create({
            'name': 'Phạm Từ Chối', 'mobile': '0987 654 321', 'country_id': cls.vn.id, 'order_notify_opt_out': True,
        })

    def _build_orders(self):
        shipped = self._create_order()
        shipped.action_confirm()
        self._ship(shipped)
        delivered = self._create_order()
        delivered.action_confirm()
        self._ship(delivered)._order_notify_mark_delivered()
        cancelled = self._create_order()
        cancelled.action_confirm()
        self._dispatch()  # the buyer was told, then the order is cancelled: a cancellation message
        cancelled._action_cancel()
        quotation = self._create_order()  # never confirmed: nothing to tell
        quotation._action_cancel()
        for partner in (self.no_phone, self.landline, self.opted_out):
            self._create_order(partner=partner).action_confirm()
        return shipped | delivered | cancelled | quotation

    def _actual(self):
        """What the sandbox did with the messages of the orders: sent and skipped."""
        messages = self.env['order.notify.message'].search([
            ('is_test', '=', False), ('order_id.date_order', '>=', fields.Datetime.now() - timedelta(days=30)),
        ])
        sent = defaultdict(lambda: {'count': 0, 'cost': 0.0})
        for message in messages.filtered(lambda m: m.state in ('sent', 'delivered')):
            sent[(message.event, message.channel)]['count'] += 1
            sent[(message.event, message.channel)]['cost'] += message.cost
        skipped = Counter(messages.filtered(lambda m: m.state == 'skipped').mapped('reason'))
        return dict(sent), dict(skipped)

    def test_preview_matches_a_real_send(self):
        self._build_orders()
        Message = self.env['order.notify.message']
        before = Message.search_count([])
        dry_run = self.env['order.notify.dry.run'].create({})
        self.assertEqual(dry_run.days, 30)
        dry_run.action_run()
        self.assertEqual(Message.search_count([]), before, "the preview must not write messages")
        self.assertEqual(dry_run.order_count, 7)

        # Now the real thing: the same orders through the sandbox.
        self._dispatch()
        sent, skipped = self._actual()
        self.assertEqual(sent, {
            ('placed', 'zalo'): {'count': 3, 'cost': 900.0},
            ('shipped', 'zalo'): {'count': 2, 'cost': 600.0},
            ('delivered', 'zalo'): {'count': 1, 'cost': 300.0},
            ('cancelled', 'zalo'): {'count': 1, 'cost': 300.0},
        })
        preview = {
            (line.event, line.channel): {'count': line.count, 'cost': line.cost}
            for line in dry_run.line_ids.filtered(lambda l: l.kind == 'message')
        }
        self.assertEqual(preview, sent)
        self.assertEqual(
            {line.reason: line.count for line in dry_run.line_ids.filtered(lambda l: l.kind == 'skipped')}, skipped,
        )
        self.assertEqual(sorted(skipped.values()), [1, 1, 1])  # no phone, landline, opted out
        self.assertEqual(dry_run.message_count, 7)
        self.assertEqual(dry_run.skipped_count, 3)
        self.assertEqual(dry_run.cost, 2100.0)
        self.assertEqual(dry_run.cost_per_month, 2100.0)
        self.assertIn('Nguyễn Văn An', dry_run.sample_html)

    def test_preview_follows_channels_and_sms_segments(self):
        """SMS only (Zalo switched off): every message by SMS, each one segment of 850 ₫, as sent."""
        self.zalo.state = 'disabled'
        self._build_orders()
        dry_run = self.env['order.notify.dry.run'].create({'days': 7})
        dry_run.action_run()
        self._dispatch()
        sent, _skipped = self._actual()
        self.assertEqual(set(sent), {('placed', 'sms'), ('shipped', 'sms'), ('delivered', 'sms'), ('cancelled', 'sms')})
        self.assertEqual(dry_run.segment_count, 7)
        self.assertEqual(dry_run.cost, sum(line['cost'] for line in sent.values()))
        self.assertEqual(dry_run.cost_per_month, dry_run.cost * 30 / 7)

    def test_preview_follows_the_recipient_kind_of_each_channel(self):
        """E-mail last in the chain: a landline buyer with an e-mail address is told by e-mail, a
        buyer with neither is skipped on both channels, an opted-out one only once; as sent."""
        self._create_provider('mail', 'email', name="E-mail")
        self.landline.email = 'le.ban@example.com'
        self._build_orders()
        dry_run = self.env['order.notify.dry.run'].create({})
        dry_run.action_run()
        self._dispatch()
        self._dispatch()  # the e-mails queued as the fallback of the skipped Zalo messages
        sent, skipped = self._actual()
        self.assertEqual(sent[('placed', 'email')]['count'], 1)
        preview = {
            (line.event, line.channel): {'count': line.count, 'cost': line.cost}
            for line in dry_run.line_ids.filtered(lambda l: l.kind == 'message')
        }
        self.assertEqual(preview, sent)
        self.assertEqual(
            {line.reason: line.count for line in dry_run.line_ids.filtered(lambda l: l.kind == 'skipped')}, skipped,
        )
        self.assertEqual(dry_run.skipped_count, 4)  # no phone (then no e-mail), landline, opted out
