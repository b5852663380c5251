# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = 'res.partner'

    order_notify_opt_out = fields.Boolean(
        string="No Order Notifications",
        help="The customer asked not to receive order status messages (Zalo, SMS).",
    )
    order_notify_promo_opt_out = fields.Boolean(
        string="No Promotional Messages",
        help="The customer refused advertising messages (cart reminders): Vietnamese law (Decree 91/2020) "
             "requires stopping them at once. Order status messages still go.",
    )
