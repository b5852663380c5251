# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import SmsCommon
from odoo.addons.order_status_notify_sms.tools import prepare_sms_text


@tagged('post_install', '-at_install')
class TestSmsPreview(SmsCommon):
    """The template preview and the dry run show an SMS as the gateway sends and bills it."""

    def _shipped_order(self):
        order = self._create_order()
        order.action_confirm()
        self._ship(order)
        return order

    def test_template_preview_shows_text_segments_and_cost(self):
        provider = self._create_esms(unit_cost=800)
        order = self._shipped_order()
        template = self.env.ref('order_status_notify_sms.template_sms_shipped')
        template.preview_order_id = order
        sms = prepare_sms_text(template.preview_content, unicode=provider.sms_unicode)
        self.assertTrue(sms.segments >= 2, "the Vietnamese shipping text is more than one UCS-2 SMS")
        self.assertEqual(template.preview_phone, sms.text)
        self.assertEqual(template.preview_char_count, sms.length)
        self.assertEqual(template.preview_segment_count, sms.segments)
        self.assertEqual(template.preview_cost, 800 * sms.segments)
        self.assertEqual(template.preview_currency_id, self.vnd)
        # Without diacritics (the provider's setting) the same text is shorter and cheaper.
        provider.sms_unicode = False
        template.invalidate_recordset(['preview_phone', 'preview_segment_count', 'preview_cost'])
        self.assertNotIn('Đơn', template.preview_phone)
        self.assertLess(template.preview_segment_count, sms.segments)

    def test_dry_run_segments_and_cost_match_the_gateway(self):
        provider = self._create_esms(unit_cost=800)
        # Orders committed by other tests (real cursors, the reliability suite) are out of the window.
        self.env['sale.order'].search([]).write({'date_order': fields.Datetime.now() - timedelta(days=400)})
        orders = self._shipped_order() | self._shipped_order()
        dry_run = self.env['order.notify.dry.run'].create({})
        dry_run.action_run()
        self._dispatch()
        sent = self.env['order.notify.message'].search([('order_id', 'in', orders.ids), ('event', '=', 'shipped')])
        self.assertEqual(sent.mapped('state'), ['sent', 'sent'])
        self.assertEqual(sent.provider_id, provider)
        self.assertEqual(dry_run.message_count, 2)
        self.assertEqual(dry_run.segment_count, sum(sent.mapped('segment_count')))
        self.assertEqual(dry_run.cost, sum(sent.mapped('cost')))

    def test_delivery_rate_leaves_out_the_esms_sandbox(self):
        """eSMS's sandbox never reports delivery: its accepted messages are no "0 % delivered"."""
        provider = self._create_esms(state='test')
        self._shipped_order()
        self._dispatch()
        message = self.env['order.notify.message'].search([('provider_id', '=', provider.id)])
        self.assertEqual(message.state, 'sent')
        Report = self.env['order.notify.report']
        self.assertIsNone(Report.order_notify_get_dashboard()['tiles'][0]['figures']['delivery_rate'])
        provider.state = 'enabled'  # a live gateway reports delivery: the message counts, not delivered yet
        self.assertEqual(Report.order_notify_get_dashboard()['tiles'][0]['figures']['delivery_rate'], 0.0)
