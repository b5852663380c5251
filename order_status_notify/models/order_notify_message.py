# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging
import uuid

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.translate import LazyGettext, LazyTranslate

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.utils import OrderNotifyError, lazy_to_json, render_lazy_json

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

    # === BUSINESS METHODS: REASONS === #

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
            const.REASON_PROMO_OPTED_OUT: _("Only if the customer asks: untick 'No Promotional Messages' on the contact."),
        }.get(reason_code, '')

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
