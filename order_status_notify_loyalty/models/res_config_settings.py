# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    order_notify_review_delay_days = fields.Integer(related='company_id.order_notify_review_delay_days', readonly=False)
    order_notify_public_review_url = fields.Char(related='company_id.order_notify_public_review_url', readonly=False)
    order_notify_voucher_program_id = fields.Many2one(
        related='company_id.order_notify_voucher_program_id', readonly=False,
    )
    order_notify_voucher_validity_days = fields.Integer(
        related='company_id.order_notify_voucher_validity_days', readonly=False,
    )
