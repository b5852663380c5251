# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import threading
import uuid
from datetime import timedelta

import psycopg2
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyGettext, LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import (
    OrderNotifyError, is_transaction_error, lazy_to_json, render_lazy_json,
)

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


class OrderNotifyMessage(models.Model):
    """One message to one buyer on one channel: the queue and the durable log at once.

    Business hooks only create rows (``_order_notify_enqueue``) inside their transaction; the
    dispatcher cron claims due rows, decides in ``_order_notify_dispatch`` whether each one is
    sent, deferred, skipped, failed or falls back to the next channel, and commits after each
    message. Rows are never deleted: they are what the shop and its accountant rely on.
    """
    _name = 'order.notify.message'
    _description = "Order Notification Message"
    _order = 'create_date desc, id desc'
    _rec_name = 'idempotency_key'
    _check_company_auto = True

    order_id = fields.Many2one(
        string="Order", comodel_name='sale.order', index=True, ondelete='set null', readonly=True,
    )
    order_name = fields.Char(string="Order Reference", readonly=True)
    order_state = fields.Selection(related='order_id.state', string="Order Status")
    picking_id = fields.Many2one(
        string="Parcel", comodel_name='stock.picking', index='btree_not_null', ondelete='set null', readonly=True,
    )
    partner_id = fields.Many2one(string="Customer", comodel_name='res.partner', index=True, readonly=True)
    company_id = fields.Many2one(string="Company", comodel_name='res.company', required=True, index=True, readonly=True)
    user_id = fields.Many2one(string="Salesperson", comodel_name='res.users', index=True, readonly=True)
    team_id = fields.Many2one(string="Sales Team", comodel_name='crm.team', index=True, readonly=True)
    event = fields.Selection(string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(), required=True, index=True, readonly=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
        required=True, index=True, readonly=True,
    )
    provider_id = fields.Many2one(
        string="Provider", comodel_name='order.notify.provider', index=True, readonly=True, ondelete='restrict',
    )
    provider_code = fields.Selection(related='provider_id.code', string="Provider Code")
    template_id = fields.Many2one(string="Template", comodel_name='order.notify.template', readonly=True, ondelete='set null')
    is_test = fields.Boolean(string="Test Message", readonly=True)
    ref = fields.Char(
        string="Event Reference", readonly=True, index='btree_not_null',
        help="What makes this message unique within its order and event, by the event's scope: the parcel "
             "(p<id>), the reference given by the hook (a change, a return), the time window of a reminder.",
    )
    phone = fields.Char(string="Phone", readonly=True, help="The buyer's mobile in E.164 format.")
    recipient = fields.Char(
        string="Recipient", readonly=True,
        help="Where the channel sends the message: the mobile (E.164), the e-mail address, the chat id.",
    )
    alternative_phones = fields.Char(
        string="Other Phones", readonly=True,
        help="The buyer's other mobiles (E.164, space separated), tried on the same channel when this one cannot "
             "be reached there (e.g. it has no Zalo account).",
    )
    revision = fields.Integer(
        string="Order Revision", default=1, readonly=True,
        help="The life of the order this message belongs to: an order cancelled then confirmed again gets "
             "new messages.",
    )
    # What the buyer read carries the order's portal link (with its access token): only the
    # notification users (salespeople and admins), who can open the order, read it.
    content = fields.Text(string="Content", readonly=True, groups='order_status_notify.group_order_notify_user')
    params = fields.Json(string="Parameters", readonly=True, groups='order_status_notify.group_order_notify_user')
    subject = fields.Char(string="Subject", readonly=True, groups='order_status_notify.group_order_notify_user')
    params_display = fields.Text(
        string="Template Parameters", compute='_compute_params_display', groups='order_status_notify.group_order_notify_user',
    )
    state = fields.Selection(
        string="Status",
        selection=[
            ('queued', "Queued"),
            ('sending', "Sending"),
            ('reconciling', "Checking with Provider"),
            ('sent', "Sent"),
            ('delivered', "Delivered"),
            ('failed', "Failed"),
            ('skipped', "Skipped"),
            ('cancelled', "Cancelled"),
            ('unknown', "Unknown"),
        ],
        default='queued', required=True, index=True, readonly=True,
    )
    is_deferred = fields.Boolean(
        string="Deferred", compute='_compute_is_deferred', store=True,
        help="Queued for later: quiet hours, daily cap, provider paused, retry or quota.",
    )
    reason_code = fields.Char(string="Reason Code", readonly=True)
    # The reason is stored untranslated (``reason_data``, see ``utils.lazy_to_json``) and shown
    # in the reader's language; ``reason_text`` keeps it as written, for search and exports.
    reason = fields.Text(string="Reason", compute='_compute_reason', search='_search_reason')
    reason_text = fields.Text(string="Reason (as written)", readonly=True)
    reason_data = fields.Json(string="Reason Data", readonly=True)
    reason_guidance = fields.Char(string="What To Do", compute='_compute_reason_guidance')
    force_send = fields.Boolean(
        string="Sent Now by an Administrator", readonly=True, copy=False,
        help="A notification administrator chose Send Now: the sending hours and the daily cap no longer hold "
             "this message back.",
    )
    error_code = fields.Char(string="Provider Error Code", readonly=True)
    provider_message_ref = fields.Char(string="Provider Message ID", index='btree_not_null', readonly=True, copy=False)
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    send_started_at = fields.Datetime(
        string="Last Send Started", readonly=True, copy=False,
        help="When the dispatcher last started the provider call: committed before the call, so "
             "that a message whose call never started goes back to the queue after a crash.",
    )
    next_attempt_at = fields.Datetime(string="Next Attempt", index=True, readonly=True, default=fields.Datetime.now)
    create_date = fields.Datetime(index=True)  # the statistics' date range
    sent_date = fields.Datetime(string="Sent On", index=True, readonly=True)
    sent_day = fields.Date(
        string="Sent Day", compute='_compute_sent_day', store=True,
        help="The day the message left, in the shop's timezone: the day the provider bills it.",
    )
    delivered_date = fields.Datetime(string="Delivered On", readonly=True)
    segment_count = fields.Integer(
        string="Segments", default=1, readonly=True,
        help="How many units the provider bills for this message (SMS segments; 1 for other channels).",
    )
    cost = fields.Monetary(string="Cost", currency_field='currency_id', readonly=True)
    currency_id = fields.Many2one(string="Currency", comodel_name='res.currency', readonly=True)
    cost_source = fields.Selection(
        string="Cost Source",
        selection=[('none', "Not charged"), ('estimate', "Estimated"), ('provider', "Reported by provider")],
        default='none', required=True, readonly=True,
    )
    idempotency_key = fields.Char(string="Idempotency Key", required=True, readonly=True, copy=False)
    fallback_from_id = fields.Many2one(
        string="Fallback From", comodel_name='order.notify.message', readonly=True, ondelete='set null',
    )
    fallback_ids = fields.One2many(
        string="Fallbacks", comodel_name='order.notify.message', inverse_name='fallback_from_id',
    )

    _sql_constraints = [
        ('idempotency_key_uniq', 'unique(idempotency_key)', "A message with this idempotency key already exists."),
    ]

    def init(self):
        # The dispatcher's claim query.
        self.env.cr.execute(SQL(
            "CREATE INDEX IF NOT EXISTS order_notify_message_due_idx ON %s (next_attempt_at, id) WHERE state = 'queued'",
            SQL.identifier(self._table),
        ))

    # === COMPUTE METHODS === #

    @api.depends('state', 'reason_code')
    def _compute_is_deferred(self):
        for message in self:
            message.is_deferred = message.state == 'queued' and message.reason_code in const.DEFER_REASONS

    @api.depends('reason_text', 'reason_data')
    @api.depends_context('lang')
    def _compute_reason(self):
        lang = self.env.lang or 'en_US'
        for message in self:
            data = message.reason_data
            message.reason = render_lazy_json(data, lang) if data else (message.reason_text or False)

    def _search_reason(self, operator, value):
        return [('reason_text', operator, value)]

    @api.depends('state', 'reason_code')
    def _compute_reason_guidance(self):
        for message in self:
            guidance = message.state in ('skipped', 'failed') and message._order_notify_guidance(message.reason_code)
            message.reason_guidance = guidance or False

    @api.depends('sent_date')
    def _compute_sent_day(self):
        # Stored as a date so that the monthly cost report groups on a plain column, whatever
        # the timezone of its reader (see order.notify.report); a later change of the shop's
        # timezone does not move messages already billed.
        for message in self:
            if message.sent_date:
                tz = message.company_id._order_notify_local_tz()
                message.sent_day = pytz.utc.localize(message.sent_date).astimezone(tz).date()
            else:
                message.sent_day = False

    @api.depends('params')
    def _compute_params_display(self):
        for message in self:
            message.params_display = '\n'.join(f"{k}: {v}" for k, v in (message.params or {}).items()) or False

    @api.depends('order_name', 'event', 'channel')
    @api.depends_context('lang')
    def _compute_display_name(self):
        events = dict(self._fields['event']._description_selection(self.env))
        channels = dict(self._fields['channel']._description_selection(self.env))
        for message in self:
            message.display_name = f"{message.order_name or ''} · {events.get(message.event, '')} · {channels.get(message.channel, '')}"

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        # Every message has a currency, also those skipped before a provider was chosen: a cost
        # column summed over rows without one shows no total.
        for vals in vals_list:
            self._order_notify_convert_reason(vals)
            if not vals.get('currency_id'):
                provider = self.env['order.notify.provider'].browse(vals.get('provider_id'))
                vals['currency_id'] = (provider.currency_id or self._order_notify_default_currency()).id
        return super().create(vals_list)

    def write(self, vals):
        vals = self._order_notify_convert_reason(dict(vals))
        res = super().write(vals)
        if ('state' in vals and vals['state'] != 'sending') or 'cost' in vals:  # not the dispatcher's claim
            self._order_notify_notify_orders()
        return res

    @api.model
    def _order_notify_convert_reason(self, vals):
        """Store a ``reason`` written as text or lazy translation as ``reason_text`` (in
        English when lazy) and ``reason_data`` (translated when read)."""
        if 'reason' in vals:
            reason = vals.pop('reason')
            if isinstance(reason, (LazyGettext, OrderNotifyError)):
                vals['reason_data'] = lazy_to_json(reason)
                vals['reason_text'] = render_lazy_json(vals['reason_data'], 'en_US')
            else:
                vals['reason_data'] = False
                vals['reason_text'] = reason or False
        return vals

    # === ACTION METHODS === #

    def action_resend(self):
        """Send a failed, unknown or skipped message again (same idempotency key, so a provider
        that already accepted it does not send it twice)."""
        for message in self:
            if message.state not in ('failed', 'unknown', 'skipped', 'cancelled'):
                raise UserError(_("Only failed, unknown, skipped or cancelled messages can be sent again."))
            if message.order_id.state == 'cancel' and message.event != 'cancelled':
                raise UserError(_("The order %s is cancelled: its messages cannot be sent again.", message.order_name))
        self._order_notify_check_resend_rights()
        self.sudo().write({
            'state': 'queued', 'next_attempt_at': fields.Datetime.now(),
            'reason_code': False, 'reason': False, 'error_code': False, 'attempt_count': 0,
        })
        for message in self:
            message.order_id._message_log(body=_("Notification %s queued again by %s.", message.display_name, self.env.user.name))
        self._order_notify_trigger_dispatch()
        return True

    def action_send_now(self):
        """Send a message held back by the sending hours, the daily cap or the merge hold right
        away: the administrator overrides the shop's rule knowingly, and it is logged on the
        message and in the order's chatter. The dispatcher still decides (``force_send``)."""
        for message in self:
            if not message.is_deferred or message.reason_code not in const.SEND_NOW_REASONS:
                raise UserError(_("Only messages waiting for the sending hours, the daily cap or a merge can be sent now."))
        if not self.env.su:
            if not self.env.user.has_group('order_status_notify.group_order_notify_manager'):
                raise AccessError(_("Only notification administrators can send a message outside the sending hours."))
            self.check_access('write')
        reason = _lt("Sent now by %s, outside the rules of the shop (sending hours, daily cap).", self.env.user.name)
        self.sudo().write({
            'force_send': True, 'next_attempt_at': fields.Datetime.now(), 'reason_code': 'send_now', 'reason': reason,
        })
        for message in self:
            message.order_id._message_log(body=_("Notification %(message)s: %(reason)s", message=message.display_name, reason=self.env._(reason)))
        self._order_notify_trigger_dispatch()
        return True

    def action_cancel(self):
        for message in self:
            if message.state != 'queued':
                raise UserError(_("Only queued messages can be cancelled."))
        if not self.env.su:
            if not self.env.user.has_group('order_status_notify.group_order_notify_manager'):
                raise AccessError(_("Only notification administrators can cancel a message."))
            self.check_access('write')
        self.sudo().write({'state': 'cancelled', 'reason_code': 'manual', 'reason': _lt("Cancelled by %s.", self.env.user.name)})
        return True

    def _order_notify_check_resend_rights(self):
        """The buttons write with ``sudo`` (messages are read-only for everyone but the
        dispatcher), so the rights are checked here, not only in the view: a notification user
        who may edit the order sends a failed or unknown message again; skipped, cancelled and
        test messages need a notification administrator. Read-only roles (accountants) cannot."""
        if self.env.su:
            return
        self.check_access('read')
        if not self.env.user.has_group('order_status_notify.group_order_notify_user'):
            raise AccessError(_("You are not allowed to send notifications again."))
        is_manager = self.env.user.has_group('order_status_notify.group_order_notify_manager')
        if not is_manager and self.filtered(lambda m: m.state in ('skipped', 'cancelled') or not m.order_id):
            raise AccessError(_("Only notification administrators can send a skipped, cancelled or test message."))
        self.order_id.check_access('write')

    def action_open_order(self):
        self.ensure_one()
        return self.order_id.get_formview_action()

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
        try:
            with self.env.cr.savepoint():
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
        channel, provider = self._order_notify_pick_channel(channels, company)
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
            'currency_id': provider.currency_id.id,
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
        message = self._order_notify_create_unique(vals)
        if message and message.state == 'queued':
            message._order_notify_trigger_dispatch(message.next_attempt_at)
        return message

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
        """Return the first ``(channel, provider)`` of ``channels`` with an enabled provider;
        ``(channels[0], empty)`` when none has one."""
        Provider = self.env['order.notify.provider']
        for channel in channels:
            provider = Provider._order_notify_get_available(channel, company)
            if provider:
                return channel, provider
        return channels[0], Provider

    @api.model
    def _order_notify_create_unique(self, vals):
        """Create a message unless its idempotency key exists (two hooks or two workers racing):
        the unique index decides, inside a savepoint so the business transaction goes on."""
        try:
            with self.env.cr.savepoint():
                return self.sudo().create(vals)
        except psycopg2.IntegrityError:
            return self.sudo().search([('idempotency_key', '=', vals['idempotency_key'])])

    @api.model
    def _order_notify_trigger_dispatch(self, at=None):
        cron = self.env.ref('order_status_notify.ir_cron_order_notify_dispatch', raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=at if at and at > fields.Datetime.now() else None)

    # === BUSINESS METHODS: DISPATCH === #

    @api.model
    def _cron_dispatch(self, batch_size=const.DISPATCH_BATCH_SIZE):
        """Entry point of the dispatcher cron (also woken by ``_trigger`` right after a hook)."""
        auto_commit = not getattr(threading.current_thread(), 'testing', False)
        self._order_notify_reap_stuck()
        self._order_notify_reconcile_due()
        if auto_commit:
            self.env.cr.commit()
        done = self._order_notify_process_queue(limit=batch_size, auto_commit=auto_commit)
        remaining = self.search_count([('state', '=', 'queued'), ('next_attempt_at', '<=', fields.Datetime.now())])
        self.env['ir.cron']._notify_progress(done=done, remaining=remaining)
        # Wake up again for the next deferred or reconciling message, not at the next cron interval.
        upcoming = self.search([('state', 'in', ('queued', 'reconciling'))], order='next_attempt_at', limit=1)
        if upcoming and upcoming.next_attempt_at > fields.Datetime.now():
            self._order_notify_trigger_dispatch(upcoming.next_attempt_at)

    @api.model
    def _order_notify_claim(self, limit):
        """Return up to ``limit`` due messages that no other worker holds, oldest first, locked
        for the current transaction but not marked.

        Nothing is written here: each message is locked again (``_order_notify_lock_due``) and
        marked ``sending`` only right before its own provider call (``_order_notify_mark_sending``),
        so that a worker dying mid-batch leaves the messages it had not started in the queue."""
        self.flush_model(['state', 'next_attempt_at'])
        self.env.cr.execute(SQL(
            """SELECT id FROM %s
                WHERE state = 'queued' AND next_attempt_at <= %s
             ORDER BY next_attempt_at, id
                LIMIT %s
                  FOR UPDATE SKIP LOCKED""",
            SQL.identifier(self._table), fields.Datetime.now(), limit,
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
    def _order_notify_process_queue(self, limit=const.DISPATCH_BATCH_SIZE, auto_commit=True):
        """Claim a batch of due messages, then dispatch them one by one, each in its own
        transaction when ``auto_commit`` (see ``_order_notify_process_one``)."""
        for _attempt in range(5):
            try:
                messages = self.sudo()._order_notify_claim(limit)
                break
            except psycopg2.errors.SerializationFailure:
                # Another worker sent some of the rows our snapshot still saw as queued
                # (REPEATABLE READ): start a new transaction, hence a new snapshot, and claim again.
                if not auto_commit:
                    raise
                self.env.cr.rollback()
        else:
            return 0
        if auto_commit:
            self.env.cr.commit()
        return sum(message._order_notify_process_one(auto_commit) for message in messages)

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
            _logger.exception("Order notification %s: error while dispatching, rolled back", self.id)
            if auto_commit and 'outcome' in progress and is_transaction_error(error):
                for _retry in range(3):
                    try:
                        if self._order_notify_record_outcome_again(*progress['outcome']):
                            self.env.cr.commit()
                            return 1
                        break
                    except Exception:  # noqa: BLE001
                        self.env.cr.rollback()
                        _logger.exception("Order notification %s: could not record the provider's answer", self.id)
            self._order_notify_recover(error, auto_commit, progress.get('send_started_at'))
            return 1

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
        """The one place that decides what happens to a claimed message: cancel, skip, defer,
        prepare, send, then retry, fall back, pause or fail according to the outcome.

        :param bool auto_commit: commit the ``sending`` mark before the provider call
        :param dict progress: filled with ``send_started_at`` when the provider call starts and
            ``outcome`` when it returned, for ``_order_notify_process_one`` to recover with
        """
        self.ensure_one()
        order = self.order_id
        now = fields.Datetime.now()
        if not self.is_test:
            if order.state == 'cancel' and self.event != 'cancelled':
                return self._order_notify_set_state(
                    'cancelled', const.REASON_ORDER_CANCELLED, _lt("The order was cancelled before this message left."),
                )
            if self._order_notify_get_siblings().filtered(lambda m: m.state in const.SUCCESS_STATES):
                return self._order_notify_set_state(
                    'skipped', const.REASON_ALREADY_NOTIFIED, _lt("The buyer already got this message on another channel."),
                )
            absorbing = self._order_notify_get_absorbing_message()
            if absorbing:
                return self._order_notify_set_state('skipped', const.REASON_MERGED, _lt(
                    "Merged into the %(event)s message: the buyer gets one message, not two.",
                    event=self._order_notify_event_label(absorbing.event),
                ))
        if not self._order_notify_get_recipient():
            Provider = self.env['order.notify.provider']
            recipients, reason_code = Provider._order_notify_get_recipients(order, self.channel)
            if not recipients:
                self._order_notify_set_state('skipped', reason_code, Provider._order_notify_recipient_skip_reason(
                    order, self.channel, reason_code,
                ))
                # A buyer without a mobile may still have an e-mail address: the next channel
                # that sends elsewhere takes over. One who asked for no messages is not chased.
                if reason_code in const.NO_ADDRESS_REASONS:
                    return self._order_notify_fallback(other_address=True)
                return True
            self._order_notify_set_recipients(recipients)
        provider = self.provider_id
        if provider.state not in ('test', 'enabled'):  # switched off since the message was queued
            provider = provider._order_notify_get_available(self.channel, self.company_id)
        if not provider:
            self._order_notify_set_state('skipped', const.REASON_NO_PROVIDER, _lt("No enabled provider for this channel."))
            return self._order_notify_fallback()
        self.provider_id = provider
        if provider.is_paused:
            return self._order_notify_defer(now + timedelta(minutes=30), const.REASON_PROVIDER_PAUSED, _lt(
                "The provider is paused: %s", provider.pause_reason or '',
            ))
        if not self.is_test and not self.force_send:
            opening = self.company_id._order_notify_next_opening(now)
            if opening:
                return self._order_notify_defer(opening, const.REASON_QUIET_HOURS, _lt(
                    "Outside the sending hours of the shop; leaves at the next opening, %s.",
                    self.company_id._order_notify_format_local(opening),
                ))
            if self.env['order.notify.registry']._get_event(self.event)['kind'] == 'promotional' \
                    and self._order_notify_daily_cap_reached():
                tomorrow = self.company_id._order_notify_next_opening(now, next_day=True)
                return self._order_notify_defer(tomorrow, const.REASON_DAILY_CAP, _lt(
                    "This customer reached today's message cap.",
                ))
        if not self.content and not self.params:
            try:
                self._order_notify_prepare_content()
            except UserError as error:
                return self._order_notify_set_state('failed', const.REASON_RENDER_ERROR, str(error))
            if not self.content and not self.params:
                return self._order_notify_set_state('failed', const.REASON_NO_TEMPLATE, _lt(
                    "No template for this event on this channel.",
                ))
        self._order_notify_mark_sending(auto_commit, progress)
        try:
            vals, error = provider._order_notify_send(self), None
        except OrderNotifyError as send_error:
            vals, error = None, send_error
        if progress is not None:
            progress['outcome'] = (provider, vals, error)
        if error is not None:
            return self._order_notify_handle_error(error, provider)
        return self._order_notify_record_sent(provider, vals)

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
        users only."""
        orders = self.order_id
        group = self.env.ref('order_status_notify.group_order_notify_user', raise_if_not_found=False)
        if orders and group:
            self.env['bus.bus']._sendone(group, 'order_status_notify/updated', {'order_ids': orders.ids})

    def _order_notify_set_state(self, state, reason_code, reason):
        self.write({'state': state, 'reason_code': reason_code, 'reason': reason})
        if state in ('failed', 'unknown'):
            _logger.warning("Order notification %s %s: %s", self.id, state, reason)
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

    def _order_notify_get_siblings(self):
        """The other messages of the same order event (and parcel): the fallback chain."""
        self.ensure_one()
        return self.search([
            ('id', '!=', self.id), ('order_id', '=', self.order_id.id), ('event', '=', self.event),
            ('is_test', '=', False), ('revision', '=', self.revision), ('ref', '=', self.ref or False),
        ])

    def _order_notify_get_absorbing_message(self):
        """Return a message of this order that makes this one redundant (the event's ``absorbed_by``)."""
        absorbed_by = self.env['order.notify.registry']._get_event(self.event)['absorbed_by']
        if not absorbed_by:
            return self.browse()
        return self.search([
            ('order_id', '=', self.order_id.id), ('event', 'in', absorbed_by), ('is_test', '=', False),
            ('revision', '=', self.revision), ('state', 'in', const.PENDING_STATES + const.SUCCESS_STATES),
        ], limit=1)

    def _order_notify_daily_cap_reached(self):
        cap = self.company_id.order_notify_daily_cap
        if cap <= 0:
            return False
        promotional = self.env['order.notify.registry']._events_of_kind('promotional')
        since = self.company_id._order_notify_day_start(fields.Datetime.now())
        address = ('phone', '=', self.phone) if self.phone else ('recipient', '=', self.recipient)
        count = self.search_count([
            address, ('event', 'in', promotional), ('state', 'in', const.SUCCESS_STATES),
            ('sent_date', '>=', since),
        ])
        return count >= cap

    def _order_notify_fallback(self, other_phone=False, other_address=False):
        """Queue the event on the next channel of the company's order, unless the buyer already
        got it somewhere. With ``other_phone`` (this number cannot be reached on this channel),
        the buyer's next number is tried on the same channel first: a buyer who typed two
        numbers gets the cheaper channel on the second before the next channel on the first.
        With ``other_address`` (the buyer has no address of this channel's kind, e.g. no
        mobile), only channels sending to another kind of address are tried (e-mail).
        Returns the new message, if any."""
        self.ensure_one()
        if self.is_test or self._order_notify_get_siblings().filtered(lambda m: m.state in const.SUCCESS_STATES):
            return self.browse()
        phones = self._order_notify_get_chain_phones()
        if other_phone:
            tried = set((self._order_notify_get_siblings() | self).filtered(
                lambda m: m.channel == self.channel).mapped('phone'))
            untried = [phone for phone in phones if phone not in tried]
            if untried:
                phone = untried[0]
                return self._order_notify_create_fallback(self.channel, self.provider_id, phone, phones.index(phone))
        channels = self.env['order.notify.route']._order_notify_get_channels(self.event, self.company_id)
        if self.channel not in channels:
            return self.browse()
        tried = set(self._order_notify_get_siblings().mapped('channel')) | {self.channel}
        next_channels = [c for c in channels[channels.index(self.channel) + 1:] if c not in tried]
        if other_address:
            kind = self._order_notify_recipient_kind()
            next_channels = [c for c in next_channels if self._order_notify_recipient_kind(c) != kind]
        Provider = self.env['order.notify.provider']
        for channel in next_channels:
            provider = Provider._order_notify_get_available(channel, self.company_id)
            if not provider:
                continue
            return self._order_notify_create_fallback(channel, provider, phones[0] if phones else self.phone, 0)
        return self.browse()

    def _order_notify_create_fallback(self, channel, provider, phone, phone_index):
        """Queue this message again on ``channel`` for ``phone`` (the ``phone_index``-th
        number of the buyer), linked to this one."""
        self.ensure_one()
        is_phone = self._order_notify_recipient_kind(channel) == 'phone'
        fallback = self._order_notify_create_unique({
            'order_id': self.order_id.id,
            'order_name': self.order_name,
            'picking_id': self.picking_id.id,
            'partner_id': self.partner_id.id,
            'company_id': self.company_id.id,
            'user_id': self.user_id.id,
            'team_id': self.team_id.id,
            'event': self.event,
            'channel': channel,
            'provider_id': provider.id,
            'currency_id': provider.currency_id.id,
            'phone': phone if is_phone else False,
            'recipient': phone if is_phone else False,
            'alternative_phones': self.alternative_phones if is_phone else False,
            'revision': self.revision,
            'ref': self.ref,
            'fallback_from_id': self.id,
            'idempotency_key': self._order_notify_make_key(
                self.order_id, self.event, channel, revision=self.revision, attempt_phone=phone_index,
                ref=self.ref or False,
            ),
        })
        self._order_notify_trigger_dispatch()
        return fallback

    def _order_notify_get_chain_phones(self):
        """The buyer's numbers for this message's chain, the first one first: the phone of the
        chain's first message, then the alternatives it found."""
        self.ensure_one()
        first = self
        while first.fallback_from_id:
            first = first.fallback_from_id
        phones = [first.phone] if first.phone else []
        return phones + [phone for phone in (self.alternative_phones or '').split() if phone not in phones]

    @api.model
    def _order_notify_phone_skip_reason(self, order, reason_code):
        """Why ``order``'s buyer cannot be messaged, with the number tried: the same sentence for
        the dispatcher and the dry run."""
        reason = self._order_notify_reason_text(reason_code)
        typed = order._order_notify_typed_numbers()
        if typed and reason_code != const.REASON_OPTED_OUT:
            reason = _lt("%(reason)s Number tried: %(numbers)s.", reason=reason, numbers=", ".join(typed))
        return reason

    @api.model
    def _order_notify_text(self, value):
        """``value`` as the current user reads it: a lazy reason translated in their language."""
        return self.env._(value) if isinstance(value, LazyGettext) else value

    @api.model
    def _order_notify_event_label(self, event):
        """The event's label, lazy: a reason quoting it is translated for each reader."""
        return self.env['order.notify.registry']._get_event(event).get('label') or event

    def _order_notify_reason_text(self, reason_code):
        return {
            const.REASON_NO_PHONE: _lt("The customer has no phone number."),
            const.REASON_INVALID_PHONE: _lt("The customer's phone number is not valid."),
            const.REASON_LANDLINE: _lt("The customer's phone number is a landline: it cannot receive messages."),
            const.REASON_BLACKLISTED: _lt("The customer's phone number is in the phone blacklist."),
            const.REASON_OPTED_OUT: _lt("The customer asked not to receive order notifications."),
            const.REASON_NO_EMAIL: _lt("The customer has no e-mail address."),
            const.REASON_INVALID_EMAIL: _lt("The customer's e-mail address is not valid."),
            const.REASON_NO_RECIPIENT: _lt("The customer cannot be reached on this channel."),
        }.get(reason_code, reason_code)

    def _order_notify_guidance(self, reason_code):
        """What the salesperson can do about a skipped or failed message, in plain words."""
        send_again = _("then Send Again.")
        nothing = _("Nothing to do: the buyer got the news in another message.")
        return {
            const.REASON_NO_PHONE: _("Add a mobile number to the customer, %s", send_again),
            const.REASON_INVALID_PHONE: _("Correct the customer's mobile number, %s", send_again),
            const.REASON_LANDLINE: _("Add a mobile number to the customer (a landline cannot get messages), %s", send_again),
            const.REASON_BLACKLISTED: _("Only if the customer asks: remove the number from the phone blacklist, %s", send_again),
            const.REASON_OPTED_OUT: _("Only if the customer asks: untick 'No order notifications', %s", send_again),
            const.REASON_NO_EMAIL: _("Add an e-mail address to the customer, %s", send_again),
            const.REASON_INVALID_EMAIL: _("Correct the customer's e-mail address, %s", send_again),
            const.REASON_NO_PROVIDER: _("Enable a provider for this channel (Order Notifications › Providers), %s", send_again),
            const.REASON_NO_TEMPLATE: _("Create a template for this event and channel, %s", send_again),
            const.REASON_RENDER_ERROR: _("Correct the template, %s", send_again),
            const.REASON_MAX_ATTEMPTS: _("The provider did not answer: check its status page, %s", send_again),
            const.ERROR_CONFIG: _("Check the provider's account (Test Connection), %s", send_again),
            const.ERROR_INVALID: _("Check the customer's number and the template's values, %s", send_again),
            const.ERROR_UNREACHABLE: _("The buyer is not on this channel: the next channel takes over."),
            const.REASON_ALREADY_NOTIFIED: nothing,
            const.REASON_MERGED: nothing,
            const.REASON_ALREADY_THANKED: nothing,
        }.get(reason_code, '')

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

    @api.model
    def _order_notify_default_currency(self):
        """The currency providers bill in when the message has none: the dong (Vietnamese
        gateways bill in VND), else the company's."""
        vnd = self.env.ref('base.VND', raise_if_not_found=False)
        return vnd if vnd and vnd.active else self.env.company.currency_id

    @api.model
    def _order_notify_new_test_key(self):
        dbuuid = self.env['ir.config_parameter'].sudo().get_param('database.uuid', '')[:8]
        return f"osn-{dbuuid}-test-{uuid.uuid4().hex[:16]}"
