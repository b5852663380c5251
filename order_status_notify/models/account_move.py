# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models


class AccountMove(models.Model):
    _inherit = 'account.move'

    def _invoice_paid_hook(self):
        """An invoice got fully paid (cash, bank, online): its orders may now be fully paid."""
        res = super()._invoice_paid_hook()
        self.line_ids.sale_line_ids.order_id._order_notify_check_paid()
        return res
