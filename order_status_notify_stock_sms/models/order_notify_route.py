# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class OrderNotifyRoute(models.Model):
    """Turning the ``shipped`` event on may switch Odoo's own delivery SMS off (see ``res.company``)."""
    _inherit = 'order.notify.route'

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        routes = super().create(vals_list)
        routes._order_notify_sync_stock_sms()
        return routes

    def write(self, vals):
        res = super().write(vals)
        if {'active', 'event', 'channel', 'company_id'} & set(vals):
            self._order_notify_sync_stock_sms()
        return res

    # === BUSINESS METHODS === #

    def _order_notify_sync_stock_sms(self):
        if self.company_id:
            self.env['res.company']._order_notify_sync_stock_sms(self.company_id)
