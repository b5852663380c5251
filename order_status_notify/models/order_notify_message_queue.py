# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import is_transaction_error

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


class OrderNotifyMessage(models.Model):
    """The queue side of the messages: what business hooks call (enqueue, inside their
    transaction), and what providers report afterwards (reconciliation, delivery reports)."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: ENQUEUE === #

    @api.model
    def _order_notify_event_ref(self, event, picking=None, ref=None, now=None):
        """What tells two messages of ``event`` apart within one order life, by the event's
        scope (``order.notify.registry._get_events``): nothing (once per order), the parcel,
        the hook's own reference, or the time window of a reminder."""
        spec = self.env['order.notify.registry']._get_event(event)
        scope = spec['scope']
        if scope == 'parcel':
            return f"p{picking.id}" if picking else False
        if scope == 'ref':
            return str(ref) if ref else False
        if scope == 'bucket':
            moment = now or fields.Datetime.now()
            return f"b{int(moment.timestamp() // 3600) // max(int(spec['bucket_hours']), 1)}"
        return False

    @api.model
    def _order_notify_make_key(self, order, event, channel, picking=None, revision=1, attempt_phone=0, ref=None):
        """The idempotency key of a message: one per (order, event, channel) and event
        reference (``_order_notify_event_ref``: the parcel, the hook's reference…), per life of
        the order from its second one (``-r2``), per other number of the buyer tried on the
        channel (``-a1``). It starts with a piece of the database uuid because providers keep it
        account-wide (eSMS RequestId), and it fits ZNS's tracking_id (≤ 48 safe chars)."""
        dbuuid = self.env['ir.config_parameter'].sudo().get_param('database.uuid', '')[:8]
        key = f"osn-{dbuuid}-{order.id}-{event}-{channel}"
        ref = ref if ref is not None else self._order_notify_event_ref(event, picking)
        if ref:
            key += f"-{ref}"
        if revision and revision > 1:
            key += f"-r{revision}"
        if attempt_phone:
            key += f"-a{attempt_phone}"
        return key

    @api.model
    def _order_notify_enqueue(self, order, event, picking=None, delay_minutes=0, ref=None, debounce_minutes=0):
        """Queue the message of ``event`` for ``order`` on the first channel of the event that
        has a provider, unless this order already has a message for this event (and reference:
        see the event's scope).

        :param ref: the hook's reference, for events of scope ``ref`` (a change counter, a return)
        :param int delay_minutes: hold the message this long (a following event may absorb it)
        :param int debounce_minutes: when the message is still waiting, push it back this long
            instead of queuing another: several edits within the window make one message, sent
            with the values of the last one

        Called from business hooks inside their transaction: it only creates a row and wakes
        the dispatcher, never calls a provider, and never raises into the sale flow.
        """
        # No savepoint around it (the sale's transaction is not flushed for it): it only reads,
        # except the message's INSERT, which has its own (``_order_notify_create_unique``).
        try:
            return self._order_notify_enqueue_one(
                order, event, picking, delay_minutes, ref=ref, debounce_minutes=debounce_minutes,
            )
        except Exception as error:  # noqa: BLE001 - a notification must never block a sale
            if is_transaction_error(error):
                # Not the notification's fault: the business transaction itself cannot go on
                # (serialization failure, deadlock, aborted transaction, lost connection).
                # Swallowing it would commit a half-done sale, or fail later with "current
                # transaction is aborted"; raised, Odoo retries the whole request.
                raise
            _logger.exception("Could not queue the %s notification of order %s", event, order.display_name)
            return self.browse()

    @api.model
    def _order_notify_enqueue_one(self, order, event, picking=None, delay_minutes=0, ref=None, debounce_minutes=0):
        company = order.company_id
        channels = self.env['order.notify.route']._order_notify_get_channels(event, company)
        if not channels:
            return self.browse()  # the event is off for this company
        revision = order.order_notify_revision
        event_ref = self._order_notify_event_ref(event, picking, ref)
        existing = self.sudo().search([
            ('order_id', '=', order.id), ('event', '=', event), ('is_test', '=', False), ('revision', '=', revision),
            ('ref', '=', event_ref),
        ], limit=1)
        if existing:
            if debounce_minutes and existing.state == 'queued' and not existing.attempt_count:
                # Still waiting: it leaves later, with the values of the last change.
                existing.write({
                    'next_attempt_at': fields.Datetime.now() + timedelta(minutes=debounce_minutes),
                    'content': False, 'params': False, 'subject': False, 'template_id': False,
                    'reason_code': const.REASON_MERGE_HOLD,
                    'reason': _lt("Waiting %s minutes for more changes: one message tells them all.", debounce_minutes),
                })
                existing._order_notify_trigger_dispatch(existing.next_attempt_at)
            return existing
        # The order link of the message needs the order's portal token: create it now, in the
        # business transaction, so that the dispatcher only reads it and never writes the order
        # (a write there would collide with the salesperson validating or cancelling it).
        order._portal_ensure_token()
        channel, provider, currency_id = self._order_notify_pick_channel(channels, company)
        delay_minutes = max(delay_minutes, debounce_minutes)
        vals = {
            'order_id': order.id,
            'order_name': order.name,
            'picking_id': picking.id if picking else False,
            'partner_id': order.partner_id.id,
            'company_id': company.id,
            'user_id': order.user_id.id,
            'team_id': order.team_id.id,
            'event': event,
            'ref': event_ref,
            'channel': channel,
            'provider_id': provider.id,
            'currency_id': currency_id or self._order_notify_default_currency().id,
            'revision': revision,
            'idempotency_key': self._order_notify_make_key(order, event, channel, picking, revision=revision, ref=event_ref),
            'next_attempt_at': fields.Datetime.now() + timedelta(minutes=delay_minutes),
        }
        thanked = self._order_notify_get_thank_you(order, event, revision)
        if thanked:
            vals.update(state='skipped', reason_code=const.REASON_ALREADY_THANKED, reason=_lt(
                "The buyer was already thanked for this order (%(event)s message of %(date)s): that message covered "
                "this one.",
                event=self._order_notify_event_label(thanked.event),
                date=company._order_notify_format_local(thanked.sent_date or thanked.create_date),
            ))
        elif debounce_minutes:
            vals.update(reason_code=const.REASON_MERGE_HOLD, reason=_lt(
                "Waiting %s minutes for more changes: one message tells them all.", debounce_minutes,
            ))
        elif delay_minutes:
            vals.update(reason_code=const.REASON_MERGE_HOLD, reason=_lt(
                "Held %s minutes: if the parcel is received meanwhile, the thank-you message replaces this one.",
                delay_minutes,
            ))
        if not provider:
            vals.update(
                state='skipped', reason_code=const.REASON_NO_PROVIDER,
                reason=_lt("No enabled provider for the channels of this event."),
            )
        # Stored computed fields given at once: no UPDATE of the new row right after its INSERT.
        vals.update(
            is_deferred=vals.get('state', 'queued') == 'queued' and vals.get('reason_code') in const.DEFER_REASONS,
            sent_day=False,
        )
        message = self._order_notify_create_unique(vals)
        if message and message.state == 'queued':
            message._order_notify_trigger_dispatch(message.next_attempt_at)
        return message

    @api.model
    def _order_notify_reroute_waiting(self, channel):
        """Move to ``channel`` the messages that were queued before it was installed, never
        tried, and would have gone by it: it comes before their channel in their company's chain
        and has an available provider. Their key is rebuilt (nothing left with the old one)."""
        Provider = self.env['order.notify.provider']
        Route = self.env['order.notify.route']
        waiting = self.search([
            ('state', '=', 'queued'), ('attempt_count', '=', 0), ('send_started_at', '=', False),
            ('fallback_from_id', '=', False), ('is_test', '=', False), ('channel', '!=', channel),
            ('order_id', '!=', False),
        ])
        moved = self.browse()
        chains, providers = {}, {}  # per (event, company) and per company: one search each, not per message
        for message in waiting:
            company = message.company_id
            chain_key = (message.event, company.id)
            if chain_key not in chains:
                chains[chain_key] = Route._order_notify_get_channels(message.event, company)
            channels = chains[chain_key]
            if channel not in channels or (message.channel in channels
                                           and channels.index(channel) > channels.index(message.channel)):
                continue
            if company.id not in providers:
                providers[company.id] = Provider._order_notify_get_available(channel, company)
            provider = providers[company.id]
            if not provider:
                continue
            message.write({
                'channel': channel, 'provider_id': provider.id, 'currency_id': provider.currency_id.id,
                'phone': False, 'recipient': False, 'alternative_phones': False, 'template_id': False,
                'content': False, 'params': False, 'subject': False,
                'idempotency_key': self._order_notify_make_key(
                    message.order_id, message.event, channel, revision=message.revision, ref=message.ref or False,
                ),
            })
            moved |= message
        if moved:
            _logger.info("Order notifications %s queued before the %s channel existed now go by it", moved.ids, channel)
        return moved

    @api.model
    def _order_notify_get_thank_you(self, order, event, revision):
        """The message that already told the buyer what ``event`` would tell (the thank-you for
        a COD payment registered after delivery), if it left: see ``absorbed_by``."""
        absorbed_by = self.env['order.notify.registry']._get_event(event)['absorbed_by']
        if not absorbed_by:
            return self.browse()
        return self.sudo().search([
            ('order_id', '=', order.id), ('event', 'in', absorbed_by), ('is_test', '=', False),
            ('revision', '=', revision), ('state', 'in', const.SUCCESS_STATES),
        ], limit=1)

    @api.model
    def _order_notify_pick_channel(self, channels, company):
        """Return ``(channel, provider, currency id)`` of the first channel of ``channels`` with
        an enabled provider; ``(channels[0], empty, False)`` when none has one. Read from the
        registry's cache: a business hook reads no provider."""
        Provider = self.env['order.notify.provider']
        for channel in channels:
            provider_id, currency_id = Provider._order_notify_get_available_id(channel, company.id)
            if provider_id:
                return channel, Provider.sudo().browse(provider_id), currency_id
        return channels[0], Provider, False

    @api.model
    def _order_notify_create_unique(self, vals):
        """Create a message unless its idempotency key exists (two hooks or two workers racing):
        the unique index decides, inside a savepoint so the business transaction goes on. The
        savepoint (2 light statements) also keeps the sale going when the INSERT fails for any
        other reason (a constraint, a value the column refuses): a notification never blocks a
        sale, and a transaction whose statement failed could not go on."""
        try:
            with self.env.cr.savepoint():
                return self.sudo().create(vals)
        except psycopg2.IntegrityError:
            return self.sudo().search([('idempotency_key', '=', vals['idempotency_key'])])

    # === BUSINESS METHODS: RECONCILIATION === #

    def _order_notify_start_reconcile(self, error, provider):
        """The provider may have accepted this message (ambiguous answer) and has no idempotency
        key: wait for its proof (delivery report) until the provider's reconciliation window
        ends, instead of resending it (``_order_notify_reconcile_due``)."""
        self.invalidate_recordset(['state', 'provider_message_ref'])
        if self.state != 'sending' or self.provider_message_ref:
            return True  # a delivery report settled it while we were waiting for the answer
        deadline = fields.Datetime.now() + timedelta(minutes=max(provider.reconcile_window_minutes, 1))
        self.write({
            'state': 'reconciling', 'next_attempt_at': deadline, 'reason_code': const.REASON_RECONCILING,
            'reason': _lt(
                "%(error)s %(provider)s may have accepted it and has no idempotency key: not sent again "
                "unless it proves it did not, checked until %(deadline)s UTC.",
                error=error.lazy_message, provider=provider.name, deadline=fields.Datetime.to_string(deadline),
            ),
        })
        self._order_notify_trigger_dispatch(deadline)
        return True

    @api.model
    def _order_notify_reconcile_due(self):
        """Close the reconciliation of messages whose window ended: the provider says whether it
        accepted each one (``order.notify.provider._order_notify_reconcile``); accepted ones are
        sent, ones it provably did not accept go back to the queue, the others become
        ``unknown`` for a person to check (no automatic resend, no duplicate)."""
        due = self.search([('state', '=', 'reconciling'), ('next_attempt_at', '<=', fields.Datetime.now())])
        for provider, messages in due.grouped('provider_id').items():
            verdicts = provider._order_notify_reconcile(messages) if provider else {}
            for message in messages:
                if message.state != 'reconciling':
                    continue  # settled by the provider's answer meanwhile
                verdict = verdicts.get(message.id)
                if verdict == 'not_accepted':
                    message._order_notify_defer(fields.Datetime.now(), const.ERROR_TRANSIENT, _lt(
                        "%s did not accept the message: sent again.", provider.name,
                    ))
                else:
                    message._order_notify_set_state('unknown', const.REASON_NOT_CONFIRMED, _lt(
                        "%s did not confirm the message within its reconciliation window; it has no "
                        "idempotency key, so the message is not sent again automatically. Check with the "
                        "provider before sending again.", provider.name,
                    ))
        return due

    def _order_notify_mark_reconciled(self, vals=None):
        """The provider proved it accepted this message after an ambiguous answer: record it
        as sent when its last call started, with the provider's values (message id…)."""
        for message in self.filtered(lambda m: m.state in ('reconciling', 'unknown', 'sending')):
            message.write({
                'state': 'sent', 'sent_date': message.sent_date or message.send_started_at or fields.Datetime.now(),
                'reason_code': False, 'reason': False, 'error_code': False, **(vals or {}),
            })
            _logger.info("Order notification %s: the provider confirmed it accepted it", message.id)
        return True

    # === BUSINESS METHODS: DELIVERY REPORTS === #

    def _order_notify_process_report(self, status, delivered_date=None, cost=None, reason=None):
        """Apply a provider's delivery report (webhook, callback or polled status). Repeats and
        late reports after a final state change nothing.

        A reported ``cost`` replaces the estimate; a reported cost of 0 (e.g. a ZNS message that
        was not delivered, which Zalo does not charge) marks the message as not charged, so the
        cost report matches the provider's invoice."""
        for message in self:
            if status == 'delivered':
                if message.state == 'delivered':
                    continue
                vals = {'state': 'delivered', 'delivered_date': delivered_date or fields.Datetime.now()}
            elif status == 'failed' and message.state in ('sent', 'unknown'):
                vals = {'state': 'failed', 'reason_code': 'not_delivered', 'reason': reason or _lt("The provider could not deliver the message.")}
            else:
                continue
            if cost is not None:
                vals.update(
                    cost=cost, cost_source='provider' if cost else 'none',
                    currency_id=message.currency_id.id or message.provider_id.currency_id.id,
                )
            message.write(vals)

    @api.model
    def _cron_fetch_status(self, after_minutes=30, within_days=3):
        """Ask providers about sent messages that got no delivery report for a while."""
        now = fields.Datetime.now()
        messages = self.search([
            ('state', 'in', ('sent', 'unknown')), ('provider_message_ref', '!=', False),
            ('sent_date', '<=', now - timedelta(minutes=after_minutes)),
            ('sent_date', '>=', now - timedelta(days=within_days)),
        ])
        for provider, provider_messages in messages.grouped('provider_id').items():
            if provider:
                provider._order_notify_fetch_status(provider_messages)
