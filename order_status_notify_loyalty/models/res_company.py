# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.order_status_notify_loyalty import const


class ResCompany(models.Model):
    _inherit = 'res.company'

    order_notify_review_delay_days = fields.Integer(
        string="Review Request Delay (days)", default=const.DEFAULT_REVIEW_DELAY_DAYS,
        help="Days between the thank-you message and the invitation to rate the order.",
    )
    order_notify_public_review_url = fields.Char(
        string="Public Review Page",
        help="The shop's page on Google or Facebook: a buyer who gives 5 stars is invited to write there too.",
    )
    order_notify_voucher_program_id = fields.Many2one(
        string="Thank-You Voucher Program", comodel_name='loyalty.program',
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', (False, id))]",
        help="A coupons program: every delivered order gets one single-use code of it in the thank-you message. "
             "Leave empty for no voucher.",
    )
    order_notify_voucher_validity_days = fields.Integer(
        string="Voucher Validity (days)", default=const.DEFAULT_VOUCHER_VALIDITY_DAYS,
        help="How long a thank-you voucher can be used, never after the program's end date.",
    )

    # === CONSTRAINT METHODS === #

    @api.constrains('order_notify_review_delay_days', 'order_notify_voucher_validity_days')
    def _check_order_notify_review_days(self):
        for company in self:
            if company.order_notify_review_delay_days < 0 or company.order_notify_voucher_validity_days < 1:
                raise ValidationError(self.env._(
                    "The review request delay cannot be negative and a voucher must be valid at least one day.",
                ))

    @api.constrains('order_notify_public_review_url')
    def _check_order_notify_public_review_url(self):
        for company in self:
            url = company.order_notify_public_review_url
            if url and not url.startswith(('https://', 'http://')):
                raise ValidationError(self.env._("The public review page must be a web address (https://…)."))

    # === BUSINESS METHODS === #

    def _order_notify_public_review_invitation(self, stars):
        """The public review page to invite a buyer to, after a rating of ``stars``: only a
        delighted buyer (5 stars) is asked, and only when the shop set its page."""
        self.ensure_one()
        return self.order_notify_public_review_url if stars >= const.PUBLIC_REVIEW_MIN else False
