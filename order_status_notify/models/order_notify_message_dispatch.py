# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import threading
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import OrderNotifyError, is_transaction_error

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


class OrderNotifyMessage(models.Model):
    """The dispatcher: claim due messages, decide for each one (send, defer, skip, fall
    back, fail) in one place, and never strand or double a message whatever fails."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: DISPATCH === #

    @api.model
    def _cron_dispatch(self, batch_size=const.DISPATCH_BATCH_SIZE, shard=0):
        """Entry point of the dispatcher jobs (also woken by ``_trigger`` right after a hook).

        :param int shard: which dispatcher job this is: with several (``_order_notify_get_shards``),
            each one claims only its own messages, so they run side by side on several servers
        """
        auto_commit = not getattr(threading.current_thread(), 'testing', False)
        shards = self._order_notify_get_shards()
        if shard >= shards:
            return  # a job left active after the number of jobs went down
        if shard == 0:
            self._order_notify_reap_stuck()
            self._order_notify_reconcile_due()
            if auto_commit:
                self.env.cr.commit()
        done = self._order_notify_process_queue(limit=batch_size, auto_commit=auto_commit, shard=shard)
        remaining, next_at = self._order_notify_shard_outlook(shard, shards)
        self.env['ir.cron']._notify_progress(done=done, remaining=remaining)
        # Wake up again for the next deferred or reconciling message, not at the next cron interval.
        if next_at:
            self.browse()._order_notify_trigger_dispatch_job(shard, next_at)

    @api.model
    def _order_notify_claim(self, limit, shard=0, exclude=()):
        """Return up to ``limit`` due messages of dispatcher job ``shard`` that no other worker
        holds, oldest first, locked for the current transaction but not marked.

        :param exclude: ids already claimed by this run (still queued until each one leaves)

        Nothing is written here: each message is locked again (``_order_notify_lock_due``) and
        marked ``sending`` only right before its own provider call (``_order_notify_mark_sending``),
        so that a worker dying mid-batch leaves the messages it had not started in the queue."""
        self.flush_model(['state', 'next_attempt_at'])
        shards = self._order_notify_get_shards()
        self.env.cr.execute(SQL(
            """SELECT id FROM %s
                WHERE state = 'queued' AND next_attempt_at <= %s AND mod(id, %s) = %s AND NOT (id = ANY(%s))
             ORDER BY next_attempt_at, id
                LIMIT %s
                  FOR UPDATE SKIP LOCKED""",
            SQL.identifier(self._table), fields.Datetime.now(), shards, shard % shards, list(exclude), limit,
        ))
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _order_notify_lock_due(self):
        """Lock this message for the current transaction if it is still queued and due. False
        when another worker holds it or handled it since the claim (the claim's locks end with
        the first commit of the batch)."""
        self.ensure_one()
        self.flush_recordset(['state', 'next_attempt_at'])
        self.env.cr.execute(SQL(
            "SELECT id FROM %s WHERE id = %s AND state = 'queued' AND next_attempt_at <= %s FOR UPDATE SKIP LOCKED",
            SQL.identifier(self._table), self.id, fields.Datetime.now(),
        ))
        if not self.env.cr.fetchone():
            return False
        self.invalidate_recordset()
        return True

    @api.model
    def _order_notify_process_queue(self, limit=const.DISPATCH_BATCH_SIZE, auto_commit=True, shard=0):
        """Claim a batch of due messages, then dispatch them: in parallel, each marked and
        committed before its provider call, when ``auto_commit`` (``_order_notify_process_parallel``,
        which claims the rest of the ``limit`` wave by wave, without waiting for the calls in
        flight to end); one by one in the current transaction otherwise (``_order_notify_process_one``)."""
        first = min(limit, const.DISPATCH_WAVE_SIZE) if auto_commit else limit
        for _attempt in range(5):
            try:
                messages = self.sudo()._order_notify_claim(first, shard=shard)
                break
            except psycopg2.errors.SerializationFailure:
                # Another worker sent some of the rows our snapshot still saw as queued
                # (REPEATABLE READ): start a new transaction, hence a new snapshot, and claim again.
                if not auto_commit:
                    raise
                self.env.cr.rollback()
        else:
            return 0
        if not auto_commit:
            return sum(message._order_notify_process_one(auto_commit) for message in messages)
        self.env.cr.commit()
        return messages._order_notify_process_parallel(limit=limit, shard=shard)

    def _order_notify_process_one(self, auto_commit=True):
        """Dispatch one message so that nothing is stranded or doubled, whatever fails.

        The message is locked if still queued, decided upon, marked ``sending`` and committed
        right before its provider call, and its outcome committed after it. A database error
        (serialization failure, constraint, lost connection) is logged and rolled back; when the
        provider had answered, its answer is recorded again in a fresh transaction, otherwise
        the message goes back to the queue, or becomes ``unknown`` if its call had started. The
        next message of the batch starts in a fresh transaction either way.

        :return: 1 when the message was handled (even badly), 0 when another worker had it
        """
        self.ensure_one()
        progress = {}
        try:
            if auto_commit:
                if not self._order_notify_lock_due():
                    return 0
                self._order_notify_dispatch(auto_commit=True, progress=progress)
                self.env.cr.commit()
            else:
                with self.env.cr.savepoint():
                    if not self._order_notify_lock_due():
                        return 0
                    self._order_notify_dispatch(progress=progress)
            return 1
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the queue
            if auto_commit:
                self.env.cr.rollback()
            self._order_notify_after_error(error, auto_commit, progress)
            return 1

    def _order_notify_after_error(self, error, auto_commit, progress):
        """After an unexpected error while dispatching this message, rolled back: record the
        provider's answer again if there was one and the database, not the answer, failed;
        otherwise recover the message (``_order_notify_recover``)."""
        _logger.error("Order notification %s: error while dispatching, rolled back", self.id, exc_info=error)
        if auto_commit and 'outcome' in progress and is_transaction_error(error):
            for _retry in range(3):
                try:
                    if self._order_notify_record_outcome_again(*progress['outcome']):
                        self.env.cr.commit()
                        return
                    break
                except Exception:  # noqa: BLE001
                    self.env.cr.rollback()
                    _logger.exception("Order notification %s: could not record the provider's answer", self.id)
        self._order_notify_recover(error, auto_commit, progress.get('send_started_at'))

    def _order_notify_record_outcome_again(self, provider, vals, error):
        """Record the provider's answer in a new transaction, after the first attempt to record
        it was rolled back. False when the message is no longer ours to record (a delivery
        report settled it meanwhile)."""
        self.invalidate_recordset()
        if self.state != 'sending':
            return False
        if error is not None:
            self._order_notify_handle_error(error, provider)
        else:
            self._order_notify_record_sent(provider, vals)
        return True

    def _order_notify_recover(self, error, auto_commit, send_started_at):
        """Put a message back on its feet after an unexpected error, in a fresh transaction:
        back to the queue (with a backoff, counted as an attempt) when its provider call had
        not started, ``unknown`` when it had (the provider may have the message). Never raises:
        a message it cannot recover stays queued or sending for the next run or the reaper."""
        try:
            self.flush_recordset()
            self.env.cr.execute(SQL(
                "SELECT id FROM %s WHERE id = %s FOR UPDATE SKIP LOCKED", SQL.identifier(self._table), self.id,
            ))
            if not self.env.cr.fetchone():
                return  # another worker holds it: it is theirs now
            self.invalidate_recordset()
            if send_started_at and self.state in ('sending', 'queued'):
                self._order_notify_set_state('unknown', const.REASON_INTERNAL, _lt(
                    "Unexpected error after the provider call started, check the server log and the provider "
                    "before sending again: %s", error,
                ))
            elif not send_started_at and self.state == 'queued':
                attempts = self.attempt_count + 1
                if attempts >= const.MAX_ATTEMPTS:
                    self.attempt_count = attempts
                    self._order_notify_set_state('failed', const.REASON_INTERNAL, _lt(
                        "Gave up after %(count)s attempts: %(error)s", count=attempts, error=error,
                    ))
                else:
                    delay = min(const.RETRY_BASE_SECONDS * 2 ** (attempts - 1), const.RETRY_MAX_SECONDS)
                    self.write({'attempt_count': attempts})
                    self._order_notify_defer(fields.Datetime.now() + timedelta(seconds=delay), const.REASON_INTERNAL, _lt(
                        "Not sent yet, an error interrupted the dispatcher (see the server log); retried "
                        "automatically: %s", error,
                    ))
            if auto_commit:
                self.env.cr.commit()
        except Exception:  # noqa: BLE001
            if auto_commit:
                self.env.cr.rollback()
            _logger.exception("Order notification %s: could not record the error; left for the next run", self.id)

    def _order_notify_dispatch(self, auto_commit=False, progress=None):
        """Decide what happens to a claimed message (``_order_notify_decide``), then send it and
        act upon the outcome.

        :param bool auto_commit: commit the ``sending`` mark before the provider call
        :param dict progress: filled with ``send_started_at`` when the provider call starts and
            ``outcome`` when it returned, for ``_order_notify_process_one`` to recover with
        """
        self.ensure_one()
        provider = self._order_notify_decide()
        if not provider:
            return True
        self._order_notify_mark_sending(auto_commit, progress)
        vals, error = self._order_notify_call_provider(provider)
        if progress is not None:
            progress['outcome'] = (provider, vals, error)
        return self._order_notify_record_outcome(provider, vals, error)

    def _order_notify_call_provider(self, provider):
        """Hand the message to ``provider``: ``(vals, None)`` when it took it, ``(None, error)``
        with the ``OrderNotifyError`` that says why not."""
        try:
            return provider._order_notify_send(self), None
        except OrderNotifyError as send_error:
            return None, send_error

    def _order_notify_record_outcome(self, provider, vals, error):
        if error is not None:
            return self._order_notify_handle_error(error, provider)
        return self._order_notify_record_sent(provider, vals)

    def _order_notify_decide(self, prefetched=None, told=None):
        """The one place that decides what happens to a claimed message: cancel, skip, defer,
        fall back, or send it, rendered, by the returned provider. The outcome of the send is
        acted upon in ``_order_notify_handle_error``.

        :param prefetched: ``(addresses, reason_code)`` of the buyer on the message's channel, when
            the caller read them already
        :param told: whether the buyer already got this message on another channel, when the
            caller knows it (``_order_notify_prefetch_told``) (``order.notify.provider._order_notify_get_recipients_batch``)
        :return: the provider to send the message with now, or False when the message was
            settled here (its state and reason say why)
        """
        self.ensure_one()
        order = self.order_id
        now = fields.Datetime.now()
        if not self.is_test:
            if order.state == 'cancel' and self.event != 'cancelled':
                self._order_notify_set_state(
                    'cancelled', const.REASON_ORDER_CANCELLED, _lt("The order was cancelled before this message left."),
                )
                return False
            if told if told is not None else self._order_notify_get_siblings().filtered(
                    lambda m: m.state in const.SUCCESS_STATES):
                self._order_notify_set_state(
                    'skipped', const.REASON_ALREADY_NOTIFIED, _lt("The buyer already got this message on another channel."),
                )
                return False
            absorbing = self._order_notify_get_absorbing_message()
            if absorbing:
                self._order_notify_set_state('skipped', const.REASON_MERGED, _lt(
                    "Merged into the %(event)s message: the buyer gets one message, not two.",
                    event=self._order_notify_event_label(absorbing.event),
                ))
                return False
        if not self._order_notify_get_recipient():
            Provider = self.env['order.notify.provider']
            recipients, reason_code = prefetched or Provider._order_notify_get_recipients(order, self.channel)
            if not recipients:
                self._order_notify_set_state('skipped', reason_code, Provider._order_notify_recipient_skip_reason(
                    order, self.channel, reason_code,
                ))
                # A buyer without a mobile may still have an e-mail address: the next channel
                # that sends elsewhere takes over. One who asked for no messages is not chased.
                if reason_code in const.NO_ADDRESS_REASONS:
                    self._order_notify_fallback(other_address=True)
                return False
            self._order_notify_set_recipients(recipients)
        provider = self.provider_id
        if provider.state not in ('test', 'enabled'):  # switched off since the message was queued
            provider = provider._order_notify_get_available(self.channel, self.company_id)
        if not provider:
            self._order_notify_set_state('skipped', const.REASON_NO_PROVIDER, _lt("No enabled provider for this channel."))
            self._order_notify_fallback()
            return False
        self.provider_id = provider
        if provider.is_paused:
            self._order_notify_defer(now + timedelta(minutes=30), const.REASON_PROVIDER_PAUSED, _lt(
                "The provider is paused: %s", provider.pause_reason or '',
            ))
            return False
        if not self.is_test and not self.force_send:
            opening = self.company_id._order_notify_next_opening(now)
            if opening:
                self._order_notify_defer(opening, const.REASON_QUIET_HOURS, _lt(
                    "Outside the sending hours of the shop; leaves at the next opening, %s.",
                    self.company_id._order_notify_format_local(opening),
                ))
                return False
            if self.env['order.notify.registry']._get_event(self.event)['kind'] == 'promotional' \
                    and self._order_notify_daily_cap_reached():
                tomorrow = self.company_id._order_notify_next_opening(now, next_day=True, promotional=True)
                self._order_notify_defer(tomorrow, const.REASON_DAILY_CAP, _lt(
                    "This customer reached today's message cap.",
                ))
                return False
        if not self.content and not self.params:
            try:
                self._order_notify_prepare_content()
            except UserError as error:
                self._order_notify_set_state('failed', const.REASON_RENDER_ERROR, str(error))
                return False
            if not self.content and not self.params:
                self._order_notify_set_state('failed', const.REASON_NO_TEMPLATE, _lt(
                    "No template for this event on this channel.",
                ))
                return False
        return provider

    def _order_notify_recipient_kind(self, channel=None):
        return self.env['order.notify.registry']._get_channel(channel or self.channel)['recipient']

    def _order_notify_get_recipient(self):
        """Where this message goes on its channel: the mobile for phone channels, else the
        channel's own address (e-mail, chat id); False until the dispatcher resolved it."""
        self.ensure_one()
        if self._order_notify_recipient_kind() == 'phone':
            return self.phone
        return self.recipient

    def _order_notify_set_recipients(self, recipients):
        """Record the address of this message (the first of ``recipients``) and, for phone
        channels, the buyer's other numbers, tried on the same channel when the first one
        cannot be reached there."""
        vals = {'recipient': recipients[0]}
        if self._order_notify_recipient_kind() == 'phone':
            vals.update(phone=recipients[0], alternative_phones=' '.join(recipients[1:]) or False)
        self.write(vals)

    def _order_notify_mark_sending(self, auto_commit=False, progress=None):
        """Record that the provider call of this message starts now, and commit it: a crash
        before this line leaves the message queued (sent later), a crash after it leaves it
        ``sending`` until the reaper makes it ``unknown``. The commit also ends the row lock: no
        other worker claims a row that is not queued."""
        started = fields.Datetime.now()
        self.write({'state': 'sending', 'send_started_at': started, 'attempt_count': self.attempt_count + 1})
        if auto_commit:
            self.env.cr.commit()
        if progress is not None:
            progress['send_started_at'] = started

    def _order_notify_record_sent(self, provider, vals):
        vals = dict(vals or {})
        vals.setdefault('state', 'sent')
        vals.setdefault('sent_date', fields.Datetime.now())
        if vals.get('cost'):
            vals.setdefault('cost_source', 'estimate')
        vals.update(reason_code=False, reason=False, error_code=False)
        self.write(vals)
        if 'cost' not in vals:
            # Shown until the provider reports what it billed (delivery report).
            estimate = provider._order_notify_estimate_cost(self)
            if estimate:
                self.write({'cost': estimate, 'cost_source': 'estimate', 'currency_id': provider.currency_id.id})
        _logger.info(
            "Order notification %s (%s, %s) %s through %s", self.id, self.event, self.channel, self.state, provider.name,
        )
        return True

    def _order_notify_handle_error(self, error, provider):
        """Turn a provider error into what happens next, by error class."""
        _logger.info("Order notification %s: %s error from %s: %s", self.id, error.error_class, provider.name, error)
        now = fields.Datetime.now()
        self.error_code = error.code and str(error.code)
        error_class = error.error_class
        if error_class == const.ERROR_TRANSIENT and error.ambiguous and not provider.support_idempotency_key:
            # The provider may have accepted the message and has no idempotency key: a resend
            # could reach the buyer twice (and be billed twice). Find out first.
            return self._order_notify_start_reconcile(error, provider)
        if error_class == const.ERROR_TRANSIENT:
            if self.attempt_count >= const.MAX_ATTEMPTS:
                return self._order_notify_set_state('failed', const.REASON_MAX_ATTEMPTS, _lt(
                    "Gave up after %(count)s attempts: %(error)s", count=self.attempt_count, error=error.lazy_message,
                ))
            delay = min(const.RETRY_BASE_SECONDS * 2 ** (self.attempt_count - 1), const.RETRY_MAX_SECONDS)
            return self._order_notify_defer(error.retry_at or now + timedelta(seconds=delay), error_class, error.lazy_message)
        if error_class == const.ERROR_UNREACHABLE:
            self._order_notify_set_state('skipped', error_class, error.lazy_message)
            return self._order_notify_fallback(other_phone=error.recipient)
        if error_class == const.ERROR_DEFER:
            retry_at = error.retry_at or self.company_id._order_notify_next_opening(now, next_day=True)
            provider._order_notify_alert(_("Sending deferred"), error.message, key=f'deferred-{error.code or error_class}')
            return self._order_notify_defer(retry_at, error_class, error.lazy_message)
        if error_class == const.ERROR_BALANCE:
            self.attempt_count -= 1  # not the message's fault: it keeps all its attempts
            provider._order_notify_pause(error.message)
            return self._order_notify_defer(now + timedelta(minutes=30), error_class, error.lazy_message)
        if error_class == const.ERROR_CONFIG:
            provider._order_notify_pause(error.message)
            return self._order_notify_set_state('failed', error_class, error.lazy_message)
        if error_class == const.ERROR_DUPLICATE:
            vals = {'state': 'sent', 'sent_date': self.sent_date or now, **error.vals}
            if vals.get('cost'):
                vals.setdefault('cost_source', 'estimate')
            self.write({**vals, 'reason_code': False, 'reason': False})
            return True
        if error_class == const.ERROR_TEMPLATE:
            self._order_notify_set_state('failed', error_class, error.lazy_message)
            self._order_notify_alert_template(provider, error)
            return self._order_notify_fallback()
        self._order_notify_set_state('failed', error_class, error.lazy_message)
        return self._order_notify_fallback() if error.fallback else True

    def _order_notify_alert_template(self, provider, error):
        """Tell the admins once per template and event (a stable key, not a translated text)
        that ``provider`` refuses the template of this message: its messages fail, and go by the
        next channel if there is one, until the template is fixed; other events keep flowing."""
        event = dict(self._fields['event']._description_selection(self.env)).get(self.event, self.event)
        template = self.template_id
        provider._order_notify_alert(
            _("Template refused: %s", template.display_name or event),
            _(
                "%(provider)s refused the %(event)s message of %(order)s: %(reason)s The messages of this event "
                "fail (and go by the next channel, if any) until the template is fixed; the other events are "
                "sent as usual.",
                provider=provider.name, event=event, order=self.order_name or '-', reason=error.message,
            ),
            key=f'template-{template.id or 0}-{self.event}',
        )

    def _order_notify_notify_orders(self):
        """Tell the open order forms that their messages changed (sent, skipped…): the form
        reloads by itself (static/src/views/order_notify_refresh.js) instead of showing
        *Queued* until the salesperson reloads the page. Sent after commit, to the notification
        users only, once per transaction (a dispatcher round records many messages at once)."""
        order_ids = self.order_id.ids
        if not order_ids:
            return
        batched = self.env.context.get('order_notify_pending_push')
        if batched is not None:  # the parallel dispatcher pushes about once a second
            batched.update(order_ids)
            return
        data = self.env.cr.precommit.data
        if 'order_notify.updated_orders' not in data:
            self.env.cr.precommit.add(self._order_notify_push_updates)
        data.setdefault('order_notify.updated_orders', set()).update(order_ids)

    def _order_notify_push_updates(self):
        self._order_notify_push_order_ids(self.env.cr.precommit.data.get('order_notify.updated_orders'))

    @api.model
    def _order_notify_push_order_ids(self, order_ids):
        group = self.env.ref('order_status_notify.group_order_notify_user', raise_if_not_found=False)
        if order_ids and group:
            self.env['bus.bus']._sendone(group, 'order_status_notify/updated', {'order_ids': sorted(order_ids)})

    def _order_notify_set_state(self, state, reason_code, reason):
        self.write({'state': state, 'reason_code': reason_code, 'reason': reason})
        if state in ('failed', 'unknown'):
            _logger.warning("Order notification %s %s: %s", self.id, state, self._order_notify_text(reason))
        return True

    def _order_notify_defer(self, when, reason_code, reason):
        self.write({'state': 'queued', 'next_attempt_at': when, 'reason_code': reason_code, 'reason': reason})
        return True

    def _order_notify_prepare_content(self):
        """Render the message from its template: the text and/or the provider parameters."""
        template = self.template_id or self.env['order.notify.template']._order_notify_find(
            self.event, self.channel, self.provider_id, self.company_id,
        )
        if not template:
            return
        rendered = template._order_notify_render(self.order_id, self.event, picking=self.picking_id)
        self.write({
            'template_id': template.id, 'content': rendered['content'], 'params': rendered['params'] or False,
            'subject': rendered.get('subject') or False,
        })

    # === BUSINESS METHODS: STUCK MESSAGES === #

    @api.model
    def _order_notify_reap_stuck(self):
        """Messages left in ``sending`` by a worker that died. One whose provider call had
        started (``send_started_at``) becomes ``unknown``: nobody knows whether the provider got
        it, so it is reviewed, not resent blindly. One whose call never started (marked by an
        older dispatcher that claimed whole batches) simply goes back to the queue."""
        limit = fields.Datetime.now() - timedelta(minutes=const.STUCK_SENDING_MINUTES)
        stuck = self.search([('state', '=', 'sending'), ('send_started_at', '<', limit)])
        for message in stuck:
            message._order_notify_set_state('unknown', const.REASON_STUCK, _lt(
                "The sending worker stopped before it recorded the answer of the provider. Check with the "
                "provider before sending again.",
            ))
        never_started = self.search([
            ('state', '=', 'sending'), ('send_started_at', '=', False), ('write_date', '<', limit),
        ])
        if never_started:
            _logger.warning("Order notifications %s were claimed but never sent: queued again", never_started.ids)
            never_started.write({'state': 'queued', 'next_attempt_at': fields.Datetime.now()})
        return stuck
