# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyEmail(OrderNotifyCommon, MockEmail):
    """The e-mail channel of the core, the proof that a channel plugs into the engine: the last
    link of the default chain, through Odoo's own mail queue (the SMTP server is Odoo's mail
    gateway mock, which records what would have left)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')
        cls.mail = cls.env.ref('order_status_notify.provider_mail')
        cls.mail.state = 'enabled'
        cls.company.email = 'shop@example.com'

    def _send_mail_queue(self):
        with self.mock_mail_gateway():
            self.env['mail.mail'].search([('order_notify_message_id', '!=', False), ('state', '=', 'outgoing')]).send()
            sent = list(self._mails)
        return sent

    def test_buyer_without_mobile_gets_an_email(self):
        buyer = self.env['res.partner'].create({
            'name': 'Trần Thị Bình', 'phone': '028 3822 9999', 'email': 'Binh <binh@example.com>', 'lang': 'vi_VN',
        })
        order = self._create_order(partner=buyer)
        order.action_confirm()
        self._dispatch()
        sms, email = self._messages(order)
        self.assertEqual((sms.channel, sms.state, sms.reason_code), ('sms', 'skipped', 'landline'))
        self.assertEqual((email.channel, email.fallback_from_id), ('email', sms))
        self._dispatch()
        self.assertEqual((email.state, email.recipient, email.cost), ('sent', 'binh@example.com', 0.0))
        mail = self.env['mail.mail'].search([('order_notify_message_id', '=', email.id)])
        self.assertEqual(mail.email_to, 'binh@example.com')
        self.assertIn(order.name, mail.subject)
        self.assertIn('Trần Thị Bình', mail.body_html)
        self.assertEqual((mail.model, mail.res_id), ('sale.order', order.id))
        sent = self._send_mail_queue()
        self.assertEqual(email.state, 'delivered', (mail.state, mail.failure_reason))
        self.assertEqual([m['email_to'] for m in sent], [['binh@example.com']])
        self.assertEqual(sent[0]['email_from'], '"YourCompany" <shop@example.com>'.replace('YourCompany', self.company.name))

    def test_refused_email_fails_with_the_mail_server_reason(self):
        buyer = self.env['res.partner'].create({'name': 'Lê Cường', 'email': 'cuong@example.com'})
        order = self._create_order(partner=buyer)
        order.action_confirm()
        self._dispatch()
        self._dispatch()
        email = self._messages(order, channel='email')
        mail = self.env['mail.mail'].search([('order_notify_message_id', '=', email.id)])
        mail._postprocess_sent_message(success_pids=[], failure_reason="550 mailbox unavailable",
                                       failure_type='mail_smtp')
        self.assertEqual((email.state, email.reason), ('failed', "550 mailbox unavailable"))

    def test_opted_out_or_blacklisted_buyer_gets_no_email(self):
        opted_out = self.env['res.partner'].create({'name': 'A', 'email': 'a@example.com', 'order_notify_opt_out': True})
        blacklisted = self.env['res.partner'].create({'name': 'B', 'email': 'b@example.com'})
        self.env['mail.blacklist'].create({'email': 'b@example.com'})
        for partner, reason in ((opted_out, 'opted_out'), (blacklisted, 'blacklisted')):
            order = self._create_order(partner=partner)
            order.action_confirm()
            self._dispatch()
            self._dispatch()
            messages = self._messages(order)
            self.assertEqual(messages.mapped('channel'), ['sms', 'email'] if reason == 'blacklisted' else ['sms'])
            self.assertEqual(messages[-1].state, 'skipped')
            self.assertEqual(messages[-1].reason_code, reason if reason == 'blacklisted' else 'opted_out')

    def test_buyer_with_a_mobile_is_not_emailed(self):
        self.customer.email = 'an@example.com'
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        self._dispatch()
        self.assertEqual(self._messages(order).mapped('channel'), ['sms'])

    def test_reasons_and_titles_read_in_the_readers_language(self):
        """A reason written by the cron (in English) reads in Vietnamese in a Vietnamese UI."""
        buyer = self.env['res.partner'].create({'name': 'Phạm Dung', 'phone': '028 3822 9999'})
        order = self._create_order(partner=buyer)
        order.action_confirm()
        self._dispatch()
        sms = self._messages(order, channel='sms')
        english = sms.with_context(lang='en_US')
        vietnamese = sms.with_context(lang='vi_VN')
        self.assertIn("landline", english.reason)
        self.assertIn("028 3822 9999", vietnamese.reason)
        self.assertNotEqual(vietnamese.reason, english.reason)
        self.assertIn("máy bàn", vietnamese.reason)
        self.assertIn("Order placed", english.display_name)
        self.assertIn("Đơn đã đặt", vietnamese.display_name)
        # Search works on the text as written.
        self.assertIn(sms, sms.search([('reason', 'ilike', 'landline')]))
