# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class OrderNotifyMessage(models.Model):
    _inherit = 'order.notify.message'

    zalo_development = fields.Boolean(
        string="Zalo Development Mode", readonly=True,
        help="Sent with mode \"development\" (provider in test mode): it reaches the OA's administrators only "
             "and is paid from the app's development wallet.",
    )
