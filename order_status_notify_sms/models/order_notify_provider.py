# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac
import logging
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools import SMS_APIS, prepare_sms_text

_logger = logging.getLogger(__name__)

SMS_CODES = tuple(SMS_APIS)


class OrderNotifyProvider(models.Model):
    """SMS brandname gateways used by Vietnamese shops: eSMS (ViHAT), SpeedSMS and VietGuys.

    What the three share (brandname, Unicode choice, length limit, balance, delivery report
    token) lives here; each vendor's requests and answers live in its class of ``tools/``
    (``_sms_api()``), which calls the vendor through the core HTTP client.
    """
    _inherit = 'order.notify.provider'

    code = fields.Selection(
        selection_add=[('esms', "eSMS"), ('speedsms', "SpeedSMS"), ('vietguys', "VietGuys")],
        ondelete={'esms': 'set default', 'speedsms': 'set default', 'vietguys': 'set default'},
    )
    # Credentials: readable by system administrators only.
    esms_api_key = fields.Char(string="eSMS API Key", groups='base.group_system', copy=False)
    esms_secret_key = fields.Char(string="eSMS Secret Key", groups='base.group_system', copy=False)
    speedsms_access_token = fields.Char(string="SpeedSMS Access Token", groups='base.group_system', copy=False)
    vietguys_username = fields.Char(string="VietGuys User Name", groups='base.group_system', copy=False)
    vietguys_password = fields.Char(
        string="VietGuys Password", groups='base.group_system', copy=False,
        help="The static API passcode of the account (pwd).",
    )
    # No column default: it would be evaluated once for every existing provider (and logged).
    sms_report_token = fields.Char(
        string="Delivery Report Token", groups='base.group_system', copy=False,
        help="Secret part of the delivery report URL: only the gateway knows it. Each provider has its own.",
    )
    sms_report_url = fields.Char(
        string="Delivery Report URL", compute='_compute_sms_report_url', groups='base.group_system',
        help="Give this URL to the gateway (SpeedSMS, VietGuys: in the account settings; eSMS gets it "
             "with each message).",
    )
    # Sending
    sms_brandname = fields.Char(
        string="Brandname", help="The sender name registered with the carriers (11 characters at most).",
    )
    sms_unicode = fields.Boolean(
        string="Send with Diacritics", default=True,
        help="Send Vietnamese with its diacritics (Unicode, 70 characters per SMS). Off: the text is "
             "sent without accents (160 characters per SMS, cheaper), 'đã được giao' becoming 'da duoc giao'.",
    )
    sms_max_segments = fields.Integer(
        string="Maximum SMS per Message", default=const.MAX_SEGMENTS,
        help="A message longer than this many SMS is not sent (the template form warns about it). "
             "Brandname gateways accept 3 at most: 459 characters without diacritics, 201 with.",
    )
    # Balance
    sms_balance = fields.Monetary(string="Balance", currency_field='currency_id', readonly=True, copy=False)
    sms_balance_date = fields.Datetime(string="Balance Read On", readonly=True, copy=False)
    sms_balance_threshold = fields.Monetary(
        string="Low Balance Alert", currency_field='currency_id', default=50000,
        help="The administrators get an activity when the balance falls under this amount.",
    )
    sms_out_of_credit = fields.Boolean(
        string="Out of Credit", readonly=True, copy=False,
        help="Set when the gateway refused a message for lack of credit; sending resumes by itself "
             "when the balance is read above the alert amount.",
    )
    sms_supports_balance = fields.Boolean(compute='_compute_sms_supports_balance')

    # === COMPUTE METHODS === #

    @api.depends('code', 'sms_report_token')
    def _compute_sms_report_url(self):
        for provider in self:
            provider.sms_report_url = provider._sms_get_report_url() if provider.code in SMS_CODES else False

    def _compute_feature_support_fields(self):
        """eSMS documents ``RequestId`` (a second send with the same id within 24 h is refused
        with 124); SpeedSMS documents no idempotency key, and VietGuys' ``RequestId`` has no
        documented semantics (sms_providers.md): both are reconciled, never resent blindly."""
        super()._compute_feature_support_fields()
        for provider in self.filtered(lambda p: p.code in SMS_CODES):
            provider.support_idempotency_key = provider.code == 'esms'

    @api.depends('code')
    def _compute_sms_supports_balance(self):
        for provider in self:
            api_class = SMS_APIS.get(provider.code)
            provider.sms_supports_balance = bool(api_class and api_class.supports_balance)

    # === CONSTRAINT METHODS === #

    @api.constrains('sms_max_segments')
    def _check_sms_max_segments(self):
        for provider in self.filtered(lambda p: p.code in SMS_CODES):
            if not 1 <= provider.sms_max_segments <= const.MAX_SEGMENTS:
                raise ValidationError(_(
                    "The maximum number of SMS per message must be between 1 and %s.", const.MAX_SEGMENTS,
                ))

    @api.constrains('code', 'channel')
    def _check_sms_channel(self):
        for provider in self:
            if provider.code in SMS_CODES and provider.channel != 'sms':
                raise ValidationError(_("%s sends SMS only: set its channel to SMS.", provider.name))

    # === ONCHANGE METHODS === #

    @api.onchange('code')
    def _onchange_code_sms_channel(self):
        if self.code in SMS_CODES:
            self.channel = 'sms'

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        providers.sudo()._sms_ensure_report_token()
        return providers

    def write(self, vals):
        res = super().write(vals)
        if 'code' in vals:
            self.sudo()._sms_ensure_report_token()
        return res

    # === ACTION METHODS === #

    def action_sms_rotate_report_token(self):
        """Give the provider a new delivery report URL (the old one is refused from now on)."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        if not self.env.user.has_group('base.group_system'):
            raise AccessError(_("Only Settings administrators can change the delivery report URL."))
        self.sudo()._sms_ensure_report_token(rotate=True)
        return True

    def action_sms_refresh_balance(self):
        """Read the balance now; resumes a provider paused for lack of credit once topped up."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        try:
            balance = self.sudo()._sms_check_balance()
        except UserError as error:
            return self._order_notify_display_notification(str(error), 'danger')
        return self._order_notify_display_notification(
            _("Balance: %s", self._sms_format_amount(balance)), 'success',
        )

    # === BUSINESS METHODS: CORE HOOKS === #

    def _order_notify_get_default_rate_limit(self):
        if self.code in SMS_CODES:
            return const.SEND_RATE_LIMITS.get(self.code, 0.0)
        return super()._order_notify_get_default_rate_limit()

    def _order_notify_get_default_api_base_url(self):
        if self.code in SMS_CODES:
            return const.DEFAULT_API_BASE_URLS[self.code]
        return super()._order_notify_get_default_api_base_url()

    def _order_notify_test_connection(self):
        if self.code not in SMS_CODES:
            return super()._order_notify_test_connection()
        self.ensure_one()
        if self.code == 'vietguys':
            raise UserError(_(
                "VietGuys has no read-only API to check the credentials with: use Send Test to a phone of yours.",
            ))
        balance = self._sms_check_balance()
        return _(
            "Connected to %(provider)s. Balance: %(balance)s.",
            provider=self.name, balance=self._sms_format_amount(balance),
        )

    def _order_notify_send(self, message):
        if self.code not in SMS_CODES:
            return super()._order_notify_send(message)
        self.ensure_one()
        sms = self._sms_prepare(message)
        try:
            vals = self._sms_api().send(message, sms)
        except OrderNotifyError as error:
            if error.error_class == core_const.ERROR_BALANCE:
                # Cleared when the balance is read above the alert amount (_sms_check_balance).
                self.sudo().sms_out_of_credit = True
            elif error.error_class == core_const.ERROR_DUPLICATE:
                # Sent before (a crash or a timeout hid the answer): log what was sent and its price.
                error.vals = self._sms_sent_vals(dict(error.vals), sms)
            raise
        return self._sms_sent_vals(vals, sms)

    def _order_notify_estimate_cost(self, message):
        if self.code in SMS_CODES and self._sms_is_sandbox():
            return 0.0  # the vendor's sandbox does not charge
        return super()._order_notify_estimate_cost(message)

    def _order_notify_fetch_status(self, messages):
        if self.code not in SMS_CODES:
            return super()._order_notify_fetch_status(messages)
        self._sms_api().fetch_status(messages)

    def _order_notify_estimate(self, content, params=None, template=None, partner=None, phone=None):
        """The text as the phone will show it (diacritics kept or stripped as this provider
        sends it), its characters, segments and cost; a text too long is reported as such."""
        if self.code not in SMS_CODES:
            return super()._order_notify_estimate(content, params, template, partner, phone)
        self.ensure_one()
        sms = prepare_sms_text(content or '', unicode=self.sms_unicode)
        limit = self.sms_max_segments or const.MAX_SEGMENTS
        if sms.segments > limit and sms.is_unicode:
            plain = prepare_sms_text(content or '', unicode=False)
            if plain.segments <= limit:
                sms = plain
        return {
            'text': sms.text,
            'char_count': sms.length,
            'segment_count': sms.segments,
            'encoding': sms.encoding,
            'cost': 0.0 if self._sms_is_sandbox() else self.unit_cost * sms.segments,
            'unreachable': False,
            'too_long': sms.segments > limit,
        }

    def _order_notify_reports_delivery(self):
        if self.code not in SMS_CODES:
            return super()._order_notify_reports_delivery()
        # eSMS's sandbox accepts the message and never sends a delivery report.
        return not self._sms_is_sandbox()

    # === BUSINESS METHODS: SHARED === #

    def _sms_is_sandbox(self):
        """Whether messages go to the vendor's sandbox: validated, not delivered, not charged.
        Only eSMS has one (``Sandbox=1``); the other gateways send for real in test mode."""
        return self.code == 'esms' and self.state == 'test'

    def _sms_prepare(self, message):
        """The text to send for ``message``, within the provider's length limit.

        :raise OrderNotifyError: ``invalid`` when the text is empty or too long even without
            diacritics (the buyer would get a cut or refused message).
        """
        if not message.content:
            raise OrderNotifyError(core_const.ERROR_INVALID, _("The message has no text."))
        sms = prepare_sms_text(message.content, unicode=self.sms_unicode)
        limit = self.sms_max_segments or const.MAX_SEGMENTS
        if sms.segments > limit and sms.is_unicode:
            # Better a message without accents than no message at all.
            plain = prepare_sms_text(message.content, unicode=False)
            if plain.segments <= limit:
                _logger.info("Order notification %s sent without diacritics to fit %s SMS", message.id, limit)
                sms = plain
        if sms.segments > limit:
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "The text is %(length)s characters long (%(segments)s SMS), more than the %(limit)s SMS allowed "
                "by the provider: shorten the template.",
                length=sms.length, segments=sms.segments, limit=limit,
            ), code='too_long')
        if not self.sms_brandname:
            raise OrderNotifyError(core_const.ERROR_CONFIG, _("The provider has no brandname."), code='brandname')
        return sms

    def _sms_sent_vals(self, vals, sms):
        """``vals`` of a sent message completed with the text sent and, unless the gateway told
        its price, the estimated one."""
        vals.update({
            'sms_encoding': sms.encoding,
            'sms_char_count': sms.length,
            'segment_count': sms.segments,
            'sms_content_sent': sms.text,
        })
        if 'cost' not in vals and self.unit_cost and not self._sms_is_sandbox():
            # An estimate until the delivery report tells the price the carrier charged.
            vals.update(cost=self.unit_cost * sms.segments, cost_source='estimate', currency_id=self.currency_id.id)
        return vals

    def _sms_ensure_report_token(self, rotate=False):
        """Give every SMS provider of ``self`` a report token of its own: a missing one, one shared
        with another provider (installed before tokens were per provider) or, with ``rotate``, any."""
        sms_providers = self.sudo().filtered(lambda p: p.code in SMS_CODES)
        shared = {
            token for token, count in self.sudo()._read_group(
                [('sms_report_token', '!=', False)], ['sms_report_token'], ['__count'],
            ) if count > 1
        }
        for provider in sms_providers:
            if rotate or not provider.sms_report_token or provider.sms_report_token in shared:
                provider.sms_report_token = secrets.token_urlsafe(24)

    def _sms_get_report_url(self):
        self.ensure_one()
        token = self.sudo().sms_report_token
        if not token or not self.code:
            return False
        return f"{self.get_base_url()}/order_status_notify_sms/{self.code}/{token}"

    def _sms_check_balance(self):
        """Read and store the balance, alert under the threshold, resume when topped up.

        :return: the balance
        :raise UserError: when the gateway cannot tell it
        """
        self.ensure_one()
        if not self.sms_supports_balance:
            raise UserError(_("%s does not tell its balance.", self.name))
        try:
            balance = self._sms_api().fetch_balance()
        except OrderNotifyError as error:
            raise UserError(str(error.message)) from None
        provider = self.sudo()
        provider.write({'sms_balance': balance, 'sms_balance_date': fields.Datetime.now()})
        if balance < provider.sms_balance_threshold:
            provider._order_notify_alert(_("Low SMS balance"), _(
                "The balance of %(provider)s is %(balance)s, under the alert amount of %(threshold)s: top it up "
                "before messages stop.",
                provider=provider.name, balance=self._sms_format_amount(balance),
                threshold=self._sms_format_amount(provider.sms_balance_threshold),
            ), key='sms_low_balance')
        elif provider.sms_out_of_credit:
            provider.sms_out_of_credit = False
            provider._order_notify_close_alerts('sms_low_balance', _("Balance topped up."))
            if provider.is_paused:
                provider.message_post(body=_(
                    "Balance topped up (%s): sending resumed.", self._sms_format_amount(balance),
                ))
                provider.action_resume()
        return balance

    def _sms_format_amount(self, amount):
        return self.currency_id.format(amount) if self.currency_id else str(amount)

    @api.model
    def _cron_sms_check_balance(self):
        """Read the balance of every active SMS provider that can tell it."""
        codes = [code for code, api_class in SMS_APIS.items() if api_class.supports_balance]
        providers = self.sudo().search([('code', 'in', codes), ('state', 'in', ('test', 'enabled'))])
        for provider in providers:
            try:
                provider._sms_check_balance()
            except UserError as error:
                _logger.warning("Could not read the balance of %s: %s", provider.name, error)

    @api.model
    def _sms_find_by_token(self, code, token):
        """The provider of ``code`` whose delivery report token is ``token``, or an empty recordset."""
        if not token:
            return self.browse()
        providers = self.sudo().search([('code', '=', code), ('sms_report_token', '!=', False)])
        return providers.filtered(
            lambda p: hmac.compare_digest(p.sms_report_token.encode(), token.encode())
        )[:1]

    def _sms_find_message(self, reference):
        self.ensure_one()
        if not reference:
            return self.env['order.notify.message']
        return self.env['order.notify.message'].sudo().search([
            ('provider_id', '=', self.id), ('provider_message_ref', '=', str(reference)),
        ], limit=1)

    def _sms_api(self):
        """The gateway glue of this provider's code (``tools/<code>_api.py``)."""
        self.ensure_one()
        return SMS_APIS[self.code](self)

    @api.model
    def _sms_process_report(self, code, token, data):
        """Apply the delivery report a gateway sent to a report URL (public route, see the
        controller): the secret token in the URL is what authenticates the call.

        :param str code: the gateway, from the URL
        :param dict data: the call's query parameters (eSMS) or JSON body (SpeedSMS, VietGuys)
        :return: ``(http_status, text)``: 404 for a token no provider of ``code`` has
        """
        provider = self._sms_find_by_token(code, token)
        if not provider:
            return 404, "unknown"
        return provider._sms_api().process_report(data)
