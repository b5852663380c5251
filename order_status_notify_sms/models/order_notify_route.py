# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class OrderNotifyRoute(models.Model):
    """Turning the ``shipped`` event on switches Odoo's own delivery SMS off (see ``res.company``)."""
    _inherit = 'order.notify.route'

    @api.model_create_multi
    def create(self, vals_list):
        routes = super().create(vals_list)
        routes._order_notify_sync_stock_sms()
        return routes

    def write(self, vals):
        res = super().write(vals)
        if {'active', 'event', 'company_id'} & set(vals):
            self._order_notify_sync_stock_sms()
        return res

    def _order_notify_sync_stock_sms(self):
        shipped = self.filtered(lambda r: r.active and r.event == 'shipped')
        if shipped:
            self.env['res.company']._order_notify_sync_stock_sms(shipped.company_id)
