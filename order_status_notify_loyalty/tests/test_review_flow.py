# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_loyalty.tests.common import ReviewCommon


@tagged('post_install', '-at_install')
class TestReviewFlow(ReviewCommon, HttpCase):
    """Delivered order → review request after the delay → rating page over real HTTP → rating
    stored on the order (Odoo's rating, chatter) → a low rating gives the salesperson a call."""

    def _review_token(self, order):
        rating = order._order_notify_get_rating()
        self.assertTrue(rating, "the review request carries a rating token")
        return rating.access_token

    def _post_review(self, token, rate, feedback=''):
        page = self.url_open(f'/order/review/{token}')
        self.assertEqual(page.status_code, 200)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(f'/order/review/{token}', data={'csrf_token': csrf, 'rate': rate, 'feedback': feedback})

    def test_review_request_waits_the_delay_then_rating_is_stored(self):
        self.company.order_notify_review_delay_days = 3
        order = self._create_order(user_id=self.salesperson.id)
        self._deliver(order)
        self._dispatch()
        thanks = self._messages(order, event='delivered')
        self.assertEqual(thanks.state, 'delivered')
        review = self._messages(order, event='review_request')
        self.assertEqual(review.state, 'queued', "the review request waits")
        self.assertAlmostEqual(
            (review.next_attempt_at - thanks.create_date).total_seconds() / 86400, 3, delta=0.01,
            msg="three days after the delivery",
        )
        self._dispatch()
        self.assertEqual(review.state, 'queued', "not before its day")
        self._ready_review_request(order)
        self._dispatch()
        self.assertEqual(review.state, 'delivered')
        token = self._review_token(order)
        self.assertIn(f"/order/review/{token}", review.content)
        self.assertIn("đánh giá đơn", review.content)

        # The buyer opens the link (no login) and rates 2 stars with a comment.
        page = self.url_open(f'/order/review/{token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn(order.name, page.text)
        self.assertIn("Gửi đánh giá", page.text, "the page speaks the buyer's Vietnamese")
        response = self._post_review(token, 2, "Giao chậm, áo bị nhăn")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cảm ơn bạn đã đánh giá", response.text)

        rating = order._order_notify_get_rating()
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 2)
        self.assertEqual(rating.feedback, "Giao chậm, áo bị nhăn")
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.res_model, 'sale.order')
        self.assertEqual(order.order_notify_rating, 2)
        self.assertTrue(order.message_ids.filtered(lambda m: m.rating_id == rating), "the rating is in the chatter")

        call = self.env.ref('mail.mail_activity_data_call')
        activity = order.activity_ids.filtered(lambda a: a.activity_type_id == call)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertIn("Giao chậm, áo bị nhăn", str(activity.note))

        # Changing the rating updates it, and the call stays one.
        self._post_review(token, 1, "Vẫn chưa ai gọi")
        self.assertEqual(order._order_notify_get_rating().rating, 1)
        self.assertEqual(len(order.activity_ids.filtered(lambda a: a.activity_type_id == call)), 1)
        self.assertIn("Vẫn chưa ai gọi", str(order.activity_ids.note))

    def test_five_stars_invites_to_the_public_page_and_no_call(self):
        self.company.order_notify_public_review_url = 'https://g.page/r/shop-ao-thun/review'
        order = self._create_order()
        self._deliver(order)
        token = order._order_notify_ensure_rating().access_token
        response = self._post_review(token, 5, "Tuyệt vời")
        self.assertIn('https://g.page/r/shop-ao-thun/review', response.text)
        self.assertFalse(order.activity_ids)
        response = self._post_review(token, 4)
        self.assertNotIn('https://g.page/r/shop-ao-thun/review', response.text, "only 5 stars are invited")

    def test_bad_answers_are_refused_clearly(self):
        order = self._create_order()
        self._deliver(order)
        token = order._order_notify_ensure_rating().access_token
        for rate in (0, 6, 'abc', ''):
            response = self._post_review(token, rate)
            self.assertEqual(response.status_code, 400, rate)
            self.assertIn("từ 1 đến 5 sao", response.text)
        response = self._post_review(token, 3, "x" * 2001)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(order._order_notify_get_rating().consumed, "nothing stored")
        self.assertEqual(self.url_open('/order/review/not-a-token').status_code, 404)
        # A rating token of another document is not a review link.
        other = self.env['rating.rating'].sudo().create({
            'res_model_id': self.env['ir.model']._get_id('res.partner'), 'res_id': self.customer.id,
        })
        self.assertEqual(self.url_open(f'/order/review/{other.access_token}').status_code, 404)

    def test_rated_order_gets_no_review_request(self):
        order = self._create_order()
        self._deliver(order)
        self._dispatch()
        order._order_notify_apply_review(order._order_notify_get_rating(), 4, "Ổn")
        self._ready_review_request(order)
        self._dispatch()
        review = self._messages(order, event='review_request')
        self.assertEqual(review.state, 'skipped')
        self.assertEqual(review.reason_code, 'already_rated')

    def test_settings_switch_the_review_request(self):
        Route = self.env['order.notify.route'].with_context(active_test=False)
        routes = Route.search([('company_id', '=', self.company.id), ('event', '=', 'review_request')])
        self.assertEqual(set(routes.mapped('channel')), set(self.env['order.notify.registry']._get_channels()))
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.order_notify_review_request)
        settings.order_notify_review_request = False
        settings.set_values()
        self.assertFalse(routes.filtered('active'))
        order = self._create_order()
        self._deliver(order)
        self.assertFalse(self._messages(order, event='review_request'), "off: no review request")
        self.assertFalse(self.env['res.config.settings'].create({}).order_notify_review_request)
        settings = self.env['res.config.settings'].create({'order_notify_review_request': True})
        settings.set_values()
        self.assertTrue(all(routes.mapped('active')))

    def test_review_request_once_per_order(self):
        order = self._create_order()
        self._deliver(order)
        order._order_notify_check_delivered()  # a second carrier report of the same delivery
        self.assertEqual(len(self._messages(order, event='review_request')), 1)
        self.assertEqual(len(order.sudo().rating_ids), 1)
