# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac
import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tools import carriers
from odoo.addons.order_status_notify.utils import OrderNotifyError

_logger = logging.getLogger(__name__)

CARRIER_STATUS_SELECTION = [
    ('picked', "Picked up"),
    ('out_for_delivery', "Out for delivery"),
    ('delivery_failed', "Delivery attempt failed"),
    ('delivered', "Delivered"),
    ('returning', "Returning to the shop"),
    ('returned', "Returned to the shop"),
]


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

    # The parcel's last status reported by its carrier (tools/carriers): a call older than it
    # changes nothing, the same call twice (same key) neither.
    order_notify_carrier_status = fields.Selection(
        string="Carrier Status", selection=CARRIER_STATUS_SELECTION, copy=False, readonly=True,
        help="The parcel's last status reported by the carrier's webhook.",
    )
    order_notify_carrier_status_code = fields.Char(
        string="Carrier Status Code", copy=False, readonly=True,
        help="The carrier's own code of its last status (GHN ``delivering``, GHTK ``4``…).",
    )
    order_notify_carrier_status_date = fields.Datetime(
        string="Carrier Status Time", copy=False, readonly=True,
        help="When the carrier saw the parcel's last status: a call about an earlier moment changes nothing.",
    )
    order_notify_carrier_event_key = fields.Char(string="Carrier Call Key", copy=False, readonly=True)
    order_notify_failed_reason = fields.Char(
        string="Failed Delivery Reason", copy=False, readonly=True,
        help="Why the carrier's last delivery attempt failed, in its words: told to the buyer.",
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

    # === BUSINESS METHODS: CARRIER WEBHOOKS === #

    @api.model
    def _order_notify_process_carrier_call(self, carrier_code, headers, query, body):
        """Apply a carrier's status call (the routes of ``controllers/main.py``), as the
        carrier's adapter (``tools/carriers``) reads it: its secret first, then its payload,
        then the parcel of the secret's company.

        :return: ``(http_status, text)``: 400 for bad input, 401 for a wrong secret, 404 for an
            unknown parcel, 409 for a status of a parcel not validated yet, else 200 (also for a
            repeated, out-of-order or ignored status: the carrier must not send it again)
        """
        adapter = carriers.get_adapter(carrier_code)
        secret = adapter.get_secret(headers, query)
        if not secret:
            return 400, "missing secret"
        company = self._order_notify_carrier_company(adapter, secret)
        if not company:
            return 401, "unknown secret"
        try:
            status = adapter.parse(headers, query, body, fields.Datetime.now())
        except carriers.CarrierWebhookError as error:
            return error.status_code, error.message
        picking = self._order_notify_find_carrier_parcel(company, status)
        if not picking:
            return 404, "no delivery with this tracking number"
        if status.status is None:
            return 200, f"ignored: status {status.carrier_status} tells the buyer nothing"
        if picking.state != 'done':
            # Booked with the carrier before it was validated in Odoo: validating it tells the
            # buyer it left; this status cannot be applied to a parcel still in the warehouse.
            return 409, "the delivery is not validated in Odoo yet"
        return 200, picking._order_notify_apply_carrier_status(status)

    @api.model
    def _order_notify_carrier_company(self, adapter, secret):
        """The company whose secret for this carrier is ``secret`` (compared in constant time)."""
        field_name = adapter.secret_field
        companies = self.env['res.company'].sudo().search([(field_name, '!=', False)])
        return companies.filtered(lambda c: hmac.compare_digest(c[field_name].encode(), secret.encode()))[:1]

    @api.model
    def _order_notify_find_carrier_parcel(self, company, status):
        """The delivery of ``company`` with the call's tracking number, validated ones first;
        else the one named by the shop's own reference of the call (a shipment created again at
        the carrier gets a new tracking number)."""
        domain = [('company_id', '=', company.id), ('picking_type_code', '=', 'outgoing'), ('state', '!=', 'cancel')]
        pickings = self.sudo().search(domain + [('carrier_tracking_ref', '=', status.tracking_ref)], order='id desc')
        if not pickings and status.client_ref:
            pickings = self.sudo().search(domain + [('name', '=', status.client_ref)])
        return pickings.sorted(lambda p: p.state != 'done')[:1]

    def _order_notify_apply_carrier_status(self, status):
        """Apply a normalized carrier status (``tools.carriers.CarrierStatus``) to this parcel.

        Statuses apply in the carrier's time order: the parcel's row is locked (a carrier's
        retries may race), a call whose key was the last applied or whose time is before the
        parcel's last status changes nothing. Then the buyer hears of it: ``picked`` queues the
        shipped message (already queued at validation: the queue keeps one), ``delivered``
        marks the parcel received (the thank-you), the others queue their event; a failed
        attempt also asks the salesperson to call the buyer.

        :return: what was done, for the carrier's answer and the log
        """
        self.ensure_one()
        expected_date = status.expected_date
        if not expected_date and status.status in const.CARRIER_EXPECTED_DATE_STATUSES \
                and not self._order_notify_carrier_status_outdated(status):
            # Asked before the parcel's row is locked: nobody validating or editing the parcel
            # waits for the carrier's API.
            expected_date = self._order_notify_fetch_expected_date(status)
        self.env.cr.execute("SELECT id FROM stock_picking WHERE id = %s FOR NO KEY UPDATE", [self.id])
        self.invalidate_recordset([
            'order_notify_carrier_status', 'order_notify_carrier_status_date', 'order_notify_carrier_event_key',
        ])
        outdated = self._order_notify_carrier_status_outdated(status)
        if outdated:
            return outdated
        vals = {
            'order_notify_carrier_status': status.status,
            'order_notify_carrier_status_code': status.carrier_status,
            'order_notify_carrier_status_date': status.event_time,
            'order_notify_carrier_event_key': status.key,
        }
        if status.status == 'delivery_failed':
            vals['order_notify_failed_reason'] = status.reason or False
        if expected_date:
            vals['order_notify_expected_date'] = expected_date
        self.write(vals)
        self._order_notify_log_carrier_status(status)
        order = self.sale_id
        if status.status == 'delivered':
            self._order_notify_mark_delivered(status.event_time)
        elif order and self._order_notify_is_parcel() and status.status in const.CARRIER_STATUS_EVENTS:
            order._order_notify_enqueue(const.CARRIER_STATUS_EVENTS[status.status], picking=self)
        if status.status == 'delivery_failed' and order and self._order_notify_is_parcel():
            self._order_notify_schedule_call_buyer('delivery_failed')
        _logger.info("Parcel %s: carrier status %s (%s) applied", self.id, status.status, status.carrier_status)
        return "ok"

    def _order_notify_carrier_status_outdated(self, status):
        """Why ``status`` changes nothing on this parcel (the same call again, or a status not
        newer than its last one), or False when it applies."""
        if status.key == self.order_notify_carrier_event_key:
            return "repeated: already applied"
        last, current = self.order_notify_carrier_status_date, self.order_notify_carrier_status
        rank = const.CARRIER_STATUSES.index
        if last and current and (
            status.event_time < last or (status.event_time == last and rank(status.status) <= rank(current))
        ):
            return f"ignored: not newer than the parcel's last status ({current} at {last})"
        return False

    def _order_notify_fetch_expected_date(self, status):
        """The parcel's expected delivery date from the carrier's order API (GHN, GHTK: their
        webhooks carry none), when the company gave its API token; None when it cannot be read,
        which never fails the carrier's call."""
        self.ensure_one()
        field_name = const.CARRIER_API_TOKEN_FIELDS.get(status.carrier)
        token = field_name and self.company_id.sudo()[field_name]
        if not token:
            return None
        adapter = carriers.get_adapter(status.carrier)
        base_url = self.env['ir.config_parameter'].sudo().get_param(f'order_status_notify.{status.carrier}_api_url') \
            or const.CARRIER_API_URLS[status.carrier]
        try:
            return adapter.fetch_expected_date(base_url, token, status.tracking_ref)
        except (OrderNotifyError, carriers.CarrierApiError) as error:
            _logger.warning("Parcel %s: no expected delivery date from %s (%s)", self.id, adapter.label, error)
            return None

    def _order_notify_log_carrier_status(self, status):
        """A note in the parcel's chatter, in the shop's language, by OdooBot."""
        self.ensure_one()
        env = self.with_context(lang=self._order_notify_staff_lang()).env
        label = dict(self._fields['order_notify_carrier_status']._description_selection(env)).get(status.status)
        adapter = carriers.get_adapter(status.carrier)
        body = env._(
            "%(carrier)s: %(status)s (status %(code)s)", carrier=adapter.label, status=label, code=status.carrier_status,
        )
        if status.reason:
            body += " - " + status.reason
        self.sudo().message_post(
            body=body, author_id=self.env.ref('base.partner_root').id, message_type='notification',
            subtype_xmlid='mail.mt_note',
        )

    def _order_notify_staff_lang(self):
        return self.sale_id.user_id.lang or self.company_id.partner_id.lang or self.env.lang or 'en_US'

    def _order_notify_schedule_call_buyer(self, cause, message=None):
        """Ask the salesperson of the order to call the buyer about this parcel (a ``Call``
        activity on the sale order): the carrier could not deliver it (``cause`` =
        ``delivery_failed``), or the buyer who pays on delivery could not be told of it on any
        channel (``unreachable``, with the ``message`` that got nowhere). One open activity per
        parcel: the next reason waits until it is done."""
        self.ensure_one()
        order = self.sale_id
        key = f'order-notify-call-buyer-{self.id}'
        Activity = self.env['mail.activity'].sudo()
        if Activity.search_count([
            ('res_model', '=', 'sale.order'), ('res_id', '=', order.id), ('order_notify_alert_key', '=', key),
        ], limit=1):
            return Activity
        user = order.user_id or order.team_id.user_id or self.env.ref('base.user_admin', raise_if_not_found=False)
        env = self.with_context(lang=user.lang or self._order_notify_staff_lang()).env
        if cause == 'delivery_failed':
            why = env._(
                "The carrier could not deliver parcel %(parcel)s: %(reason)s.", parcel=self.name,
                reason=self.order_notify_failed_reason or env._("no reason given"),
            )
        else:
            Message = self.env['order.notify.message'].with_env(env)
            why = env._(
                "The buyer could not be told on any channel that parcel %(parcel)s is on its way (%(event)s message: "
                "%(reason)s).", parcel=self.name, event=Message._order_notify_text(Message._order_notify_event_label(message.event)),
                reason=message.with_env(env).reason or message.reason_code or '',
            )
        lines = [why]
        if self.order_notify_cod_amount:
            lines.append(env._(
                "Amount to collect on delivery: %s.", format_amount(env, self.order_notify_cod_amount, order.currency_id),
            ))
        numbers = order._order_notify_typed_numbers()
        if numbers:
            lines.append(env._("Numbers of the buyer: %s", ", ".join(numbers)))
        return order.sudo().activity_schedule(
            'mail.mail_activity_data_call',
            summary=env._("Call the buyer about parcel %s", self.name),
            note=Markup("<br/>").join(lines),
            user_id=user.id,
            order_notify_alert_key=key,
        )
