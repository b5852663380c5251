# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tools import notify_api
from odoo.addons.order_status_notify.utils import OrderNotifyError

_logger = logging.getLogger(__name__)


class OrderNotifyProvider(models.Model):
    """A sending account of one channel, like ``payment.provider`` is for payments.

    Channel addons add their ``code`` with ``selection_add`` and override the ``_order_notify_*``
    business methods below, each starting with ``if self.code != '<code>': return super()...``.
    """
    _name = 'order.notify.provider'
    _description = "Order Notification Provider"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'sequence, id'
    _check_company_auto = True

    # Not translated: the shop names its accounts, the name stays put when the user's language changes.
    name = fields.Char(string="Name", required=True, tracking=True)
    sequence = fields.Integer(string="Sequence", default=10)
    code = fields.Selection(
        string="Provider",
        selection=[('none', "No Provider Set"), ('sandbox', "Sandbox"), ('mail', "Odoo E-mail")],
        default='none',
        required=True,
        help="The technical code of this provider: it decides which API is spoken.",
    )
    channel = fields.Selection(
        string="Channel",
        selection=lambda self: self.env['order.notify.registry']._selection_channels(),
        required=True,
        default=lambda self: self._order_notify_default_channel(),
        tracking=True,
        help="What the provider carries; the channels come from the installed channel addons.",
    )
    state = fields.Selection(
        string="State",
        selection=[('disabled', "Disabled"), ('test', "Test Mode"), ('enabled', "Enabled")],
        default='disabled',
        required=True,
        copy=False,
        tracking=True,
        help="Test Mode: eSMS sends to its sandbox (checked, neither delivered nor charged); Zalo ZNS sends in "
             "development mode (delivered only to the Official Account's admins and testers, not charged); the "
             "other gateways and the built-in Sandbox send as when enabled.",
    )
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', required=True, index=True,
        default=lambda self: self.env.company,
    )
    api_base_url = fields.Char(
        string="API Base URL",
        compute='_compute_api_base_url', store=True, readonly=False, copy=False, groups='base.group_system',
        help="Where the provider's API lives. Change it only to point at a sandbox or a proxy. Settings "
             "administrators only: the credentials are sent there.",
    )
    unit_cost = fields.Monetary(
        string="Unit Cost",
        currency_field='currency_id',
        help="Estimated price of one message (one SMS segment), replaced by the price the "
             "provider reports when it reports one.",
    )
    currency_id = fields.Many2one(
        string="Currency", comodel_name='res.currency', required=True,
        default=lambda self: self.env.ref('base.VND', raise_if_not_found=False) or self.env.company.currency_id,
    )
    is_paused = fields.Boolean(
        string="Paused", copy=False, tracking=True,
        help="Set when the provider cannot send (no credit, wrong credentials, expired access). "
             "Its messages stay queued and leave when it is resumed.",
    )
    pause_reason = fields.Char(string="Pause Reason", copy=False, readonly=True)
    paused_since = fields.Datetime(string="Paused Since", copy=False, readonly=True)
    # Sandbox: like payment_demo, it can play the errors real providers return, for demos and tests.
    sandbox_simulated_error = fields.Selection(
        string="Simulate",
        selection=[
            (const.ERROR_TRANSIENT, "Temporary outage (retried)"),
            (const.ERROR_UNREACHABLE, "Recipient unreachable (falls back)"),
            (const.ERROR_INVALID, "Rejected message (fails)"),
            (const.ERROR_BALANCE, "Out of credit (pauses)"),
            (const.ERROR_CONFIG, "Wrong credentials (fails and pauses)"),
            (const.ERROR_TEMPLATE, "Refused template (fails and alerts)"),
        ],
        help="The error the sandbox returns instead of sending, for the number of sends below.",
    )
    sandbox_simulated_error_count = fields.Integer(
        string="Simulated Errors Left", default=1,
        help="How many of the next sends fail with the simulated error (0: all of them).",
    )
    alert_user_id = fields.Many2one(
        string="Alerts To", comodel_name='res.users',
        compute='_compute_alert_user_id', store=True, readonly=False, tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Who gets an activity and an e-mail when this provider needs attention: low credit, expiring "
             "access, a refused template, a pause. By default the first notification administrator of the "
             "company.",
    )
    # Feature support fields (like payment providers' ``support_*``), computed per code.
    support_idempotency_key = fields.Boolean(
        string="Idempotency Key", compute='_compute_feature_support_fields',
        help="The provider refuses a second message with the same key: after a timeout or a cut "
             "connection the message is simply sent again with its key. Without it, the message is "
             "first reconciled with the provider, and sent again only if the provider did not accept it.",
    )
    reconcile_window_minutes = fields.Integer(
        string="Reconciliation Window (minutes)", default=const.DEFAULT_RECONCILE_WINDOW_MINUTES,
        help="After a timeout or a cut connection, how long to wait for the provider's proof (delivery "
             "report) that it accepted the message. Without a proof by then, the message is marked "
             "Unknown for review, never sent twice automatically.",
    )
    send_concurrency = fields.Integer(
        string="Parallel Sends", default=const.DEFAULT_SEND_CONCURRENCY,
        help="How many messages each dispatcher job may have on their way to this provider at once. The "
             "dispatcher waits for the provider's answers in parallel; 1 sends one message after the other.",
    )
    send_rate_limit = fields.Float(
        string="Rate Limit (messages/second)", compute='_compute_send_rate_limit', store=True, readonly=False,
        help="The provider's documented limit of calls per second, shared by every dispatcher job; 0 means no "
             "limit. A \"too many requests\" answer always pauses the sends for the time the provider asks.",
    )
    notify_message_ids = fields.One2many(
        string="Notifications", comodel_name='order.notify.message', inverse_name='provider_id',
    )
    queued_count = fields.Integer(string="Queued", compute='_compute_message_counts')
    sent_count = fields.Integer(string="Sent", compute='_compute_message_counts')
    failed_count = fields.Integer(string="Failed", compute='_compute_message_counts')

    # === COMPUTE METHODS === #

    @api.depends('code')
    def _compute_api_base_url(self):
        for provider in self:
            provider.api_base_url = provider._order_notify_get_default_api_base_url()

    @api.depends('company_id')
    def _compute_alert_user_id(self):
        for provider in self:
            user = provider.alert_user_id
            if not user or provider.company_id not in user.company_ids:
                provider.alert_user_id = provider._order_notify_default_alert_user()

    @api.depends('code')
    def _compute_send_rate_limit(self):
        for provider in self:
            provider.send_rate_limit = provider._order_notify_get_default_rate_limit()

    @api.depends('code')
    def _compute_feature_support_fields(self):
        """Override in channel addons: set the features their code supports. The sandbox never
        leaves Odoo, so its answers are never ambiguous."""
        for provider in self:
            # Neither the sandbox nor Odoo's e-mail leaves Odoo in the send: never ambiguous.
            provider.support_idempotency_key = provider.code in ('sandbox', 'mail')

    def _compute_message_counts(self):
        counts = {
            (provider.id, state): count
            for provider, state, count in self.env['order.notify.message']._read_group(
                [('provider_id', 'in', self.ids)], ['provider_id', 'state'], ['__count'],
            )
        }
        for provider in self:
            provider.queued_count = counts.get((provider.id, 'queued'), 0)
            provider.sent_count = sum(counts.get((provider.id, s), 0) for s in const.SUCCESS_STATES)
            provider.failed_count = counts.get((provider.id, 'failed'), 0)

    # === CONSTRAINT METHODS === #

    @api.constrains('code', 'channel')
    def _check_mail_channel(self):
        for provider in self:
            if (provider.code == 'mail' and provider.channel != 'email') or (
                    provider.channel == 'email' and provider.code not in ('mail', 'sandbox', 'none')):
                raise ValidationError(_("Odoo E-mail is the provider of the E-mail channel, and only it."))

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        self.env.registry.clear_cache()  # _order_notify_get_available
        return providers

    def write(self, vals):
        res = super().write(vals)
        if {'state', 'channel', 'company_id', 'sequence', 'currency_id'} & set(vals):
            self.env.registry.clear_cache()  # _order_notify_get_available
        if vals.get('state') in ('test', 'enabled') or vals.get('is_paused') is False:
            self.env['order.notify.message']._order_notify_trigger_dispatch()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    # === ACTION METHODS === #

    def action_test_connection(self):
        """Ask the provider a read-only question and tell the admin the answer in plain words."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        try:
            answer = self.sudo()._order_notify_test_connection()
        except UserError as error:
            return self._order_notify_display_notification(str(error), 'danger')
        return self._order_notify_display_notification(answer, 'success')

    def action_resume(self):
        """Resume a paused provider: its queued messages leave at once."""
        self._order_notify_check_action_rights()
        for provider in self.filtered('is_paused'):
            provider.write({'is_paused': False, 'pause_reason': False, 'paused_since': False})
            provider.notify_message_ids.filtered(
                lambda m: m.state == 'queued' and m.reason_code in const.DEFER_REASONS
            ).write({'next_attempt_at': fields.Datetime.now()})
            provider.activity_ids.filtered(
                lambda a: a.summary and a.summary.startswith('[order_notify]')
            ).action_feedback(feedback=_("Provider resumed."))
        return True

    def action_view_messages(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id(
            'order_status_notify.action_order_notify_message'
        )
        action['domain'] = [('provider_id', '=', self.id)]
        action['context'] = {'search_default_provider_id': self.id}
        return action

    def action_send_test(self):
        self.ensure_one()
        self._order_notify_check_action_rights()
        return {
            'type': 'ir.actions.act_window',
            'name': _("Send a test message"),
            'res_model': 'order.notify.send.test',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_provider_id': self.id},
        }

    # === BUSINESS METHODS === #

    def _order_notify_check_action_rights(self):
        """Raise unless the current user may act on these providers: a notification admin with
        write access to each of them (its company among the user's). Provider actions read secrets
        and call the vendor as the superuser, so every action checks this first, before any
        ``sudo`` or side effect; buttons hidden in the view protect nothing over JSON-RPC."""
        if self.env.su:
            return
        if not self.env.user.has_group('order_status_notify.group_order_notify_manager'):
            raise AccessError(_("Only notification administrators can do this."))
        self.check_access('write')

    @api.model
    def _order_notify_default_channel(self):
        selection = self.env['order.notify.registry']._selection_channels()
        return selection[0][0] if selection else False

    @api.model
    def _order_notify_get_recipients_batch(self, orders, channel):
        """``_order_notify_get_recipients`` of every order of ``orders`` at once, as ``{order id:
        (addresses, reason_code)}``: the dispatcher asks it for the messages it decides together
        (one read of the buyers, one blacklist search). The core reads phones and e-mail
        addresses in batch; other kinds of address are asked order by order."""
        kind = self.env['order.notify.registry']._get_channel(channel)['recipient']
        if kind == 'phone':
            return orders._order_notify_get_phones_batch()
        if kind == 'email':
            return orders._order_notify_get_emails_batch()
        return {order.id: self._order_notify_get_recipients(order, channel) for order in orders}

    @api.model
    def _order_notify_get_recipients(self, order, channel):
        """Where the buyer of ``order`` is reached on ``channel``: the hook the dispatcher asks
        before a message leaves. The core knows phone channels (the buyer's mobiles, see
        ``sale.order._order_notify_get_phones``) and e-mail; a channel addon sending elsewhere
        (a Messenger chat id) overrides it for its channel.

        :return: ``([address, …], False)``, the first one used first, or ``([], reason_code)``
            (``const.REASON_*``; ``const.NO_ADDRESS_REASONS`` let the next channel of another
            kind take over)
        """
        kind = self.env['order.notify.registry']._get_channel(channel)['recipient']
        if kind == 'phone':
            return order._order_notify_get_phones()
        if kind == 'email':
            return order._order_notify_get_emails()
        return [], const.REASON_NO_RECIPIENT

    @api.model
    def _order_notify_recipient_skip_reason(self, order, channel, reason_code):
        """Why the buyer of ``order`` cannot be reached on ``channel`` (``reason_code`` from
        ``_order_notify_get_recipients``), lazily translated: shown on the skipped message in
        its reader's language. Channel addons with their own addresses override it."""
        Message = self.env['order.notify.message']
        if self.env['order.notify.registry']._get_channel(channel)['recipient'] == 'phone':
            return Message._order_notify_phone_skip_reason(order, reason_code)
        return Message._order_notify_reason_text(reason_code)

    @api.model
    def _order_notify_get_available(self, channel, company):
        """Return the provider that sends the messages of ``channel`` for ``company`` now,
        or an empty recordset. Paused providers stay available: their messages wait."""
        return self.sudo().browse(self._order_notify_get_available_id(channel, company.id)[0])

    @api.model
    @tools.ormcache('channel', 'company_id')
    def _order_notify_get_available_id(self, channel, company_id):
        """``(provider id, currency id)`` of ``_order_notify_get_available``, or ``(False,
        False)``. Asked by every business hook: kept in the registry's cache, cleared when a
        provider is created, switched on or off, or moved (``write``)."""
        provider = self.sudo().search([
            ('channel', '=', channel),
            ('state', 'in', ('test', 'enabled')),
            ('company_id', '=', company_id),
        ], limit=1)
        return provider.id, provider.currency_id.id

    def _order_notify_request(self, method, url, *, vendor=None, json=None, decode=True, **kwargs):
        """Call this provider's vendor through the one HTTP client of the addons
        (``tools/notify_api.py``): a kept-alive session per provider and worker, explicit
        timeouts, 429 read into ``retry_at``, 5xx and network errors as transient
        ``OrderNotifyError`` (``ambiguous`` where the vendor may have processed the request).

        :param str vendor: the name the shop reads in reasons (default: the provider's code label)
        :param json: a JSON body
        :param bool decode: return the decoded JSON object (a body that is not JSON is a
            transient error); ``False`` returns the ``requests`` response for vendors that
            answer errors by HTTP status
        :param kwargs: ``params``, ``data``, ``headers``, ``auth``, ``timeout``,
            ``rate_limit_headers``
        """
        self.ensure_one()
        vendor = vendor or dict(self._fields['code']._description_selection(self.env)).get(self.code, self.code)
        if json is not None:
            kwargs['json'] = json
        # In the dispatcher's parallel sends, the first call of a send is made by a worker thread.
        current = notify_api.current_exchange()
        call = current.request if current is not None else notify_api.request
        response = call(method, url, vendor=vendor, session_key=(self.env.cr.dbname, self.id), **kwargs)
        return notify_api.decode_json(response, vendor=vendor) if decode else response

    def _order_notify_get_default_rate_limit(self):
        """The vendor's documented limit of send calls per second for this provider's code (0: none
        documented); channel addons override it."""
        return 0.0

    def _order_notify_bucket_key(self):
        """What identifies this provider's rate limit in the dispatcher's process."""
        self.ensure_one()
        return (self.env.cr.dbname, self.id)

    def _order_notify_shard_rate(self):
        """This provider's rate limit for one dispatcher job: each of the shards (see
        ``order.notify.message._order_notify_get_shards``) gets its share, so that together they
        stay within it."""
        self.ensure_one()
        return self.send_rate_limit / self.env['order.notify.message']._order_notify_get_shards()

    def _order_notify_get_default_api_base_url(self):
        """Return the vendor's API root for this provider's code (overridden by channel addons)."""
        return False

    def _order_notify_test_connection(self):
        """Return a sentence saying the connection works, or raise a UserError saying why not."""
        self.ensure_one()
        if self.code == 'sandbox':
            return _("The sandbox provider is always reachable; it sends nothing outside Odoo.")
        if self.code == 'mail':
            servers = self.env['ir.mail_server'].sudo().search_count([])
            if servers:
                return _("E-mails leave through Odoo's outgoing mail servers (%s configured).", servers)
            return _("E-mails leave through Odoo's default outgoing mail server (no server configured in Settings).")
        raise UserError(_("This provider cannot test its connection."))

    def _order_notify_estimate_cost(self, message):
        """What ``message`` will likely be billed, shown from the moment it leaves until the
        provider reports its price: the provider's unit cost times the units of the message
        (SMS segments). Channel addons override it where the price is known better."""
        self.ensure_one()
        return self.unit_cost * (message.segment_count or 1)

    def _order_notify_send(self, message):
        """Send ``message`` (an ``order.notify.message`` in state ``sending``) to the buyer.

        Called by the dispatcher only, after the message was claimed and committed, so a
        provider may take its time; it must not write on ``message`` itself.

        :return: values to write on the message; ``state`` defaults to ``sent`` and
                 ``provider_message_ref`` should hold the provider's message id.
        :raise OrderNotifyError: with the error class that tells the dispatcher what to do.
        """
        self.ensure_one()
        if self.code == 'mail':
            return self._mail_send(message)
        if self.code != 'sandbox':
            raise NotImplementedError(f"Provider {self.code} does not implement sending")
        self._sandbox_raise_simulated_error()
        # A test message belongs to no order: nothing is logged in a customer's order.
        message.order_id and message.order_id._message_log(body=_(
            "Sandbox %(channel)s message to %(phone)s: %(content)s",
            channel=dict(self._fields['channel']._description_selection(self.env)).get(message.channel),
            phone=message.phone,
            content=message.content or message.params_display or '',
        ))
        now = fields.Datetime.now()
        return {
            'state': 'delivered',
            'provider_message_ref': f'sandbox-{message.id}',
            'delivered_date': now,
            'cost': self.unit_cost,
            'currency_id': self.currency_id.id,
        }

    def _mail_send(self, message):
        """The e-mail channel: hand the message to Odoo's mail queue (``mail.mail``), which
        sends it with the database's outgoing mail servers; its state becomes the message's
        (``mail.mail._postprocess_sent_message``). The e-mail is logged on the order, as any
        e-mail of the shop to its customer. E-mail costs the shop nothing."""
        order = message.order_id
        company = message.company_id
        mail = self.env['mail.mail'].sudo().create({
            'subject': message.subject or _("%(shop)s: order %(order)s", shop=company.name, order=message.order_name or ''),
            'body_html': plaintext2html(message.content or ''),
            'email_to': message.recipient,
            'email_from': company.email_formatted or False,
            'model': order and 'sale.order',
            'res_id': order.id,
            'message_type': 'email_outgoing',
            'auto_delete': False,  # its state is the message's delivery status
            'order_notify_message_id': message.id,
        })
        cron = self.env.ref('mail.ir_cron_mail_scheduler_action', raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        return {
            'state': 'sent', 'provider_message_ref': f'mail-{mail.id}', 'cost': 0.0, 'currency_id': self.currency_id.id,
        }

    def _sandbox_raise_simulated_error(self):
        """Raise the error the admin asked the sandbox to simulate, counting it down."""
        error_class = self.sandbox_simulated_error
        if not error_class:
            return
        left = self.sandbox_simulated_error_count
        if left == 1:
            self.sudo().write({'sandbox_simulated_error': False, 'sandbox_simulated_error_count': 1})
        elif left > 1:
            self.sudo().sandbox_simulated_error_count = left - 1
        label = dict(self._fields['sandbox_simulated_error']._description_selection(self.env))[error_class]
        raise OrderNotifyError(error_class, _("Sandbox simulated error: %s", label), code=f'sandbox-{error_class}')

    def _order_notify_fetch_status(self, messages):
        """Ask the provider what became of ``messages`` (sent, without a delivery report for a
        while) and update them. Providers without a status API do nothing."""
        return

    def _order_notify_reconcile(self, messages):
        """Tell whether the provider accepted ``messages`` (state ``reconciling``: an ambiguous
        answer, then no proof during the reconciliation window). Providers that can ask update
        the accepted ones themselves (``_order_notify_mark_reconciled``) and return
        ``{message_id: 'not_accepted'}`` for the ones they provably did not accept, which are then
        sent again; any other message becomes ``unknown``.

        :return: dict ``{message id: 'not_accepted'}``
        """
        return {}

    def _order_notify_estimate(self, content, params=None, template=None, partner=None, phone=None):
        """What sending this text / these parameters would give, without sending anything: for
        the template preview and the dry run. Channel addons refine it (SMS: the text as sent,
        its characters and segments; Zalo: the ZNS template's price, a buyer known without
        Zalo).

        :return: ``{'text', 'char_count', 'segment_count', 'cost', 'unreachable'}``; ``cost`` in
                 the provider's currency; ``unreachable`` a sentence when the buyer is known
                 not to be reachable on this channel (the message would go to the next one).
        """
        self.ensure_one()
        text = content or ''
        return {
            'text': text,
            'char_count': len(text),
            'segment_count': 1,
            'cost': self.unit_cost,
            'unreachable': False,
        }

    def _order_notify_reports_delivery(self):
        """Whether this provider tells when a message reached the phone (delivery report or
        status API), so that its "sent" messages may still become "delivered". The sandbox
        marks its messages delivered at send; channel addons answer ``False`` for the modes
        that never report (the delivery rate leaves their messages out)."""
        self.ensure_one()
        return True

    def _order_notify_display_notification(self, message, notif_type):
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {'message': message, 'type': notif_type, 'sticky': notif_type == 'danger'},
        }
