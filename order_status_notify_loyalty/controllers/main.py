# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)


class OrderReviewController(http.Controller):
    """The buyer's review page: a personal link (the rating's token), no login, mobile first."""

    _review_url = '/order/review/<string:token>'

    def _review_rating(self, token):
        rating = request.env['rating.rating']._order_notify_find_by_token(token)
        if not rating:
            raise NotFound()
        order = request.env['sale.order'].sudo().browse(rating.res_id).exists()
        if not order:
            raise NotFound()
        # The buyer's language (Vietnamese for a shop in Vietnam), whoever opens the link.
        request.update_context(lang=order.partner_id.lang or 'vi_VN')
        return rating, order

    @http.route(_review_url, type='http', auth='public', methods=['GET'], website=True, sitemap=False)
    def order_review(self, token, **kwargs):
        rating, order = self._review_rating(token)
        return request.render('order_status_notify_loyalty.order_review_page', {
            'rating': rating, 'order': order, 'token': token, 'error': False,
        })

    @http.route(_review_url, type='http', auth='public', methods=['POST'], website=True, sitemap=False)
    def order_review_submit(self, token, rate=None, feedback=None, **kwargs):
        rating, order = self._review_rating(token)
        rate_value, error = rating._order_notify_parse_review(rate, feedback)
        if error:
            _logger.info("Review of order %s refused: %s", order.name, error)
            response = request.render('order_status_notify_loyalty.order_review_page', {
                'rating': rating, 'order': order, 'token': token, 'error': error,
            })
            response.status_code = 400
            return response
        rating = order._order_notify_apply_review(rating, rate_value, (feedback or '').strip())
        return request.render('order_status_notify_loyalty.order_review_thanks', {
            'rating': rating, 'order': order, 'token': token,
            'public_review_url': order.company_id._order_notify_public_review_invitation(rate_value),
        })
