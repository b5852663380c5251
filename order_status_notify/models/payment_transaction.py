# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    def _post_process(self):
        """A website order waiting for a wire transfer is placed for the buyer; a confirmed
        online payment may make the order fully paid."""
        res = super()._post_process()
        for tx in self:
            orders = tx.sale_order_ids
            if tx.state == 'pending':
                for order in orders.filtered(lambda o: o.state in ('sent', 'sale')):
                    order._order_notify_enqueue('placed')
            elif tx.state == 'done':
                orders._order_notify_check_paid()
        return res
