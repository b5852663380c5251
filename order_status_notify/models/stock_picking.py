# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac

from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = 'stock.picking'

    order_notify_expected_date = fields.Date(
        string="Expected Delivery",
        help="When the carrier expects to hand the parcel to the buyer; told in the shipping message.",
    )
    order_notify_delivered_date = fields.Datetime(
        string="Received by Buyer On", copy=False, readonly=True, tracking=True,
        help="Set when the shop or the carrier reports the parcel as received; it sends the thank-you message.",
    )

    # === BUSINESS HOOKS === #

    def _action_done(self):
        """An outgoing delivery of a sale order was validated: the parcel leaves the shop.
        ``button_validate`` calls this twice (once on an empty recordset): harmless."""
        res = super()._action_done()
        for picking in self:
            if picking.picking_type_code == 'outgoing' and picking.state == 'done' and picking.sale_id:
                picking.sale_id._order_notify_enqueue('shipped', picking=picking)
        return res

    # === ACTION METHODS === #

    def action_order_notify_mark_delivered(self):
        """Button of the delivery order: the buyer received the parcel."""
        for picking in self:
            if picking.picking_type_code != 'outgoing' or picking.state != 'done':
                raise UserError(_("Only a validated delivery can be marked as received."))
        self._order_notify_mark_delivered()
        return True

    # === BUSINESS METHODS === #

    def _order_notify_mark_delivered(self, delivered_date=None):
        pickings = self.filtered(lambda p: not p.order_notify_delivered_date)
        pickings.write({'order_notify_delivered_date': delivered_date or fields.Datetime.now()})
        pickings.sale_id._order_notify_check_delivered()
        return pickings

    def _order_notify_process_carrier_status(self, secret, tracking_ref, status, delivered_date=None):
        """Apply a carrier's status call (see the ``/order_status_notify/delivery_status`` route).

        :return: ``(http_status, message)``; only ``delivered`` changes anything.
        """
        if not secret or not tracking_ref:
            return 400, "missing secret or tracking_ref"
        companies = self.env['res.company'].sudo().search([('order_notify_webhook_secret', '!=', False)])
        company = companies.filtered(
            lambda c: hmac.compare_digest(c.order_notify_webhook_secret.encode(), secret.encode())
        )[:1]
        if not company:
            return 401, "unknown secret"
        picking = self.sudo().search([
            ('carrier_tracking_ref', '=', tracking_ref), ('company_id', '=', company.id),
            ('picking_type_code', '=', 'outgoing'), ('state', '=', 'done'),
        ], limit=1)
        if not picking:
            return 404, "no validated delivery with this tracking number"
        if status != 'delivered':
            return 200, "ignored"
        picking._order_notify_mark_delivered(delivered_date)
        return 200, "ok"
