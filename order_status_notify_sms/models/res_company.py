# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models


class ResCompany(models.Model):
    """Odoo's ``stock_sms`` texts the customer through Odoo IAP when a delivery is validated.
    While our ``shipped`` event is on for the company, the buyer gets our message instead: the
    ``stock_sms`` setting is switched off, and kept off at send time (see ``stock.picking``)."""
    _inherit = 'res.company'

    order_notify_replaces_stock_sms = fields.Boolean(
        string="Shipping Message Replaces Odoo SMS", compute='_compute_order_notify_replaces_stock_sms',
    )

    # === COMPUTE METHODS === #

    def _compute_order_notify_replaces_stock_sms(self):
        shipped = self.env['order.notify.route'].sudo()._read_group(
            [('company_id', 'in', self.ids), ('event', '=', 'shipped')], ['company_id'],
        )
        companies = {company for company, in shipped}
        for company in self:
            company.order_notify_replaces_stock_sms = company in companies

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_sync_stock_sms(self, companies=None):
        """Switch Odoo's delivery SMS off for the companies whose ``shipped`` event is on."""
        companies = (companies or self.search([])).sudo()
        replaced = companies.filtered(lambda c: c.order_notify_replaces_stock_sms and c.stock_move_sms_validation)
        replaced.write({'stock_move_sms_validation': False})
        return replaced
