# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class RatingRating(models.Model):
    _inherit = 'rating.rating'

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_find_by_token(self, token):
        """The pending or given rating of a sale order behind a review link, else empty: a token
        of another document's rating (a helpdesk ticket, a task) is not a review link."""
        if not token or not isinstance(token, str) or len(token) > 64:
            return self.browse()
        return self.sudo().search([('access_token', '=', token), ('res_model', '=', 'sale.order')], limit=1)

    def _order_notify_parse_review(self, rate, feedback):
        """``(stars, '')`` for a valid answer of the review page, else ``(0, reason)`` in the
        buyer's language: stars are a whole number from 1 to 5, a comment at most 2000 characters."""
        self.ensure_one()
        try:
            stars = int(rate)
        except (TypeError, ValueError):
            stars = 0
        if not 1 <= stars <= 5:
            return 0, self.env._("Please choose from 1 to 5 stars.")
        if feedback and len(feedback) > 2000:
            return 0, self.env._("Your comment is too long (2000 characters at most).")
        return stars, ''
