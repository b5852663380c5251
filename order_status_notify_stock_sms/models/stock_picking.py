# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models


class StockPicking(models.Model):
    """The setting switched off is not enough: an admin may switch it back on by hand, and a
    provider may be set up after it was read. The rule (``res.company``) is checked again at
    every validation."""
    _inherit = 'stock.picking'

    def _send_confirmation_email(self):
        """No IAP SMS from ``stock_sms`` for a company whose ``shipped`` message replaces it, even
        if its setting was switched back on by hand: the buyer would get two texts for one parcel."""
        replaced = self.filtered(lambda p: p.company_id.order_notify_replaces_stock_sms)
        if replaced:
            super(StockPicking, replaced.with_context(skip_sms=True))._send_confirmation_email()
        return super(StockPicking, self - replaced)._send_confirmation_email()

    def _check_warn_sms(self):
        """Nor ask whether to send it (``stock_sms`` asks once, at the first validation)."""
        return super()._check_warn_sms().filtered(lambda p: not p.company_id.order_notify_replaces_stock_sms)
