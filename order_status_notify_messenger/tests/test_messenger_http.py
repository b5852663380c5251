# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_messenger.tests.common import BUYER_PSID, WEBHOOK, MessengerCommon


@tagged('post_install', '-at_install')
class TestMessengerHttp(MessengerCommon, HttpCase):
    """Meta's calls reach Odoo over HTTP: the fake does the subscription handshake and posts its
    signed events (referrals, messages, receipts) to the webhook route."""

    def _url(self):
        return self.base_url() + WEBHOOK

    def _contact(self, psid=BUYER_PSID):
        return self.env['order.notify.messenger.contact'].with_context(active_test=False).search([
            ('provider_id', '=', self.provider.id), ('psid', '=', psid),
        ])

    def test_subscription_handshake(self):
        token = self.provider.sudo().messenger_verify_token
        self.assertEqual(self._over_http(self.fb.verify_webhook, self._url(), token, challenge='1158201444'),
                         (200, '1158201444'))
        self.assertEqual(self._over_http(self.fb.verify_webhook, self._url(), 'not-our-token')[0], 403)
        response = self._over_http(self.url_open, WEBHOOK + '?hub.mode=subscribe&hub.verify_token=' + token)
        self.assertEqual(response.status_code, 400)
        response = self._over_http(
            self.url_open, WEBHOOK + f'?hub.mode=unsubscribe&hub.verify_token={token}&hub.challenge=1')
        self.assertEqual(response.status_code, 403)

    def test_link_by_referral_on_an_existing_thread_then_send(self):
        order = self._confirmed_order()
        message = self._messages(order, event='placed')
        self.fb.add_user(BUYER_PSID)
        status = self._over_http(self.fb.user_opens_link, BUYER_PSID, order._messenger_ref(), url=self._url())
        self.assertEqual(status, 200)
        contact = self._contact()
        self.assertRecordValues(contact, [{
            'partner_id': self.customer.id, 'order_id': order.id, 'link_source': 'referral', 'active': True,
        }])
        self.assertAlmostEqual(contact.last_interaction_at, fields.Datetime.now(), delta=timedelta(minutes=1))
        self.assertIn('Messenger', order.message_ids[0].body)
        # The buyer opened the link: the window is open, the order's message leaves on Messenger.
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'sent', 'recipient': BUYER_PSID}])
        # A redelivered event changes nothing.
        self.assertEqual(self._over_http(self.fb.user_opens_link, BUYER_PSID, order._messenger_ref(), url=self._url()),
                         200)
        self.assertEqual(len(self._contact()), 1)

    def test_link_by_get_started_postback_of_a_new_thread(self):
        order = self._confirmed_order()
        status = self._over_http(self.fb.user_starts, '7002', order._messenger_ref(), url=self._url())
        self.assertEqual(status, 200)
        self.assertRecordValues(self._contact('7002'), [{'partner_id': self.customer.id, 'link_source': 'referral'}])

    def test_forged_ref_links_nobody(self):
        order = self._confirmed_order()
        forged = f'o{order.id}x' + '0' * 24
        self.assertEqual(self._over_http(self.fb.user_opens_link, BUYER_PSID, forged, url=self._url()), 200)
        self.assertRecordValues(self._contact(), [{'partner_id': False}])

    def test_link_by_order_number_and_phone_digits(self):
        order = self._confirmed_order()
        self.assertEqual(self._over_http(self.fb.user_writes, BUYER_PSID, f'Cho mình hỏi đơn {order.name}',
                                         url=self._url()), 200)
        contact = self._contact()
        self.assertTrue(contact.last_interaction_at, "the window is tracked for any message")
        self.assertFalse(contact.partner_id, "an order number alone links nobody")
        # The buyer writes the order number and the last 4 digits of their phone (0912 345 678).
        self.assertEqual(self._over_http(self.fb.user_writes, BUYER_PSID, f'{order.name.lower()} sđt 5678',
                                         url=self._url()), 200)
        self.assertRecordValues(contact, [{'partner_id': self.customer.id, 'order_id': order.id,
                                           'link_source': 'order_number'}])
        # Wrong digits link nobody else.
        self._over_http(self.fb.user_writes, '7009', f'{order.name} 1111', url=self._url())
        self.assertFalse(self._contact('7009').partner_id)

    def test_signed_and_forged_events(self):
        order = self._confirmed_order()
        body = self.fb.user_opens_link(BUYER_PSID, order._messenger_ref())
        raw, headers = self.fb.signed(body)
        post = lambda data, hdrs: self._over_http(self.url_open, WEBHOOK, data=data, headers=hdrs)  # noqa: E731
        forged = dict(headers, **{'X-Hub-Signature-256': 'sha256=' + '0' * 64})
        self.assertEqual(post(raw, forged).status_code, 403)
        self.assertEqual(post(raw, {'Content-Type': 'application/json'}).status_code, 403)
        wrong_secret_raw, wrong_secret_headers = self.fb.signed(body, app_secret='not-the-app-secret')
        self.assertEqual(post(wrong_secret_raw, wrong_secret_headers).status_code, 403)
        tampered = raw.replace(BUYER_PSID.encode(), b'7666')
        self.assertEqual(post(tampered, headers).status_code, 403)
        other_page_raw, other_page_headers = self.fb.signed(dict(body, entry=[dict(body['entry'][0], id='999')]))
        self.assertEqual(post(other_page_raw, other_page_headers).status_code, 403)
        self.assertFalse(self._contact())
        bad_raw, bad_headers = self.fb.signed(b'{not json')
        self.assertEqual(post(bad_raw, bad_headers).status_code, 400)
        not_page_raw, not_page_headers = self.fb.signed({'object': 'instagram', 'entry': []})
        self.assertEqual(post(not_page_raw, not_page_headers).status_code, 400)
        response = post(raw, headers)
        self.assertEqual((response.status_code, response.text), (200, 'EVENT_RECEIVED'))
        self.assertEqual(self._contact().partner_id, self.customer)

    def test_delivery_and_read_receipts_mark_delivered(self):
        self._link()
        first = self._messages(self._confirmed_order(), event='placed')
        self._dispatch()
        self.assertEqual(first.state, 'sent')
        # Delivery event naming the message (mids, and the watermark).
        self.assertEqual(self._over_http(self.fb.deliver, first.provider_message_ref, url=self._url()), 200)
        self.assertEqual(first.state, 'delivered')
        delivered = first.delivered_date
        self.assertEqual(self._over_http(self.fb.deliver, first.provider_message_ref, url=self._url()), 200)
        self.assertEqual(first.delivered_date, delivered, "a repeated receipt changes nothing")
        # Read event with a watermark only: every message sent to the buyer before it was delivered.
        second = self._messages(self._confirmed_order(), event='placed')
        self._dispatch()
        self.assertEqual(second.state, 'sent')
        self.assertEqual(self._over_http(self.fb.read, second.provider_message_ref, url=self._url()), 200)
        self.assertEqual(second.state, 'delivered')
