# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    order_notify_opt_out = fields.Boolean(
        string="No Order Notifications",
        help="The customer asked not to receive order status messages (Zalo, SMS).",
    )
