# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import threading
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL, format_amount
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import shorten_text

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# What a buyer is told about when a confirmed order changes before the last parcel left, in the
# order of the message; what changed is read by ``_order_notify_change_snapshot``.
CHANGE_KEYS = ('address', 'phone', 'lines', 'cod')
# Fields whose change in ``write`` may change what the buyer was told.
CHANGE_FIELDS = ('order_line', 'partner_shipping_id', 'order_notify_phone')


class SaleOrder(models.Model):
    """The buyer's journey around the order states: the reminder of a cart left unpaid, the
    message telling what changed in a confirmed order, and the notification phone of an order."""
    _inherit = 'sale.order'

    order_notify_phone = fields.Char(
        string="Notification Phone", compute='_compute_order_notify_phone', store=True, readonly=False,
        precompute=True, copy=False,
        help="Where the order's messages go first (the contacts' other numbers are tried next). Filled from the "
             "shipping contact; change it when the buyer asks for another number on this order, without "
             "editing the contact.",
    )
    order_notify_cart_reminded = fields.Boolean(
        string="Cart Reminder Queued", copy=False, readonly=True,
        help="The buyer was reminded of this cart or quotation (or it was found not to need a reminder): one "
             "reminder per cart.",
    )
    order_notify_change_count = fields.Integer(
        string="Order Change Messages", copy=False, readonly=True,
        help="Counts the messages telling the buyer what changed in the order; several edits within a few "
             "minutes make one.",
    )
    order_notify_changes = fields.Json(
        string="Changes Told to the Buyer", copy=False, readonly=True,
        help="What changed in the order, before and after, per change message.",
    )

    # === COMPUTE METHODS === #

    @api.depends('partner_shipping_id.mobile', 'partner_shipping_id.phone', 'partner_id.mobile', 'partner_id.phone')
    def _compute_order_notify_phone(self):
        for order in self:
            contacts = order.partner_shipping_id | order.partner_id
            order.order_notify_phone = next(
                (number for contact in contacts for number in (contact.mobile, contact.phone) if number), False,
            )

    # === CRUD METHODS === #

    def write(self, vals):
        """A confirmed order whose parcel did not leave yet tells the buyer what changed
        (address, phone, products, amount to collect): see ``_order_notify_record_changes``."""
        if not set(CHANGE_FIELDS) & set(vals):
            return super().write(vals)
        watched = self.filtered(lambda order: order._order_notify_can_tell_changes())
        before = {order.id: order._order_notify_change_snapshot() for order in watched}
        res = super().write(vals)
        if watched:
            watched._order_notify_record_changes(before)
        return res

    # === BUSINESS METHODS: ORDER CHANGES === #

    def _order_notify_can_tell_changes(self):
        """Between confirmation and the last parcel leaving the shop: later changes reach nobody."""
        self.ensure_one()
        return self.state == 'sale' and any(
            picking.picking_type_code == 'outgoing' and picking.state not in ('done', 'cancel') and not picking.return_id
            for picking in self.picking_ids
        )

    def _order_notify_change_snapshot(self):
        """What the buyer knows of the order: the receiver and address, the notification phone,
        the products and the amount to pay on delivery (raw, formatted when told)."""
        self.ensure_one()
        shipping = self.partner_shipping_id
        address_lines = [line.strip() for line in (shipping._display_address(without_company=True) or '').split('\n')]
        address = ", ".join(part for part in [shipping.name or ''] + address_lines if part)
        lines = self.order_line.filtered(lambda l: not l.display_type and not l.is_delivery)
        return {
            'address': address,
            'phone': (self.order_notify_phone or '').strip(),
            'lines': ", ".join(f"{line.product_uom_qty:g} x {line.product_id.name}" for line in lines),
            'cod': self._order_notify_amount_to_collect(),
        }

    def _order_notify_record_changes(self, before):
        """Add what changed since ``before`` to the order's pending change message, or start a
        new one when the last one already left; several edits in a row make one message
        (debounced), an edit undoing the others cancels it."""
        Message = self.env['order.notify.message']
        for order in self:
            after = order._order_notify_change_snapshot()
            diff = {key: (before[order.id][key], after[key]) for key in CHANGE_KEYS
                    if before[order.id][key] != after[key]}
            if not diff:
                continue
            changes = dict(order.order_notify_changes or {})
            ref = changes.get('last')
            pending = order._order_notify_pending_change_message(ref)
            count = order.order_notify_change_count
            if pending:
                items = dict(changes.get(ref) or {})
            else:
                count += 1
                ref, items = f"c{count}", {}
            for key, (old, new) in diff.items():
                first = items[key][0] if key in items else old
                if first == new:
                    items.pop(key, None)
                else:
                    items[key] = [first, new]
            changes.update({'last': ref, ref: items})
            order.sudo().write({'order_notify_changes': changes, 'order_notify_change_count': count})
            if items:
                Message._order_notify_enqueue(
                    order, 'order_changed', ref=ref, debounce_minutes=const.ORDER_CHANGED_DEBOUNCE_MINUTES,
                )
            elif pending:
                pending._order_notify_set_state('cancelled', const.REASON_CHANGES_UNDONE, _lt(
                    "The order is back as the buyer knew it: nothing to tell.",
                ))

    def _order_notify_pending_change_message(self, ref):
        """The change message of ``ref`` if it is still waiting for more changes (never tried)."""
        self.ensure_one()
        if not ref:
            return self.env['order.notify.message']
        return self.env['order.notify.message'].sudo().search([
            ('order_id', '=', self.id), ('event', '=', 'order_changed'), ('ref', '=', ref), ('is_test', '=', False),
            ('revision', '=', self.order_notify_revision), ('state', '=', 'queued'), ('attempt_count', '=', 0),
            ('fallback_from_id', '=', False),
        ], limit=1)

    def _order_notify_changes_text(self, ref, env):
        """``Label: before → after`` for each change of the change message ``ref`` (the last one
        when unknown: template preview, dry run), in the language of ``env``."""
        self.ensure_one()
        changes = self.order_notify_changes or {}
        items = changes.get(ref or '') or changes.get(changes.get('last') or '') or {}
        labels = {
            'address': env._("Delivery address"),
            'phone': env._("Receiving phone"),
            'lines': env._("Products"),
            'cod': env._("Amount to pay on delivery"),
        }
        parts = []
        for key in CHANGE_KEYS:
            if key not in items:
                continue
            old, new = items[key]
            if key == 'cod':
                old, new = (format_amount(env, value or 0.0, self.currency_id) for value in (old, new))
            parts.append(f"{labels[key]}: {old or '-'} → {new or '-'}")
        return "; ".join(parts)

    # === BUSINESS METHODS: CART REMINDERS === #

    @api.model
    def _cron_order_notify_cart_reminders(self, limit=200):
        """Entry point of the cart reminder cron (see ``_order_notify_remind_carts``)."""
        auto_commit = not getattr(threading.current_thread(), 'testing', False)
        return self._order_notify_remind_carts(limit=limit, auto_commit=auto_commit)

    @api.model
    def _order_notify_remind_carts(self, limit=200, auto_commit=True):
        """Queue the reminder of the carts and quotations left unpaid for the company's delay:
        one per cart, only to buyers with a mobile who did not refuse advertising and did not
        order since (checked again when the message leaves).

        Each cart is locked, reminded and (with ``auto_commit``) committed on its own: a cart the
        buyer is changing right now (its row locked by their transaction) is left for the next
        run instead of waiting for them, and a conflict with the buyer's change rolls back that
        cart only. Nothing of a cart is committed half-done.
        """
        now = fields.Datetime.now()
        Route = self.env['order.notify.route']
        Message = self.env['order.notify.message']
        for company in self.env['res.company'].search([]):
            if not Route._order_notify_get_channels('cart_abandoned', company):
                continue
            delay = company.order_notify_cart_delay_hours or const.DEFAULT_CART_DELAY_HOURS
            domain = self._order_notify_cart_domain(
                company, now - timedelta(hours=delay), now - timedelta(days=const.CART_REMINDER_MAX_AGE_DAYS),
            )
            carts = self.sudo().search(domain, order='date_order', limit=limit)
            remind = carts._order_notify_filter_cart_reminders()
            for cart in carts:
                try:
                    if not cart._order_notify_lock_cart():
                        continue  # the buyer's transaction holds it, or it was confirmed meanwhile
                    if cart in remind:
                        Message._order_notify_enqueue(cart, 'cart_abandoned')
                    cart._order_notify_mark_cart_reminded()
                    if auto_commit:
                        self.env.cr.commit()
                except psycopg2.errors.SerializationFailure:
                    if not auto_commit:
                        raise
                    self.env.cr.rollback()  # the buyer changed it since our snapshot: next run
                    _logger.info("Cart reminder of %s postponed: the cart changed meanwhile", cart.name)
        return True

    def _order_notify_lock_cart(self):
        """Lock this cart for the current transaction if it is still a cart; False when another
        transaction holds it (the buyer is changing it) or it was confirmed since the search."""
        self.ensure_one()
        self.flush_recordset(['state'])
        self.env.cr.execute(SQL(
            "SELECT id FROM %s WHERE id = %s AND state IN ('draft', 'sent') FOR NO KEY UPDATE SKIP LOCKED",
            SQL.identifier(self._table), self.id,
        ))
        return bool(self.env.cr.fetchone())

    @api.model
    def _order_notify_cart_domain(self, company, until, since):
        """Carts to remind: quotations sent to the buyer (backend or portal) not confirmed
        between ``since`` and ``until``, with lines, not reminded yet. The website bridge adds
        the eCommerce carts (website_sale's abandoned carts)."""
        today = fields.Date.context_today(self)
        return [
            ('company_id', '=', company.id), ('order_notify_cart_reminded', '=', False),
            ('order_line', '!=', False), ('date_order', '<=', until), ('date_order', '>=', since),
            ('state', '=', 'sent'), '|', ('validity_date', '=', False), ('validity_date', '>=', today),
        ]

    def _order_notify_filter_cart_reminders(self):
        """The carts of ``self`` whose buyer may be reminded now: something to pay, a mobile,
        no refusal of advertising, no order since."""
        phones = self._order_notify_get_phones_batch()
        return self.filtered(lambda cart: not cart.currency_id.is_zero(cart.amount_total)
                             and phones[cart.id][0]
                             and not cart._order_notify_cart_obsolete_reason())

    def _order_notify_mark_cart_reminded(self):
        """One reminder per cart (the website bridge also flags it as recovered for website_sale,
        whose own e-mail reminder must not follow ours)."""
        self.write({'order_notify_cart_reminded': True})

    def _order_notify_cart_obsolete_reason(self):
        """Why the reminder of this cart must not leave (now), as ``(code, reason)``, or False:
        the cart was confirmed or cancelled, the buyer ordered since, or refused advertising."""
        self.ensure_one()
        if self.state not in ('draft', 'sent'):
            return const.REASON_CART_ORDERED, _lt("The buyer confirmed or left this order: no reminder.")
        buyer = self.partner_id.commercial_partner_id
        if self.partner_id.order_notify_promo_opt_out or buyer.order_notify_promo_opt_out:
            return const.REASON_PROMO_OPTED_OUT, _lt("The customer refused promotional messages.")
        later = self.sudo().search([
            ('id', '!=', self.id), ('partner_id', 'child_of', buyer.id), ('company_id', '=', self.company_id.id),
            ('state', '=', 'sale'), ('date_order', '>=', self.date_order),
        ], limit=1)
        if later:
            return const.REASON_CART_ORDERED, _lt("The buyer ordered since (%s): no reminder.", later.name)
        return False

    def _order_notify_cart_url(self):
        """The buyer's link back to pay: the quotation on the portal, where it is signed and paid
        (the website bridge links eCommerce carts to their cart)."""
        self.ensure_one()
        return self._order_notify_order_url()

    # === BUSINESS METHODS: VALUES === #

    def _order_notify_get_journey_values(self, event, picking, env):
        """The values of the journey's events (cart link, changes, return, refund), added to the
        order values (``_order_notify_get_values``) in the language of ``env``. The message being
        rendered passes its reference in the context (``order_notify_ref``): which change, which
        credit note. The return and refund values are only looked up for their own events (the
        dry run renders thousands of orders): elsewhere they are empty."""
        self.ensure_one()
        ref = self.env.context.get('order_notify_ref') or ''
        values = {
            'cart_url': self._order_notify_cart_url() if self.state in ('draft', 'sent') else '',
            'changes': self._order_notify_changes_text(ref, env) if self.order_notify_changes else '',
            'return_amount': '', 'return_amount_value': 0.0, 'return_summary': '',
            'refund_amount': '', 'refund_amount_value': 0.0,
        }
        if event == 'return_received':
            returned = picking if picking and picking.return_id else self.picking_ids.filtered(
                lambda p: p.return_id and p.picking_type_code == 'incoming' and p.state == 'done'
            ).sorted('date_done', reverse=True)[:1]
            amount = returned._order_notify_goods_value() if returned else 0.0
            summary = ", ".join(
                f"{move.quantity:g} x {move.product_id.name}"
                for move in returned.move_ids if move.state != 'cancel' and move.quantity
            )
            values.update({
                'return_amount': format_amount(env, amount, self.currency_id), 'return_amount_value': amount,
                'return_summary': shorten_text(summary, const.PRODUCT_SUMMARY_MAX_LENGTH),
            })
        if event == 'refunded':
            refund = self._order_notify_find_refund(ref)
            amount = refund.amount_total if refund else 0.0
            values.update({'refund_amount': format_amount(env, amount, self.currency_id), 'refund_amount_value': amount})
        return values

    def _order_notify_find_refund(self, ref=''):
        """The credit note of the ``refunded`` message ``ref`` (``m<id>``), else the order's last
        paid one."""
        self.ensure_one()
        refunds = self.sudo().invoice_ids.filtered(
            lambda m: m.move_type == 'out_refund' and m.state == 'posted' and m.payment_state in ('paid', 'in_payment')
        )
        if ref.startswith('m') and ref[1:].isdigit():
            return refunds.filtered(lambda m: m.id == int(ref[1:]))[:1]
        return refunds.sorted('id', reverse=True)[:1]
