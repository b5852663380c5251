# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import time
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_status_notify import const

_logger = logging.getLogger(__name__)

# Rendered messages kept as a sample, per event and channel.
SAMPLE_SIZE = 2
# Orders read (and their values prefetched) per batch.
BATCH_SIZE = 500


class OrderNotifyDryRun(models.TransientModel):
    """*Preview*: what the notifications would have done with the shop's recent orders, under
    the current settings, templates, channels and providers, before switching them on.

    Nothing is sent and no message is written: the orders of the last days are replayed in
    memory through the same steps as the queue (events of each order, channel of each event
    with its fallback, the buyer's phone, the template, the provider's price).
    """
    _name = 'order.notify.dry.run'
    _description = "Order Notifications Preview"

    days = fields.Integer(string="Orders of the Last", default=30, required=True)
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', required=True, default=lambda self: self.env.company,
        domain=lambda self: [('id', 'in', self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related='company_id.currency_id')
    is_done = fields.Boolean(string="Done")
    order_count = fields.Integer(string="Orders", readonly=True)
    message_count = fields.Integer(string="Messages", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    deferred_count = fields.Integer(
        string="Wait for Sending Hours", readonly=True,
        help="Messages whose event happened outside the sending hours: they would leave at the next opening.",
    )
    segment_count = fields.Integer(string="SMS Segments", readonly=True)
    cost = fields.Monetary(string="Estimated Cost", currency_field='currency_id', readonly=True)
    cost_per_month = fields.Monetary(
        string="Estimated Cost per Month", currency_field='currency_id', readonly=True,
        help="The estimated cost of the period brought to 30 days.",
    )
    duration = fields.Float(string="Computed In (s)", readonly=True, digits=(16, 2))
    line_ids = fields.One2many(
        string="Figures", comodel_name='order.notify.dry.run.line', inverse_name='dry_run_id', readonly=True,
    )
    sample_html = fields.Html(string="Sample Messages", readonly=True, sanitize=True)

    # === CONSTRAINT METHODS === #

    @api.constrains('days')
    def _check_days(self):
        if any(not 1 <= dry_run.days <= 366 for dry_run in self):
            raise UserError(_("The preview replays between 1 and 366 days of orders."))

    # === ACTION METHODS === #

    def action_run(self):
        """Replay the orders and show the figures in the same window."""
        self.ensure_one()
        self.env['order.notify.provider'].check_access('write')  # notification admins only
        started = time.monotonic()
        result = self._order_notify_simulate(self._order_notify_get_orders())
        duration = time.monotonic() - started
        _logger.info("Order notifications preview: %s orders in %.2f s", result['order_count'], duration)
        self.line_ids.unlink()
        Registry = self.env['order.notify.registry']
        event_labels = dict(Registry._selection_events())
        self.write({
            'is_done': True,
            'order_count': result['order_count'],
            'message_count': sum(line['count'] for line in result['messages'].values()),
            'skipped_count': sum(result['skipped'].values()),
            'deferred_count': result['deferred'],
            'segment_count': result['segment_count'],
            'cost': result['cost'],
            'cost_per_month': result['cost'] * 30.0 / self.days,
            'duration': duration,
            'line_ids': [
                fields.Command.create({
                    'kind': 'message', 'event': event, 'channel': channel, 'count': line['count'],
                    'segment_count': line['segment_count'], 'cost': line['cost'],
                })
                for (event, channel), line in sorted(
                    result['messages'].items(), key=lambda item: (Registry._get_event(item[0][0])['sequence'], item[0][1]))
            ] + [
                fields.Command.create({'kind': 'skipped', 'reason': reason, 'count': count})
                for reason, count in sorted(result['skipped'].items())
            ],
            'sample_html': self._order_notify_sample_html(result['samples'], event_labels),
        })
        return {
            'type': 'ir.actions.act_window',
            'res_model': self._name,
            'res_id': self.id,
            'view_mode': 'form',
            'target': 'new',
            'name': _("Preview"),
        }

    # === BUSINESS METHODS === #

    def _order_notify_get_orders(self):
        """The confirmed (or cancelled) orders of the company placed in the last ``days``."""
        since = fields.Datetime.now() - timedelta(days=self.days)
        return self.env['sale.order'].search([
            ('company_id', '=', self.company_id.id),
            ('date_order', '>=', since),
            ('state', 'in', ('sale', 'cancel')),
        ], order='date_order, id')

    def _order_notify_simulate(self, orders):
        """Replay ``orders``: the messages each would get, per event and channel, the buyers
        skipped and why, SMS segments, cost in the company currency, a sample of texts.

        The dispatcher's steps for each event: the first channel with an enabled provider; the
        buyer's address of that channel's kind (phone or e-mail); a buyer without one goes on
        with the next channel sending to another kind of address, one who opted out stops; a
        buyer known not to be on the channel goes on with the next channel. The addresses of
        all the orders are read at once (``sale.order._order_notify_get_phones_batch`` /
        ``…_emails_batch``: each buyer once, one blacklist search), the orders' values per batch.

        :return: ``{'order_count', 'messages': {(event, channel): {'count', 'segment_count',
                 'cost'}}, 'skipped': {reason: count}, 'deferred', 'segment_count', 'cost',
                 'samples': [...]}``
        """
        self.ensure_one()
        company = self.company_id
        Registry = self.env['order.notify.registry']
        Route = self.env['order.notify.route']
        Provider = self.env['order.notify.provider']
        Template = self.env['order.notify.template']
        Message = self.env['order.notify.message']
        channels_of = {event: Route._order_notify_get_channels(event, company) for event in Registry._get_events()}
        all_channels = set().union(*channels_of.values())
        providers = {channel: Provider._order_notify_get_available(channel, company) for channel in all_channels}
        kind_of = {channel: Registry._get_channel(channel)['recipient'] for channel in all_channels}
        kinds_used = {kind_of[channel] for channel in all_channels if providers[channel]}
        channel_labels = dict(Provider._fields['channel']._description_selection(self.env))
        templates = {}
        messages = defaultdict(lambda: {'count': 0, 'segment_count': 0, 'cost': 0.0})
        skipped = defaultdict(int)
        samples = []
        deferred = 0
        segment_count = 0
        cost = 0.0
        today = fields.Date.context_today(self)
        rates = {}  # provider currency -> rate to the company currency
        openings = {}  # when -> deferred?
        skip_texts = {}
        no_template = _("No template for this event on this channel.")
        render_failed = _("The template cannot be rendered for this order.")
        no_provider = _("No enabled provider for the channels of this event.")

        def convert(provider, amount):
            # as ``res.currency._convert``, with each rate read once
            if provider.currency_id not in rates:
                rates[provider.currency_id] = provider.currency_id._convert(1.0, company.currency_id, company, today, round=False)
            return company.currency_id.round((amount or 0.0) * rates[provider.currency_id])

        def skip_reason(order, channel, reason_code):
            # The core's sentences depend on the order's contacts only (the numbers typed)
            kind = kind_of[channel]
            key = (kind, reason_code, order.partner_shipping_id.id, order.partner_id.id) \
                if kind in ('phone', 'email') else None
            if key is None or key not in skip_texts:
                text = Message._order_notify_text(Provider._order_notify_recipient_skip_reason(order, channel, reason_code))
                if key is None:
                    return text
                skip_texts[key] = text
            return skip_texts[key]

        # The buyers' addresses of every order at once: a few hundred buyers for thousands of
        # orders, each read and checked against the blacklists once.
        addresses = {}
        if 'phone' in kinds_used:
            addresses['phone'] = orders._order_notify_get_phones_batch()
        if 'email' in kinds_used:
            addresses['email'] = orders._order_notify_get_emails_batch()
        orders.invalidate_recordset()
        for start in range(0, len(orders), BATCH_SIZE):
            batch = orders[start:start + BATCH_SIZE]
            for order in batch:
                own_addresses = {}  # kinds the core does not know, asked to the provider per order

                def recipients_of(channel):
                    kind = kind_of[channel]
                    if kind in addresses:
                        return addresses[kind][order.id]
                    if channel not in own_addresses:
                        own_addresses[channel] = Provider._order_notify_get_recipients(order, channel)
                    return own_addresses[channel]

                for event, picking, when in self._order_notify_get_events(order):
                    channels = [channel for channel in channels_of[event] if providers[channel]]
                    if not channels_of[event]:
                        continue
                    if not channels:
                        skipped[no_provider] += 1
                        continue
                    other_kind_than = None  # after a buyer without address: only channels of another kind
                    for channel in channels:
                        if other_kind_than and kind_of[channel] == other_kind_than:
                            continue
                        recipients, reason_code = recipients_of(channel)
                        if not recipients:
                            skipped[skip_reason(order, channel, reason_code)] += 1
                            if reason_code not in const.NO_ADDRESS_REASONS:
                                break
                            other_kind_than = kind_of[channel]
                            continue
                        other_kind_than = None
                        provider = providers[channel]
                        key = (event, channel, provider.id)
                        if key not in templates:
                            templates[key] = Template._order_notify_find(event, channel, provider, company)
                        template = templates[key]
                        if not template:
                            skipped[no_template] += 1
                            break
                        try:
                            rendered = template._order_notify_render(order, event, picking=picking)
                        except UserError:
                            skipped[render_failed] += 1
                            break
                        estimate = provider._order_notify_estimate(
                            rendered['content'], rendered['params'], template, order.partner_id,
                            recipients[0] if kind_of[channel] == 'phone' else None,
                        )
                        if estimate['unreachable']:
                            skipped[_("Not on %(channel)s (as far as known): next channel",
                                      channel=channel_labels.get(channel, channel))] += 1
                            continue
                        amount = convert(provider, estimate['cost'])
                        line = messages[(event, channel)]
                        line['count'] += 1
                        line['cost'] += amount
                        if channel == 'sms':
                            line['segment_count'] += estimate['segment_count']
                            segment_count += estimate['segment_count']
                        cost += amount
                        if when:
                            if when not in openings:
                                openings[when] = bool(company._order_notify_next_opening(when))
                            deferred += openings[when]
                        if sum(1 for sample in samples if sample[:2] == (event, channel)) < SAMPLE_SIZE:
                            samples.append((event, channel, order.name, estimate))
                        break
            batch.invalidate_recordset()  # keep memory flat on 10,000 orders
        return {
            'order_count': len(orders),
            'messages': dict(messages),
            'skipped': dict(skipped),
            'deferred': deferred,
            'segment_count': segment_count,
            'cost': company.currency_id.round(cost),
            'samples': samples,
        }

    def _order_notify_get_events(self, order):
        """The events ``order`` went through, as ``(event, picking, when)``, in the order the
        hooks queue them: placed when confirmed, shipped per parcel that left, delivered when
        every parcel arrived, paid when fully paid (unless the thank-you covers it), cancelled
        when a confirmed order was cancelled. An order counts as confirmed once it has
        deliveries or invoices (a cancelled quotation never told the buyer anything)."""
        outgoing = order.picking_ids.filtered(lambda p: p.picking_type_code == 'outgoing' and p.state != 'cancel')
        confirmed = order.state == 'sale' or bool(order.picking_ids or order.invoice_ids)
        if not confirmed:
            return []
        events = [('placed', None, order.date_order)]
        if order.state == 'cancel':
            return events + [('cancelled', None, order.write_date)]
        done = outgoing.filtered(lambda p: p.state == 'done')
        events += [('shipped', picking, picking.date_done) for picking in done.sorted('date_done')]
        delivered = bool(outgoing) and all(p.state == 'done' and p.order_notify_delivered_date for p in outgoing)
        if delivered:
            events.append(('delivered', None, max(outgoing.mapped('order_notify_delivered_date'))))
        elif order.currency_id.compare_amounts(order._order_notify_amount_paid(), order.amount_total) >= 0:
            events.append(('paid', None, None))
        return events

    def _order_notify_sample_html(self, samples, event_labels):
        channel_labels = dict(self.env['order.notify.provider']._fields['channel']._description_selection(self.env))
        parts = []
        for event, channel, order_name, estimate in samples:
            details = [channel_labels.get(channel, channel), event_labels.get(event, event), order_name]
            if channel == 'sms':
                details.append(_("%(chars)s characters, %(segments)s SMS",
                                 chars=estimate['char_count'], segments=estimate['segment_count']))
            parts.append(Markup('<div class="mb-3"><div class="text-muted small">%s</div>'
                                '<div class="border rounded p-2" style="white-space: pre-wrap;">%s</div></div>') % (
                " · ".join(str(detail) for detail in details), escape(estimate['text'])))
        return Markup('').join(parts) or Markup('<p>%s</p>') % _("No message would be sent.")
