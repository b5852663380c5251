# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac

from odoo import _, api, fields, models
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
    order_notify_currency_id = fields.Many2one(related='sale_id.currency_id', string="Order Currency")
    order_notify_cod_amount = fields.Monetary(
        string="Amount to Collect", currency_field='order_notify_currency_id',
        compute='_compute_order_notify_cod_amount', store=True, readonly=False, copy=False,
        help="The cash the carrier collects from the buyer for this parcel (COD), told in the shipping message. "
             "Prefilled from the value of the parcel's products, taxes included, minus what the buyer already "
             "paid; the parcels of an order add up to what is left to pay. Change it before validating if the "
             "carrier collects another amount. Returns and exchanges collect nothing.",
    )
    # The last prefilled value: when the amount differs from it, the warehouse changed it by hand
    # and it is kept (as sale.order.line's technical_price_unit).
    order_notify_cod_suggested = fields.Monetary(
        string="Prefilled Amount to Collect", currency_field='order_notify_currency_id',
        compute='_compute_order_notify_cod_amount', store=True, copy=False,
    )

    # === COMPUTE METHODS === #

    @api.depends('sale_id', 'picking_type_code', 'return_id', 'move_ids.product_uom_qty')
    def _compute_order_notify_cod_amount(self):
        # Also refreshed when a parcel of the order is validated (see _action_done); once the
        # parcel left, the payments that follow do not change what the carrier collects.
        for picking in self:
            if picking.order_notify_cod_amount != picking.order_notify_cod_suggested:
                continue  # set by hand
            amount = picking._order_notify_allocate_cod()
            picking.order_notify_cod_amount = picking.order_notify_cod_suggested = amount

    # === BUSINESS HOOKS === #

    def _action_done(self):
        """An outgoing delivery of a sale order was validated: the parcel leaves the shop.
        ``button_validate`` calls this twice (once on an empty recordset): harmless."""
        res = super()._action_done()
        # The amounts to collect not set by hand follow what the buyer paid meanwhile and the
        # split of the parcels (backorder): the validated parcel's, and the prefill of the others.
        refresh = (self | self.sale_id.picking_ids).filtered(
            lambda p: (p in self or p.state not in ('done', 'cancel'))
            and p.order_notify_cod_amount == p.order_notify_cod_suggested
        )
        for field_name in ('order_notify_cod_amount', 'order_notify_cod_suggested'):
            self.env.add_to_compute(self._fields[field_name], refresh)
        for picking in self:
            if picking.picking_type_code == 'outgoing' and picking.state == 'done' and picking.sale_id:
                picking.sale_id._order_notify_enqueue('shipped', picking=picking)
            elif picking._order_notify_is_return_received():
                self.env['order.notify.message']._order_notify_enqueue(
                    picking.sale_id, 'return_received', picking=picking, ref=f"r{picking.id}",
                )
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

    def _order_notify_is_parcel(self):
        """Whether this picking takes goods of its sale order to the buyer for the first time:
        returns, and the parcels of an exchange (returns of a return), collect nothing."""
        self.ensure_one()
        return bool(self.sale_id) and self.picking_type_code == 'outgoing' and self.state != 'cancel' \
            and not self.return_id

    def _order_notify_is_return_received(self):
        """Whether this picking brought back goods the buyer returned (Odoo's return wizard on a
        delivery of the order, then validated): the buyer is told, with their value."""
        self.ensure_one()
        return bool(self.sale_id) and bool(self.return_id) and self.picking_type_code == 'incoming' \
            and self.state == 'done'

    def _order_notify_allocate_cod(self):
        """The share of the order's amount to collect that this parcel carries.

        Each parcel is worth its products (the sale line's price with taxes, per unit, times the
        quantity of the move); the first parcel also carries what is not shipped as goods
        (delivery fee, services) and the last one the rounding. What the buyer paid is consumed
        by the parcels in order: the parcels add up to the order's amount to collect.
        """
        self.ensure_one()
        order = self.sale_id
        if not self._order_notify_is_parcel():
            return 0.0
        currency = order.currency_id
        parcels = [self if p == self._origin else p for p in order.picking_ids if p._order_notify_is_parcel()]
        if self not in parcels:
            parcels.append(self)  # a new parcel not saved yet
        parcels.sort(key=lambda p: (p._origin.id or float('inf')))
        raw_values = [p._order_notify_goods_value() for p in parcels]
        values = [currency.round(value) for value in raw_values]
        values[-1] = currency.round(sum(raw_values)) - sum(values[:-1])
        goods = order.order_line.filtered(
            lambda l: not l.display_type and not l.is_delivery and l.product_id.type == 'consu'
        )
        values[0] += currency.round(order.amount_total - sum(goods.mapped('price_total')))
        prepaid = order._order_notify_amount_paid()
        for parcel, value in zip(parcels, values):
            covered = min(max(prepaid, 0.0), max(value, 0.0))
            prepaid -= covered
            if parcel == self:
                return currency.round(max(value - covered, 0.0))
        return 0.0

    def _order_notify_goods_value(self):
        """The value of the products of this parcel, taxes included, from their sale lines."""
        self.ensure_one()
        value = 0.0
        for move in self.move_ids.filtered(lambda m: m.state != 'cancel' and m.sale_line_id):
            line = move.sale_line_id
            if not line.product_uom_qty:
                continue
            quantity = move.quantity if move.state == 'done' else move.product_uom_qty
            quantity = move.product_uom._compute_quantity(quantity, line.product_uom, rounding_method='HALF-UP')
            value += line.price_total / line.product_uom_qty * quantity
        return value

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
