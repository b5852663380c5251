# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class OrderNotifyProvider(models.Model):
    """A provider set up (or moved to another channel or company) may make our ``shipped``
    message reach the buyer, and so switch Odoo's own delivery SMS off (see ``res.company``)."""
    _inherit = 'order.notify.provider'

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        providers._order_notify_sync_stock_sms()
        return providers

    def write(self, vals):
        res = super().write(vals)
        if {'state', 'channel', 'company_id'} & set(vals):
            self._order_notify_sync_stock_sms()
        return res

    # === BUSINESS METHODS === #

    def _order_notify_sync_stock_sms(self):
        if self.company_id:
            self.env['res.company']._order_notify_sync_stock_sms(self.company_id)
