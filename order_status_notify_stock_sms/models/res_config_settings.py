# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    order_notify_replaces_stock_sms = fields.Boolean(related='company_id.order_notify_replaces_stock_sms')
