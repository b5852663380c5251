# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models


class AccountMove(models.Model):
    _inherit = 'account.move'

    def _invoice_paid_hook(self):
        """An invoice got fully paid (cash, bank, online): its orders may now be fully paid."""
        res = super()._invoice_paid_hook()
        self.line_ids.sale_line_ids.order_id._order_notify_check_paid()
        self.filtered(
            lambda m: m.move_type == 'out_refund' and not m.currency_id.is_zero(m.amount_total)
        )._order_notify_refund_paid()
        return res

    def _order_notify_refund_paid(self):
        """A credit note of an order was paid out to the buyer: tell them, with the amount (one
        message per credit note)."""
        Message = self.env['order.notify.message']
        for refund in self:
            for order in refund.line_ids.sale_line_ids.order_id:
                Message._order_notify_enqueue(order, 'refunded', ref=f"m{refund.id}")
