# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models


class ResCompany(models.Model):
    """Odoo's ``stock_sms`` texts the customer through Odoo IAP when a delivery is validated.
    While our ``shipped`` message reaches the buyer, whatever its channel, the ``stock_sms``
    setting is switched off, and kept off at validation (see ``stock.picking``)."""
    _inherit = 'res.company'

    order_notify_replaces_stock_sms = fields.Boolean(
        string="Shipping Message Replaces Odoo SMS", compute='_compute_order_notify_replaces_stock_sms',
    )

    # === COMPUTE METHODS === #

    def _compute_order_notify_replaces_stock_sms(self):
        """The rule: Odoo's delivery text gives way when the company has an active route of the
        ``shipped`` event on some channel (Zalo ZNS, SMS…) and a provider of that channel the
        dispatcher sends with (``order.notify.provider._order_notify_get_available``: enabled or
        in test mode; paused included, since its messages wait and leave once it is resumed).

        Any channel counts, not SMS only: a Zalo-only shop's buyer must not get a ZNS and an IAP
        text for one parcel. A route without a provider (a fresh install, a channel not set up
        yet) does not: nothing else would tell the buyer, so Odoo's text stays.
        """
        Route = self.env['order.notify.route']
        provider_model = self.env['order.notify.provider']
        replaced = {  # from the registry's cache: validating a delivery reads no route
            company for company in self for channel in Route._order_notify_get_channels('shipped', company)
            if provider_model._order_notify_get_available(channel, company)
        }
        for company in self:
            company.order_notify_replaces_stock_sms = company in replaced

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_sync_stock_sms(self, companies=None):
        """Switch Odoo's delivery SMS off for the companies whose ``shipped`` message replaces it.

        Only ever off: when our message stops (event off, provider disabled), the setting is left
        as it is and becomes editable again, for the shop to decide."""
        companies = (companies or self.search([])).sudo()
        # Not stored, no dependencies to declare across models: read afresh after a change.
        companies.invalidate_recordset(['order_notify_replaces_stock_sms'])
        replaced = companies.filtered(lambda c: c.stock_move_sms_validation and c.order_notify_replaces_stock_sms)
        replaced.write({'stock_move_sms_validation': False})
        return replaced
