# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class SaleOrderCancel(models.TransientModel):
    _inherit = 'sale.order.cancel'

    order_notify_cancel_reason = fields.Char(
        string="Reason Told to the Buyer",
        help="Optional: told to the buyer in the cancellation message (Zalo, SMS).",
    )

    def action_cancel(self):
        """Both buttons of the dialog (cancel, send and cancel) end here."""
        self.order_id.order_notify_cancel_reason = (self.order_notify_cancel_reason or '').strip() or False
        return super().action_cancel()
