# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import api, models
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify.utils import is_transaction_error

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

REASON_ALREADY_RATED = 'already_rated'


class OrderNotifyMessage(models.Model):
    """The review request and the thank-you voucher follow the order's delivery."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: ENQUEUE === #

    @api.model
    def _order_notify_enqueue(self, order, event, picking=None, delay_minutes=0, ref=None, debounce_minutes=0):
        """When the order is delivered (its ``delivered`` thank-you is queued), the buyer's
        voucher is issued, so that the thank-you names it, and the review request is queued
        ``order_notify_review_delay_days`` days later: scheduled at delivery rather than when
        the thank-you leaves, because the delivery is a business fact in this transaction and
        the thank-you's sending belongs to the dispatcher, which never writes the order. The
        review request's own rating token is made now too, for the same reason."""
        message = super()._order_notify_enqueue(
            order, event, picking=picking, delay_minutes=delay_minutes, ref=ref, debounce_minutes=debounce_minutes,
        )
        if event == 'delivered' and order.state == 'sale':
            if message and message.state not in ('skipped', 'cancelled'):
                order._order_notify_issue_voucher()
            days = order.company_id.order_notify_review_delay_days
            self._order_notify_enqueue(order, 'review_request', delay_minutes=days * 1440)
        elif event == 'review_request' and message:
            message._order_notify_prepare_review(days=delay_minutes // 1440)
        return message

    def _order_notify_prepare_review(self, days=0):
        """Create the buyer's rating token of a new review request, and say why it waits."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.order_id._order_notify_ensure_rating()
        except Exception as error:  # noqa: BLE001 - a review link must never block a delivery
            if is_transaction_error(error):
                raise
            _logger.exception("Could not create the review link of order %s", self.order_name)
        if days and self.state == 'queued' and not self.attempt_count:
            self.write({'reason': _lt("Waits %s days after the thank-you, for the buyer to try the products.", days)})

    # === BUSINESS METHODS: DISPATCH === #

    def _order_notify_decide(self, prefetched=None, told=None):
        """A review request for an order the buyer rated meanwhile is not sent."""
        if not self.is_test and self.event == 'review_request' and self.order_id:
            rating = self.order_id._order_notify_get_rating()
            if rating.consumed:
                self._order_notify_set_state('skipped', REASON_ALREADY_RATED, _lt("The buyer already rated this order."))
                return False
        return super()._order_notify_decide(prefetched=prefetched, told=told)
