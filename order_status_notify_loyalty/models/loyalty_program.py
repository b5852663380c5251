# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = 'loyalty.program'

    # === BUSINESS METHODS === #

    def _order_notify_voucher_blocker(self, company):
        """Why this program cannot give a thank-you voucher now (a short English reason for the
        log), or ``''`` when it can: archived, not valid today or in ``company``, or exhausted
        (its usage limit reached by the coupons issued or the orders that used them)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        if not self.active:
            return "the program is archived"
        if self.program_type != 'coupons':
            return "the program is not a coupons program"
        if self.company_id and self.company_id != company:
            return "the program belongs to another company"
        if self.date_from and self.date_from > today:
            return "the program has not started"
        if self.date_to and self.date_to < today:
            return "the program has ended"
        if not self.reward_ids:
            return "the program has no reward"
        if self.limit_usage and max(self.coupon_count, self.total_order_count) >= self.max_usage:
            return "the program's usage limit is reached"
        return ''

    def _order_notify_voucher_expiry(self, company):
        """The last valid day of a voucher issued today: the company's validity, never after the
        program's own end."""
        self.ensure_one()
        expiry = fields.Date.context_today(self) + timedelta(days=company.order_notify_voucher_validity_days)
        return min(expiry, self.date_to) if self.date_to else expiry
