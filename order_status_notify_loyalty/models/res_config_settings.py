# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    order_notify_review_request = fields.Boolean(
        string="Review Requests", help="Send the review request (its routes in Events and Channels).",
    )

    order_notify_review_delay_days = fields.Integer(related='company_id.order_notify_review_delay_days', readonly=False)
    order_notify_public_review_url = fields.Char(related='company_id.order_notify_public_review_url', readonly=False)
    order_notify_voucher_program_id = fields.Many2one(
        related='company_id.order_notify_voucher_program_id', readonly=False,
    )
    order_notify_voucher_validity_days = fields.Integer(
        related='company_id.order_notify_voucher_validity_days', readonly=False,
    )

    # === BUSINESS METHODS === #

    def get_values(self):
        """The review request is on when one of its routes is."""
        values = super().get_values()
        values['order_notify_review_request'] = bool(self.env['order.notify.route'].sudo().search_count([
            ('company_id', '=', self.env.company.id), ('event', '=', 'review_request'),
        ], limit=1))
        return values

    def set_values(self):
        """Switch the review request's routes on (every channel, when none is) or off; routes an
        admin tuned channel by channel are left as they are while the event stays on."""
        super().set_values()
        wanted = self.order_notify_review_request
        Route = self.env['order.notify.route'].sudo().with_context(active_test=False)
        routes = Route.search([('company_id', '=', self.company_id.id), ('event', '=', 'review_request')])
        active = routes.filtered('active')
        if wanted and not active:
            routes.write({'active': True})
        elif not wanted and active:
            active.write({'active': False})
