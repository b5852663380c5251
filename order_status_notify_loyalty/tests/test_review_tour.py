# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_loyalty.tests.common import ReviewCommon


@tagged('post_install', '-at_install')
class TestReviewTour(ReviewCommon, HttpCase):
    """The buyer's review page in a real browser (headless Chromium), not signed in."""

    def test_review_page_tour(self):
        order = self._create_order()
        self._deliver(order)
        rating = order._order_notify_ensure_rating()
        self.start_tour(f"/order/review/{rating.access_token}", 'order_status_notify_review_tour')
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 2)
        self.assertEqual(rating.feedback, "Hàng giao chậm")
        self.assertTrue(order.activity_ids, "a low rating gives the salesperson a call to make")
