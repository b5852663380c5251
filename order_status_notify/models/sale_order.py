# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models
from odoo.tools import email_normalize, format_amount, format_date

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import extract_mobiles, shorten_text


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    order_notify_message_ids = fields.One2many(
        string="Notifications", comodel_name='order.notify.message', inverse_name='order_id',
    )
    order_notify_message_count = fields.Integer(
        string="Notification Count", compute='_compute_order_notify_message_count',
    )
    order_notify_revision = fields.Integer(
        string="Notification Revision", default=1, copy=False, readonly=True,
        help="Counts the lives of the order for its notifications: an order cancelled after the buyer was "
             "told, then confirmed again, is told again (placed, shipped…).",
    )
    order_notify_opt_out = fields.Boolean(
        string="No Order Notifications",
        compute='_compute_order_notify_opt_out', inverse='_inverse_order_notify_opt_out',
        help="The customer asked not to receive order status messages (Zalo, SMS). Saved on the customer: it "
             "applies to all their orders.",
    )
    # What the buyer paid, kept on the order: the amount to collect of each parcel is prefilled
    # when the order is confirmed and refreshed when a parcel leaves, from the order's own row
    # (no read of its transactions and invoices in those flows).
    order_notify_amount_paid = fields.Monetary(
        string="Paid by the Buyer", compute='_compute_order_notify_amount_paid', store=True,
        help="Confirmed online payments, or payments registered on the order's invoices (the larger of both: "
             "they describe the same money once reconciled). The parcels' amounts to collect start from it.",
    )
    order_notify_cancel_reason = fields.Char(
        string="Cancellation Reason", copy=False,
        help="Told to the buyer in the cancellation message; given in the cancel dialog.",
    )

    # === COMPUTE METHODS === #

    @api.depends('order_notify_message_ids')
    def _compute_order_notify_message_count(self):
        counts = dict(self.env['order.notify.message']._read_group(
            [('order_id', 'in', self.ids)], ['order_id'], ['__count'],
        ))
        for order in self:
            order.order_notify_message_count = counts.get(order, 0)

    @api.depends(
        'transaction_ids.state', 'transaction_ids.amount',
        'order_line.invoice_lines.move_id.state', 'order_line.invoice_lines.move_id.amount_residual',
        'order_line.invoice_lines.move_id.amount_total',
    )
    def _compute_order_notify_amount_paid(self):
        """Confirmed online transactions, or payments reconciled with the order's invoices (cash
        or bank registered by the accountant). Both describe the same money when the transaction
        was reconciled, so the larger one is kept, not the sum."""
        for order in self:
            tx_paid = sum(tx.amount for tx in order.transaction_ids if tx.state == 'done')
            invoice_paid = 0.0
            for move in order.invoice_ids.filtered(lambda m: m.state == 'posted'):
                paid = move.amount_total - move.amount_residual
                invoice_paid += -paid if move.move_type == 'out_refund' else paid
            order.order_notify_amount_paid = order.currency_id.round(max(tx_paid, invoice_paid))

    @api.depends('partner_id.order_notify_opt_out')
    def _compute_order_notify_opt_out(self):
        for order in self:
            order.order_notify_opt_out = order.partner_id.order_notify_opt_out

    def _inverse_order_notify_opt_out(self):
        # The salesperson who may edit the order records the buyer's wish, even without the
        # right to edit contacts: only this box of the customer is written.
        self.check_access('write')
        for order in self:
            order.partner_id.sudo().order_notify_opt_out = order.order_notify_opt_out

    # === BUSINESS HOOKS === #

    def _action_confirm(self):
        """Every confirmation path (backend, portal signature, eCommerce payment) ends here."""
        # The portal token of the order link, written now with the confirmation's own update of
        # the order rather than in an UPDATE of its own when the message is queued.
        for order in self.filtered(lambda o: not o.access_token):
            order._portal_ensure_token()
        res = super()._action_confirm()
        # A message of the order's previous life (its cancellation) still waiting is outdated.
        outdated = self.filtered(lambda o: o.order_notify_revision > 1).order_notify_message_ids.filtered(
            lambda m: m.state == 'queued' and not m.is_test and m.revision < m.order_id.order_notify_revision
        )
        outdated.sudo()._order_notify_set_state(
            'cancelled', const.REASON_ORDER_CONFIRMED_AGAIN,
            self.env._("The order was confirmed again before this message left."),
        )
        self.filtered('order_notify_cancel_reason').order_notify_cancel_reason = False
        for order in self:
            order._order_notify_enqueue('placed')
        return res

    def _action_cancel(self):
        told = self.filtered(lambda order: order.order_notify_message_ids.filtered(
            lambda m: m.event == 'placed' and m.state in const.SUCCESS_STATES
            and m.revision == order.order_notify_revision
        ))
        res = super()._action_cancel()
        pending = self.order_notify_message_ids.filtered(lambda m: m.state == 'queued' and not m.is_test)
        pending.sudo()._order_notify_set_state(
            'cancelled', const.REASON_ORDER_CANCELLED, self.env._("The order was cancelled before this message left."),
        )
        for order in told:
            order._order_notify_enqueue('cancelled')
        # If the order is confirmed again, the buyer hears about its new life: new messages.
        for order in self.filtered(lambda o: o.order_notify_message_ids.filtered(
                lambda m: not m.is_test and m.revision == o.order_notify_revision)):
            order.order_notify_revision += 1
        return res

    # === BUSINESS METHODS === #

    def _order_notify_enqueue(self, event, picking=None):
        """Queue the buyer's message for ``event`` (see ``order.notify.message``)."""
        self.ensure_one()
        return self.env['order.notify.message']._order_notify_enqueue(self, event, picking=picking)

    def _order_notify_check_paid(self):
        """Queue the ``paid`` message of the orders that just became fully paid. Called by
        both the online payment and the invoice payment hooks, which may both fire: the
        idempotency of the queue keeps it to one message."""
        for order in self.filtered(lambda o: o.state == 'sale'):
            paid = order._order_notify_amount_paid()
            if order.currency_id.compare_amounts(paid, order.amount_total) < 0:
                continue
            delay = order._order_notify_hold_minutes('paid')
            self.env['order.notify.message']._order_notify_enqueue(order, 'paid', delay_minutes=delay)

    def _order_notify_hold_minutes(self, event):
        """A payment registered while the parcel is on its way is usually cash collected on
        delivery: hold the ``paid`` message a little so that the ``delivered`` thank-you, which
        follows within minutes, replaces it (the event's ``absorbed_by``)."""
        self.ensure_one()
        hold = self.env['order.notify.registry']._get_event(event)['hold_minutes']
        if not hold:
            return 0
        shipped = self.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing' and p.state == 'done')
        return hold if shipped and not all(shipped.mapped('order_notify_delivered_date')) else 0

    def _order_notify_check_delivered(self):
        """Queue the thank-you when every parcel of the order reached the buyer."""
        for order in self:
            outgoing = order.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing' and p.state != 'cancel')
            if outgoing and all(p.state == 'done' and p.order_notify_delivered_date for p in outgoing):
                order._order_notify_enqueue('delivered')

    def _order_notify_amount_paid(self):
        """What the buyer already paid (``order_notify_amount_paid``)."""
        self.ensure_one()
        return self.sudo().order_notify_amount_paid

    def _order_notify_amount_to_collect(self):
        """The amount the carrier collects on delivery (COD): what is left to pay, never below 0."""
        self.ensure_one()
        return max(self.currency_id.round(self.amount_total - self._order_notify_amount_paid()), 0.0)

    def _order_notify_get_phone(self):
        """Return ``(e164, False)`` for the number to message, or ``(False, reason_code)``."""
        phones, reason = self._order_notify_get_phones()
        return (phones[0], False) if phones else (False, reason)

    def _order_notify_get_phones(self):
        """Return ``([e164, …], False)``: the number to message then the alternatives tried when
        it cannot be reached, or ``([], reason_code)``.

        The shipping contact first (the person who receives the parcel), then the customer;
        the mobile before the phone; a field may hold several numbers as buyers type them
        ("0912 345 678 / 0987 654 321", "0912345678 (chồng)"); normalised in the contact's
        country (Vietnam by default). Only the first contact with a valid mobile is used, and a
        blacklisted first number stops everything (its owner asked for no messages).
        """
        self.ensure_one()
        return self._order_notify_get_phones_batch()[self.id]

    def _order_notify_get_phones_batch(self):
        """``_order_notify_get_phones`` of every order of ``self`` at once, as ``{order id:
        (phones, reason_code)}``: each pair of contacts is read once and one blacklist search
        covers every number (the preview replays thousands of orders of a few hundred buyers)."""
        default_vn = self.env.ref('base.vn')
        found = {}  # (shipping contact, customer, default country) -> ([e164, …], reason_code)
        keys = {}
        # Read every contact at once (the union of two contacts below reads only its own).
        contacts = self.partner_shipping_id | self.partner_id
        contacts.fetch(['mobile', 'phone', 'country_id', 'order_notify_opt_out', 'commercial_partner_id'])
        contacts.commercial_partner_id.fetch(['order_notify_opt_out'])
        for order in self:
            default_country = order.company_id.country_id or default_vn
            first_number = (order.order_notify_phone or '').strip()
            key = (order.partner_shipping_id, order.partner_id, default_country, first_number)
            keys[order.id] = key
            if key not in found:
                found[key] = self._order_notify_find_mobiles(
                    order.partner_shipping_id | order.partner_id, default_country, first_number=first_number,
                )
        numbers = {phones[0] for phones, _reason in found.values() if phones} | {
            phone for phones, _reason in found.values() for phone in phones[1:]
        }
        blacklisted = set()
        if numbers:
            blacklisted = set(self.env['phone.blacklist'].sudo().search_fetch(
                [('number', 'in', sorted(numbers)), ('active', '=', True)], ['number'],
            ).mapped('number'))
        results = {}
        for order_id, key in keys.items():
            phones, reason = found[key]
            if not phones:
                results[order_id] = ([], reason)
            elif phones[0] in blacklisted:
                results[order_id] = ([], const.REASON_BLACKLISTED)
            else:
                results[order_id] = ([phone for phone in phones if phone not in blacklisted], False)
        return results

    @api.model
    def _order_notify_find_mobiles(self, partners, default_country, first_number=None):
        """The mobiles of the first of ``partners`` who has one, as typed in their mobile then
        phone field, or ``([], reason_code)`` (an opt-out stops the search). The blacklist is
        the caller's business.

        :param str first_number: the order's notification phone (``order_notify_phone``), read in
            the first partner's country and tried before the partners' own numbers, which stay
            the alternatives: the buyer asked for it on this order, the contact is not edited.
        """
        first = partners[:1]
        first_phones, first_reason = [], False
        if first_number and first:
            if first.order_notify_opt_out or first.commercial_partner_id.order_notify_opt_out:
                return [], const.REASON_OPTED_OUT
            first_phones, first_reason = extract_mobiles(first_number, first.country_id or default_country)
        phones, reason = self._order_notify_find_contact_mobiles(partners, default_country)
        if reason == const.REASON_OPTED_OUT:
            return [], reason
        phones = first_phones + [phone for phone in phones if phone not in first_phones]
        if phones:
            return phones, False
        return [], (reason if reason != const.REASON_NO_PHONE else first_reason or reason)

    @api.model
    def _order_notify_find_contact_mobiles(self, partners, default_country):
        """The mobiles typed on the first of ``partners`` who has one (see ``_order_notify_find_mobiles``)."""
        reason = const.REASON_NO_PHONE
        for partner in partners:
            if partner.order_notify_opt_out or partner.commercial_partner_id.order_notify_opt_out:
                return [], const.REASON_OPTED_OUT
            phones = []
            for number in (partner.mobile, partner.phone):
                if not number:
                    continue
                mobiles, number_reason = extract_mobiles(number, partner.country_id or default_country)
                if not mobiles:
                    reason = number_reason
                phones += [mobile for mobile in mobiles if mobile not in phones]
            if phones:
                return phones, False
        return [], reason

    def _order_notify_get_emails(self):
        """Return ``([email], False)``: the address the e-mail channel writes to, or
        ``([], reason_code)``. The customer who ordered first (the invoice contact reads the
        shop's e-mails more than the person receiving the parcel), then the shipping contact;
        an opt-out or an address in Odoo's mail blacklist stops everything."""
        self.ensure_one()
        return self._order_notify_get_emails_batch()[self.id]

    def _order_notify_get_emails_batch(self):
        """``_order_notify_get_emails`` of every order of ``self`` at once, as ``{order id:
        (emails, reason_code)}``, with one mail blacklist search for all addresses."""
        found = {}  # (customer, shipping contact) -> ([email], reason_code)
        keys = {}
        for order in self:
            key = (order.partner_id, order.partner_shipping_id)
            keys[order.id] = key
            if key not in found:
                found[key] = self._order_notify_find_email(order.partner_id | order.partner_shipping_id)
        addresses = {emails[0] for emails, _reason in found.values() if emails}
        blacklisted = set()
        if addresses:
            blacklisted = set(self.env['mail.blacklist'].sudo().search_fetch(
                [('email', 'in', sorted(addresses)), ('active', '=', True)], ['email'],
            ).mapped('email'))
        results = {}
        for order_id, key in keys.items():
            emails, reason = found[key]
            results[order_id] = ([], const.REASON_BLACKLISTED) if emails and emails[0] in blacklisted \
                else (list(emails), reason)
        return results

    @api.model
    def _order_notify_find_email(self, partners):
        """The normalized address of the first of ``partners`` who has a valid one, or ``([],
        reason_code)`` (an opt-out stops the search). The blacklist is the caller's business."""
        reason = const.REASON_NO_EMAIL
        for partner in partners:
            if partner.order_notify_opt_out or partner.commercial_partner_id.order_notify_opt_out:
                return [], const.REASON_OPTED_OUT
            if not partner.email:
                continue
            normalized = email_normalize(partner.email)
            if not normalized:
                reason = const.REASON_INVALID_EMAIL
                continue
            return [normalized], False
        return [], reason

    def _order_notify_typed_numbers(self):
        """The numbers of the shipping contact and the customer as they were typed: shown in the
        reason of a skipped message so that the salesperson sees what was tried."""
        self.ensure_one()
        numbers = [self.order_notify_phone.strip()] if (self.order_notify_phone or '').strip() else []
        for partner in self.partner_shipping_id | self.partner_id:
            numbers += [n.strip() for n in (partner.mobile, partner.phone) if n and n.strip() not in numbers]
        return numbers

    def _order_notify_get_values(self, event, picking=None):
        """The order values templates use, formatted in the buyer's language. Raw numbers are
        also given as ``<key>_value`` for providers that want plain numbers."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang or 'vi_VN'
        env = self.with_context(lang=lang).env
        if not picking:
            picking = self.picking_ids.filtered(
                lambda p: p.picking_type_code == 'outgoing' and p.state == 'done'
            ).sorted('date_done', reverse=True)[:1]
        amount_paid = self._order_notify_amount_paid()
        if picking and picking.sale_id == self and event == 'shipped':
            to_collect = picking.order_notify_cod_amount  # this parcel's share (0 for returns and exchanges)
        else:
            to_collect = self._order_notify_amount_to_collect()
        expected_date = (picking and picking.order_notify_expected_date) or self.commitment_date
        lines = self.order_line.filtered(lambda l: not l.display_type and not l.is_delivery)
        product_summary = ", ".join(f"{line.product_uom_qty:g} x {line.product_id.name}" for line in lines)
        cancel_reason = (self.order_notify_cancel_reason or '').strip() if self.state == 'cancel' else ''
        tracking_url = picking.carrier_tracking_url if picking and picking.carrier_tracking_ref else ''
        return {
            'customer_name': self.partner_id.name or '',
            'order_ref': self.name,
            'order_date': format_date(env, self._order_notify_local_date(self.date_order), date_format='dd/MM/yyyy'),
            'amount_total': format_amount(env, self.amount_total, self.currency_id),
            'amount_total_value': self.amount_total,
            'amount_paid': format_amount(env, amount_paid, self.currency_id),
            'amount_paid_value': amount_paid,
            'cod_amount': format_amount(env, to_collect, self.currency_id),
            'cod_amount_value': to_collect,
            'carrier': (picking.carrier_id.name if picking else '') or self.carrier_id.name or '',
            'tracking_ref': (picking.carrier_tracking_ref if picking else '') or '',
            'tracking_url': tracking_url if tracking_url and tracking_url.startswith('http') else '',
            'expected_date': format_date(env, expected_date, date_format='dd/MM/yyyy') if expected_date else '',
            'product_summary': shorten_text(product_summary, const.PRODUCT_SUMMARY_MAX_LENGTH),
            # The reason given when cancelling; ``cancel_reason`` is never empty, for provider
            # templates whose fixed text has a "Reason:" label, ``cancel_reason_value`` is
            # empty when no reason was given (text templates leave the label out then).
            'cancel_reason': cancel_reason or env._("contact the shop for details"),
            'cancel_reason_value': cancel_reason,
            'order_url': self._order_notify_order_url(),
            'shop_name': self.company_id.name,
            'shop_phone': self.company_id.phone or '',
            **self._order_notify_get_journey_values(event, picking, env),
            **self._order_notify_get_carrier_values(event, picking, env),
        }

    def _order_notify_get_carrier_values(self, event, picking, env):
        """The values of the carrier's events (``const.CARRIER_EVENTS``): the parcel's amount to
        collect (as for ``shipped``), the carrier's reason for a failed attempt and how to get
        the parcel delivered again. Empty for the other events, at no cost.

        ``failed_reason`` is never empty (provider templates with a fixed "Reason:" label);
        ``failed_reason_value`` is empty when the carrier gave none."""
        if event not in const.CARRIER_EVENTS:
            return {'failed_reason': '', 'failed_reason_value': '', 'reschedule_hint': ''}
        values = {}
        if picking and picking.sale_id == self:
            to_collect = picking.order_notify_cod_amount
            values.update(cod_amount=format_amount(env, to_collect, self.currency_id), cod_amount_value=to_collect)
        reason = (picking.order_notify_failed_reason or '').strip() if picking else ''
        phone = self.company_id.phone
        values.update(
            failed_reason=reason or env._("the carrier could not reach you"),
            failed_reason_value=reason,
            reschedule_hint=env._("call the shop at %s to choose another delivery time", phone) if phone
            else env._("contact %s to choose another delivery time", self.company_id.name),
        )
        return values

    def _order_notify_order_url(self):
        """The buyer's link to the order, read only: the dispatcher never writes the order. The
        portal token is created when the message is queued (``_order_notify_enqueue``); an order
        without one (queued before that) gets the plain portal link, which asks to sign in."""
        self.ensure_one()
        if self.access_token:
            return self.get_base_url() + self.get_portal_url()
        return self.get_base_url() + self.access_url

    def _order_notify_local_date(self, utc_datetime):
        tz = self.company_id._order_notify_local_tz()
        return fields.Datetime.context_timestamp(self.with_context(tz=tz.zone), utc_datetime).date()

    # === ACTION METHODS === #

    def action_view_order_notify_messages(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_message')
        action['domain'] = [('order_id', '=', self.id)]
        action['context'] = {'default_order_id': self.id, 'create': False}
        return action
