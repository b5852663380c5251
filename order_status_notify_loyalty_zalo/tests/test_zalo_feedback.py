# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import time

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon

from fake_providers.zalo_zns import sign_zns_event  # noqa: E402 - put on sys.path by ZaloCommon's module

WEBHOOK = '/order_status_notify_zalo/webhook'


@tagged('post_install', '-at_install')
class TestZaloFeedback(ZaloCommon, HttpCase):
    """A buyer answers the review request's ZNS rating template inside Zalo: Zalo posts a signed
    ``user_feedback`` event to the OA webhook and the answer becomes the order's rating."""

    def setUp(self):
        super().setUp()
        self.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', self.company.id), ('event', '=', 'review_request'),
        ]).active = True
        self.env['ir.module.module'].search([('name', '=', 'order_status_notify_loyalty')])._update_translations('vi_VN')

    def _review_request_sent_by_zalo(self):
        """A delivered order whose review request Zalo accepted as message ``zmsg-review-1``
        (the rating template's send itself is the Zalo addon's, tested there)."""
        order = self._confirmed_order()
        picking = self._ship(order)
        picking._order_notify_mark_delivered()
        review = self._messages(order, event='review_request')
        self.assertEqual(review.channel, 'zalo')
        review.sudo().write({'state': 'sent', 'provider_message_ref': 'zmsg-review-1'})
        return order, review

    def _feedback(self, message=None, **body):
        event = {
            'app_id': self.provider.zalo_app_id,
            'event_name': 'user_feedback',
            'sender': {'id': self.provider.zalo_oa_id},
            'recipient': {'id': '84912345678'},
            'message': message or {},
            'timestamp': str(int(time.time() * 1000)),
            **body,
        }
        raw, headers = sign_zns_event(
            event, app_id=self.provider.zalo_app_id, oa_secret_key=self.provider.zalo_oa_secret_key,
        )
        return self._over_http(self.url_open, WEBHOOK, data=raw, headers=headers)

    def test_rating_answered_in_zalo_is_the_orders_rating(self):
        order, review = self._review_request_sent_by_zalo()
        response = self._feedback({'msg_id': 'zmsg-review-1', 'rate': 2, 'note': "Giao chậm",
                                   'feedbacks': ["Đóng gói chưa tốt"]})
        self.assertEqual((response.status_code, response.text), (200, 'ok'))
        rating = order._order_notify_get_rating()
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 2)
        self.assertEqual(rating.feedback, "Đóng gói chưa tốt. Giao chậm")
        self.assertTrue(order.message_ids.filtered(lambda m: m.rating_id == rating))
        call = self.env.ref('mail.mail_activity_data_call')
        self.assertEqual(len(order.activity_ids.filtered(lambda a: a.activity_type_id == call)), 1)
        # Zalo retries: the same answer changes nothing.
        again = self._feedback({'msg_id': 'zmsg-review-1', 'rate': 2, 'note': "Giao chậm",
                                'feedbacks': ["Đóng gói chưa tốt"]})
        self.assertEqual((again.status_code, again.text), (200, 'duplicate'))
        self.assertEqual(len(order.activity_ids), 1)

    def test_rate_at_the_top_and_tracking_id_are_understood(self):
        order, review = self._review_request_sent_by_zalo()
        response = self._feedback({'msg_id': 'unknown-id', 'tracking_id': review.idempotency_key}, rate=5)
        self.assertEqual((response.status_code, response.text), (200, 'ok'))
        self.assertEqual(order._order_notify_get_rating().rating, 5)
        self.assertFalse(order.activity_ids)

    def test_bad_or_foreign_feedback(self):
        order, _review = self._review_request_sent_by_zalo()
        self.assertEqual(self._feedback({'msg_id': 'zmsg-review-1', 'rate': 9}).status_code, 400)
        self.assertEqual(self._feedback({'msg_id': 'zmsg-review-1'}).status_code, 400)
        self.assertEqual(self._feedback({'rate': 4}).status_code, 400)
        self.assertEqual(self._feedback({'msg_id': 'someone-else', 'rate': 4}).text, 'ignored')
        self.assertFalse(order._order_notify_get_rating().consumed)
        # Unsigned: refused before anything is read.
        raw = b'{"event_name":"user_feedback","message":{"msg_id":"zmsg-review-1","rate":1}}'
        unsigned = self._over_http(self.url_open, WEBHOOK, data=raw, headers={'Content-Type': 'application/json'})
        self.assertEqual(unsigned.status_code, 403)
        self.assertFalse(order._order_notify_get_rating().consumed)
