# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, wait

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tools import notify_api

_logger = logging.getLogger(__name__)


class OrderNotifyMessage(models.Model):
    """Parallel sends: the dispatcher decides, renders and records in its own thread, with the
    ORM; worker threads only wait for the providers' answers, with plain data
    (``tools/notify_api.py``: ``Exchange``).

    Each provider has up to ``send_concurrency`` messages on their way at once, within its
    ``send_rate_limit``. The commit discipline of ``_order_notify_process_one`` holds: a
    message is marked ``sending`` and committed before its provider call starts, and its outcome
    is committed as soon as the answer comes. A worker killed meanwhile leaves the messages whose
    call was in flight ``sending`` (the reaper makes them ``unknown``) and the others queued."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: DISPATCHER JOBS === #

    @api.model
    def _order_notify_get_shards(self):
        """How many dispatcher jobs share the queue (Settings, *Dispatcher Jobs*): Odoo runs one
        ``ir.cron`` job at a time, on one server, so several jobs, each claiming the messages
        whose id modulo their number is theirs, let several servers (or cron threads) send side
        by side without ever claiming the same message."""
        value = self.env['ir.config_parameter'].sudo().get_param('order_status_notify.dispatch_shards')
        try:
            return min(max(int(value or 1), 1), const.MAX_DISPATCH_SHARDS)
        except ValueError:
            return 1

    @api.model
    def _order_notify_shard_outlook(self, shard, shards):
        """``(due, next_at)`` of dispatcher job ``shard``: how many of its messages are due now,
        and when the next one of its waiting messages is (the first job also closes the
        reconciliation windows: theirs count for it)."""
        self.flush_model(['state', 'next_attempt_at'])
        states = ('queued', 'reconciling') if shard == 0 else ('queued',)
        self.env.cr.execute(SQL(
            """SELECT count(*) FILTER (WHERE state = 'queued' AND next_attempt_at <= %(now)s),
                      min(next_attempt_at) FILTER (WHERE next_attempt_at > %(now)s)
                 FROM %(table)s
                WHERE state IN %(states)s AND (%(shards)s = 1 OR mod(id, %(shards)s) = %(shard)s OR state = 'reconciling')""",
            now=fields.Datetime.now(), table=SQL.identifier(self._table), states=states, shards=shards, shard=shard,
        ))
        return self.env.cr.fetchone()

    @api.model
    def _order_notify_get_dispatch_cron(self, shard=0):
        """The ``ir.cron`` of dispatcher job ``shard`` (its id from the registry's cache: waking it
        up from a business hook reads no ``ir_model_data``)."""
        xmlid = 'order_status_notify.ir_cron_order_notify_dispatch'
        if shard:
            xmlid += f'_{shard}'
        cron_id = self.env['ir.model.data']._xmlid_to_res_id(xmlid, raise_if_not_found=False)
        return self.env['ir.cron'].browse(cron_id)

    def _order_notify_trigger_dispatch(self, at=None):
        """Wake the dispatcher job of these messages (every job, called on no message) at
        ``at`` (now by default)."""
        shards = self._order_notify_get_shards()
        for shard in {message_id % shards for message_id in self.ids} or range(shards):
            self._order_notify_trigger_dispatch_job(shard, at)

    @api.model
    def _order_notify_trigger_dispatch_job(self, shard, at=None):
        """Wake dispatcher job ``shard`` at ``at`` (now by default), once per transaction: the
        triggers are created when it commits (``ir.cron._trigger``), one per job and moment, not
        one per message."""
        moment = at if at and at > fields.Datetime.now() else None
        data = self.env.cr.precommit.data
        if 'order_notify.triggers' not in data:
            self.env.cr.precommit.add(self._order_notify_flush_triggers)
        data.setdefault('order_notify.triggers', set()).add((shard, moment))

    def _order_notify_flush_triggers(self):
        """Wake the jobs the transaction wants, with Odoo's own ``ir.cron._trigger``: one call
        per job, with every moment it was asked for."""
        wanted = self.env.cr.precommit.data.get('order_notify.triggers') or set()
        by_shard = {}
        for shard, moment in wanted:
            by_shard.setdefault(shard, set()).add(moment)
        now = fields.Datetime.now()
        for shard, moments in sorted(by_shard.items()):
            cron = self._order_notify_get_dispatch_cron(shard) or self._order_notify_get_dispatch_cron()
            if cron:
                cron.sudo()._trigger(sorted(moment or now for moment in moments))

    def _order_notify_process_parallel(self, limit=None, shard=0):
        """Dispatch the claimed messages ``self`` (no longer locked: see ``_order_notify_claim``).

        Three steps turn: decide a wave of messages together (``_order_notify_decide_wave``: one
        read of their orders, buyers and templates) whenever the ready ones run low, claiming
        the next ones of the queue (up to ``limit`` in all) when none are left; in one
        transaction, record the answers that came and mark ``sending`` the next messages that
        have a place and a token of their provider (``_order_notify_cycle``), then start their
        calls; wait for the next answer. The places never wait for a whole batch to end.

        After ``DISPATCH_RUN_SECONDS`` no call starts: the calls in flight end and are recorded,
        the messages decided but not started stay queued for the next run (within the cron
        worker's time limit, whatever the providers' speed).

        :param int limit: how many messages this run may claim in all (default: only ``self``)
        :param int shard: the dispatcher job claiming them
        :return: how many messages were handled (the ones another worker took are not counted)
        """
        if 'order_notify_pending_push' not in self.env.context:
            # The open order forms hear of their messages about once a second, not once a commit.
            return self.with_context(order_notify_pending_push=set())._order_notify_process_parallel(limit, shard)
        started_at = pushed_at = time.monotonic()
        pending = list(self.ids)
        claimed = set(self.ids)
        limit = limit or len(claimed)
        ready = deque()  # (message id, provider id): decided and rendered, waiting for a place
        inflight = {}  # future -> (message id, provider id, exchange, progress)
        busy = Counter()  # provider id -> messages on their way
        limits = {}  # provider id -> (parallel sends, rate limit bucket)
        answered, handled = [], 0
        while pending or ready or inflight or answered:
            if time.monotonic() - started_at > const.DISPATCH_RUN_SECONDS:
                pending, ready = [], deque()  # they stay queued: the next run takes them
            elif len(ready) < const.DISPATCH_WAVE_SIZE // 2:
                if not pending and len(claimed) < limit:
                    pending = self._order_notify_claim_more(claimed, limit, shard)
                    if len(pending) < const.DISPATCH_WAVE_SIZE:
                        limit = len(claimed)  # the queue is empty: no claim at every turn
                if pending:
                    # Decided before the ready ones run out; small waves while calls are in flight.
                    size = const.DISPATCH_REFILL_SIZE if inflight else const.DISPATCH_WAVE_SIZE
                    wave, pending = pending[:size], pending[size:]
                    sendable, settled, retry = self.browse(wave)._order_notify_decide_wave(limits)
                    handled += settled
                    ready.extend(sendable)
                    pending = retry + pending
            started, starting = self._order_notify_cycle(answered, ready, busy, limits)
            answered = []
            if time.monotonic() - pushed_at >= 1 or not (pending or ready or inflight):
                self._order_notify_flush_pushes()
                pushed_at = time.monotonic()
            handled += len(started)
            for message, provider_id in started:
                future = message._order_notify_send_first(provider_id)
                if future is not None:
                    inflight[future] = future.order_notify
                    busy[provider_id] += 1
            timeout = None
            waiting_tokens = [limits[provider_id][1] for _message_id, provider_id in ready
                              if busy[provider_id] < limits[provider_id][0]]
            if waiting_tokens and not starting:
                # Only the rate limit holds them (not the places): wake up when a token comes.
                timeout = max(min(bucket.wait_time() for bucket in waiting_tokens), 0.005)
            if inflight:
                done, _waiting = wait(list(inflight), timeout=timeout, return_when=FIRST_COMPLETED)
                answered = [inflight.pop(future) for future in done]
                for _message_id, provider_id, _exchange, _progress in answered:
                    busy[provider_id] -= 1
            elif timeout:
                time.sleep(min(timeout, 5))
        return handled

    def _order_notify_claim_more(self, claimed, limit, shard):
        """The ids of the next due messages of the queue for this run (``claimed`` grows), in a
        transaction of its own; none when the queue is empty or another worker holds them (the
        next run takes what is left: ``_cron_dispatch`` reports it to ``ir.cron``)."""
        try:
            more = self.sudo()._order_notify_claim(
                min(const.DISPATCH_WAVE_SIZE, limit - len(claimed)), shard=shard, exclude=claimed,
            ).ids
            self.env.cr.commit()
        except psycopg2.errors.SerializationFailure:
            self.env.cr.rollback()  # another worker sent some of them meanwhile: claimed next turn
            return []
        claimed.update(more)
        return more

    def _order_notify_flush_pushes(self):
        """Tell the open order forms of the messages recorded since the last time (see
        ``_order_notify_notify_orders``), in a transaction of its own."""
        pending = self.env.context['order_notify_pending_push']
        if not pending:
            return
        order_ids = set(pending)
        pending.clear()
        try:
            self.with_context(order_notify_pending_push=None).browse()._order_notify_push_order_ids(order_ids)
            self.env.cr.commit()
        except Exception:  # noqa: BLE001 - a missed refresh of a form is not worth a stop
            self.env.cr.rollback()
            _logger.warning("Could not tell the order forms about their messages", exc_info=True)

    def _order_notify_decide_wave(self, limits):
        """Lock and decide the messages ``self`` together (one read of their orders, buyers,
        templates…), and commit.

        :param dict limits: filled with the parallel sends and rate limit of each provider met
        :return: ``(sendable, settled, retry)``: the ``(message id, provider id)`` to send; how
            many were settled here (skipped, deferred, failed…); the ids to decide again (an
            error in the wave rolled it back)
        """
        cr = self.env.cr
        self.flush_model(['state', 'next_attempt_at'])
        cr.execute(SQL(
            """SELECT id FROM %s WHERE id = ANY(%s) AND state = 'queued' AND next_attempt_at <= %s
               FOR UPDATE SKIP LOCKED""",
            SQL.identifier(self._table), self.ids, fields.Datetime.now(),
        ))
        locked = {row[0] for row in cr.fetchall()}
        self.invalidate_recordset()
        messages = self.filtered(lambda m: m.id in locked)
        sendable, settled = [], 0
        recipients = messages._order_notify_prefetch_recipients()
        told = messages._order_notify_prefetch_told()
        for message in messages:
            try:
                provider = message._order_notify_decide(recipients.get(message.id), told=message.id in told)
            except Exception as error:  # noqa: BLE001 - one bad message must not stop the queue
                cr.rollback()  # the whole wave: the others are decided again
                message._order_notify_after_error(error, True, {})
                return [], settled + 1, [m.id for m in messages if m.id != message.id]
            if not provider:
                settled += 1
                continue
            if provider.id not in limits:
                limits[provider.id] = (max(provider.send_concurrency, 1), notify_api.get_bucket(
                    provider._order_notify_bucket_key(), provider._order_notify_shard_rate(),
                ))
            sendable.append((message.id, provider.id))
        cr.commit()
        return sendable, settled, []

    @api.model
    def _order_notify_pick_ready(self, ready, busy, limits):
        """Take from ``ready`` the messages whose provider has a free place (its parallel sends)
        and a token of its rate limit, in their order."""
        starting, kept = [], deque()
        planned = Counter()
        while ready:
            message_id, provider_id = ready.popleft()
            concurrency, bucket = limits[provider_id]
            if busy[provider_id] + planned[provider_id] < concurrency and bucket.take():
                planned[provider_id] += 1
                starting.append((message_id, provider_id))
            else:
                kept.append((message_id, provider_id))
        ready.extend(kept)
        return starting

    @api.model
    def _order_notify_cycle(self, answered, ready, busy, limits):
        """One transaction: record the outcomes of the ``answered`` sends (a "too many requests"
        blocks its provider's bucket), then take from ``ready`` the messages that may start
        (``_order_notify_pick_ready``) and mark ``sending`` those still queued (locked: another
        worker may have taken one), and commit.

        If it fails, the answers are recorded one by one (``_order_notify_send_second``) and the
        messages marked in a transaction of their own.

        :return: ``(started, starting)``: the ``(message, provider id)`` marked ``sending`` and
            committed; the ``(message id, provider id)`` picked
        """
        cr = self.env.cr
        starting = []
        try:
            self._order_notify_record_answers(answered)
            starting = self._order_notify_pick_ready(ready, busy, limits)
            if not answered and not starting:
                return [], []
            started = self._order_notify_mark_starting(starting)
            cr.commit()
            return started, starting
        except Exception:  # noqa: BLE001 - recorded one by one below
            cr.rollback()
            ready.extendleft(reversed(starting))  # not marked: they start after the answers are recorded
            _logger.info("Order notifications %s: recording the answers failed, recorded one by one",
                         [item[0] for item in answered], exc_info=True)
        for item in answered:
            self._order_notify_send_second([item])
        starting = self._order_notify_pick_ready(ready, busy, limits)
        try:
            started = self._order_notify_mark_starting(starting)
            cr.commit()
            return started, starting
        except Exception:  # noqa: BLE001 - they stay queued for the next run
            cr.rollback()
            _logger.exception("Order notifications %s: could not mark them sending", [i[0] for i in starting])
            return [], starting

    def _order_notify_mark_starting(self, starting):
        if not starting:
            return []
        messages = self.browse([message_id for message_id, _provider_id in starting])
        messages.flush_recordset(['state'])
        self.env.cr.execute(SQL(
            "SELECT id FROM %s WHERE id = ANY(%s) AND state = 'queued' FOR UPDATE SKIP LOCKED",
            SQL.identifier(self._table), messages.ids,
        ))
        locked = {row[0] for row in self.env.cr.fetchall()}
        messages.invalidate_recordset(['state'])
        started = []
        for message, (_message_id, provider_id) in zip(messages, starting):
            if message.id in locked:
                message._order_notify_mark_sending()
                started.append((message, provider_id))
        return started

    def _order_notify_prefetch_recipients(self):
        """The buyers' addresses of the messages ``self`` that have none yet, read together per
        channel: ``{message id: (addresses, reason_code)}``."""
        Provider = self.env['order.notify.provider']
        found = {}
        for channel, messages in self.filtered(lambda m: m.order_id and not m._order_notify_get_recipient()).grouped(
                'channel').items():
            by_order = Provider._order_notify_get_recipients_batch(messages.order_id, channel)
            for message in messages:
                found[message.id] = by_order[message.order_id.id]
        return found

    def _order_notify_prefetch_told(self):
        """The ids of the messages ``self`` whose buyer already got the same message on another
        channel (``_order_notify_get_siblings``), with one search for all of them."""
        if not self:
            return set()
        done = self.search([
            ('order_id', 'in', self.order_id.ids), ('event', 'in', list(set(self.mapped('event')))),
            ('is_test', '=', False), ('state', 'in', const.SUCCESS_STATES), ('id', 'not in', self.ids),
        ])
        keys = {(m.order_id.id, m.event, m.revision, m.ref or False) for m in done}
        return {m.id for m in self if (m.order_id.id, m.event, m.revision, m.ref or False) in keys}

    def _order_notify_send_first(self, provider_id):
        """Run the send of a message marked ``sending`` up to its first provider call, which a
        worker thread makes: return that call's future (its ``order_notify`` attribute holds what
        ``_order_notify_send_second`` needs). A send that needs no call (e-mail, sandbox) or
        fails before it is recorded at once: None."""
        message = self
        message_id = self.id
        provider = self.env['order.notify.provider'].browse(provider_id)
        exchange = notify_api.Exchange()
        progress = {'send_started_at': True}
        try:
            try:
                with notify_api.exchange(exchange):
                    vals, error = message._order_notify_call_provider(provider)
            except notify_api.RequestDeferred:
                future = exchange.submit()
                future.order_notify = (message_id, provider_id, exchange, progress)
                return future
            self._order_notify_finish(message, provider, vals, error, progress)
        except Exception as error:  # noqa: BLE001
            self.env.cr.rollback()
            message._order_notify_after_error(error, True, progress)
        return None

    def _order_notify_record_answers(self, answered):
        """Run each send of ``answered`` again with its worker's answer and record its outcome,
        in the current transaction. Messages and providers are read together."""
        messages = self.browse([item[0] for item in answered])
        providers = self.env['order.notify.provider'].browse([item[1] for item in answered])
        for message, provider, (_message_id, _provider_id, exchange, progress) in zip(messages, providers, answered):
            self._order_notify_replay(message, provider, exchange, progress)

    def _order_notify_send_second(self, answered):
        """Record the answers of ``answered`` (``(message id, provider id, exchange, progress)``),
        each in its own transaction (the answers are kept: ``Exchange.rewind``)."""
        for message_id, provider_id, exchange, progress in answered:
            try:
                self._order_notify_replay(
                    self.browse(message_id), self.env['order.notify.provider'].browse(provider_id), exchange, progress,
                )
                self.env.cr.commit()
            except Exception as error:  # noqa: BLE001
                self.env.cr.rollback()
                self.browse(message_id)._order_notify_after_error(error, True, progress)

    def _order_notify_replay(self, message, provider, exchange, progress):
        exchange.rewind()
        progress.pop('outcome', None)
        with notify_api.exchange(exchange):
            vals, error = message._order_notify_call_provider(provider)
        self._order_notify_finish(message, provider, vals, error, progress, commit=False)

    def _order_notify_finish(self, message, provider, vals, error, progress, commit=True):
        progress['outcome'] = (provider, vals, error)
        if error is not None and error.code == 'http_429' and error.retry_at:
            wait_seconds = (error.retry_at - fields.Datetime.now()).total_seconds()
            notify_api.get_bucket(provider._order_notify_bucket_key(), provider._order_notify_shard_rate()).block(
                max(wait_seconds, 1),
            )
        message._order_notify_record_outcome(provider, vals, error)
        if commit:
            self.env.cr.commit()
