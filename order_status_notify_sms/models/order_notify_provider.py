# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytz
import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError, is_ambiguous_request_error
from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools import prepare_sms_text

_logger = logging.getLogger(__name__)

SMS_CODES = ('esms', 'speedsms', 'vietguys')


class OrderNotifyProvider(models.Model):
    """SMS brandname gateways used by Vietnamese shops: eSMS (ViHAT), SpeedSMS and VietGuys.

    What the three share (brandname, Unicode choice, length limit, balance, delivery report
    token) lives here; each vendor's request and answer shapes live in its ``_<code>_*`` methods.
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
            provider.sms_supports_balance = provider.code in ('esms', 'speedsms')

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
            vals = getattr(self, f'_{self.code}_send')(message, sms)
        except OrderNotifyError as error:
            if error.error_class == core_const.ERROR_DUPLICATE:
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
        fetch = getattr(self, f'_{self.code}_fetch_status', None)
        if fetch:
            fetch(messages)

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

    def _sms_national_phone(self, phone):
        """``0912345678`` for ``+84912345678``; Vietnamese gateways send to Vietnamese numbers only."""
        if not phone or not phone.startswith('+84'):
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "%(provider)s sends to Vietnamese mobile numbers only, not to %(phone)s.",
                provider=self.name, phone=phone or '-',
            ), code='phone')
        return '0' + phone[3:]

    def _sms_international_phone(self, phone):
        """``84912345678`` (E.164 without ``+``), the form SpeedSMS and VietGuys document."""
        return '84' + self._sms_national_phone(phone)[1:]

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

    def _sms_url(self, path):
        return (self.sudo().api_base_url or self._order_notify_get_default_api_base_url() or '').rstrip('/') + path

    def _sms_request(self, method, path, **kwargs):
        """Call the gateway and return the ``requests`` response.

        :raise OrderNotifyError: ``transient`` when the gateway cannot be reached or times out,
            ``ambiguous`` when the request may have been processed all the same (read timeout,
            connection cut once the request was written). The reason names the host only: URLs
            may carry credentials in their query string.
        """
        url = self._sms_url(path)
        try:
            response = requests.request(method, url, timeout=const.TIMEOUT, **kwargs)
        except requests.exceptions.RequestException as error:
            host = urlsplit(url).netloc
            _logger.warning("%s (%s) unreachable: %s", self.name, host, type(error).__name__)
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Could not reach %(provider)s at %(host)s (%(error)s).",
                provider=self.name, host=host, error=type(error).__name__,
            ), code='network', ambiguous=is_ambiguous_request_error(error)) from None
        if response.status_code >= 500:
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "%(provider)s answered HTTP %(status)s.", provider=self.name, status=response.status_code,
            ), code=f'http_{response.status_code}')
        return response

    def _sms_json(self, response):
        """The JSON object of a gateway answer; a body that is not JSON is a gateway hiccup."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "%(provider)s answered something that is not JSON (HTTP %(status)s).",
                provider=self.name, status=response.status_code,
            ), code='bad_answer')
        return data

    def _sms_raise(self, table, code, vendor_text=''):
        """Raise the error of a vendor result ``code`` looked up in ``table`` (see ``const``)."""
        error_class, reason = table.get(code, (core_const.ERROR_INVALID, None))
        reason = self.env._(reason) if reason else _("%(provider)s refused the message.", provider=self.name)
        if vendor_text:
            reason = f"{reason} ({vendor_text})"
        if error_class == core_const.ERROR_BALANCE:
            self.sudo().sms_out_of_credit = True
        raise OrderNotifyError(error_class, reason, code=str(code))

    def _sms_check_balance(self):
        """Read and store the balance, alert under the threshold, resume when topped up.

        :return: the balance
        :raise UserError: when the gateway cannot tell it
        """
        self.ensure_one()
        fetch = getattr(self, f'_{self.code}_fetch_balance', None)
        if not fetch:
            raise UserError(_("%s does not tell its balance.", self.name))
        try:
            balance = fetch()
        except OrderNotifyError as error:
            raise UserError(error.message) from None
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
        providers = self.sudo().search([('code', 'in', ('esms', 'speedsms')), ('state', 'in', ('test', 'enabled'))])
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

    # === BUSINESS METHODS: eSMS === #

    def _esms_send(self, message, sms):
        """Send one CSKH brandname SMS (SendMultipleMessage_V4_post_json, SmsType 2).

        The message's idempotency key is the ``RequestId``: eSMS refuses a second request with the
        same id for 24 h (code 124), so a retry after a crash or a timeout never sends twice.
        """
        payload = {
            'ApiKey': self.esms_api_key or '',
            'SecretKey': self.esms_secret_key or '',
            'Phone': self._sms_national_phone(message.phone),
            'Content': sms.text,
            'Brandname': self.sms_brandname,
            'SmsType': '2',
            'IsUnicode': '1' if sms.is_unicode else '0',
            'Sandbox': '1' if self._sms_is_sandbox() else '0',
            'RequestId': message.idempotency_key,
            'CallbackUrl': self._sms_get_report_url(),
        }
        response = self._sms_request('POST', '/SendMultipleMessage_V4_post_json/', json=payload)
        data = self._sms_json(response)
        code = str(data.get('CodeResult') or '')
        if not code:
            # {"error": "Invalid request"}: eSMS could not read the request at all.
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "eSMS rejected the request as malformed: %s", data.get('error') or data,
            ), code='invalid_request')
        if code == const.ESMS_ERRORS_DUPLICATE_CODE:
            raise OrderNotifyError(
                core_const.ERROR_DUPLICATE, self.env._(const.ESMS_ERRORS[code][1]), code=code,
                vals=self._esms_find_sent(message, payload),
            )
        if code != const.ESMS_SUCCESS_CODE:
            self._sms_raise(const.ESMS_ERRORS, code, data.get('ErrorMessage') or '')
        return {'provider_message_ref': str(data.get('SMSID') or '')}

    def _esms_sent_data(self, since, until=None):
        """The CSKH messages eSMS sent between ``since`` and ``until`` (naive UTC), read from
        GetSmsSentData_V2: the documented call that takes the keys in a POST body (GetSendStatus
        only takes them in the query string, which proxies and access logs keep). One call per
        page of 500, for every message of the period at once.

        :return: the ``SentData`` entries, or None when eSMS cannot tell now
        """
        until = until or fields.Datetime.now()
        query = {
            **self._esms_credentials(), 'SmsType': '2', 'PageSize': const.ESMS_SENT_DATA_PAGE_SIZE,
            'From': self._esms_local_time(since - timedelta(minutes=5)),
            'To': self._esms_local_time(until + timedelta(minutes=5)),
        }
        entries = []
        for page in range(1, const.ESMS_SENT_DATA_MAX_PAGES + 1):
            try:
                data = self._sms_json(self._sms_request('POST', '/GetSmsSentData_V2', json={**query, 'Page': page}))
            except OrderNotifyError as error:
                _logger.info("eSMS sent data of %s unavailable: %s", self.name, error)
                return None
            if str(data.get('CodeResult') or '') != const.ESMS_SUCCESS_CODE:
                _logger.info("eSMS sent data of %s refused: code %s", self.name, data.get('CodeResult'))
                return None
            sent = [entry for entry in data.get('SentData') or [] if isinstance(entry, dict)]
            entries += sent
            if len(sent) < const.ESMS_SENT_DATA_PAGE_SIZE:
                break
        return entries

    def _esms_find_sent(self, message, payload):
        """The SMSID and price of the SMS eSMS accepted earlier for ``message`` (it answers 124
        to the same RequestId without them): among the messages sent since the message was
        queued (at most the 24 h RequestId window), the one to the same phone with the same text
        not yet in the log. Empty when eSMS cannot tell (the cost stays an estimate, the id comes
        with the delivery callback, which echoes the RequestId)."""
        now = fields.Datetime.now()
        since = max(message.create_date or now, now - timedelta(hours=const.ESMS_REQUEST_ID_HOURS))
        candidates = [
            entry for entry in self._esms_sent_data(since, now) or []
            if entry.get('ReferenceId') and str(entry.get('Phone')) == payload['Phone']
            and entry.get('Content') == payload['Content']
        ]
        known = set(self.env['order.notify.message'].sudo().search([
            ('provider_id', '=', self.id), ('id', '!=', message.id),
            ('provider_message_ref', 'in', [str(entry['ReferenceId']) for entry in candidates]),
        ]).mapped('provider_message_ref'))
        entry = next((entry for entry in candidates if str(entry['ReferenceId']) not in known), None)
        if not entry:
            return {}
        vals = {'provider_message_ref': str(entry['ReferenceId'])}
        sent = re.match(r'/Date\((\d+)', str(entry.get('SentTime') or ''))
        if sent:  # the day eSMS bills it
            vals['sent_date'] = datetime.fromtimestamp(int(sent[1]) / 1000, tz=pytz.utc).replace(
                tzinfo=None, microsecond=0)
        try:
            price = float(entry['SellPrice'])
        except (KeyError, TypeError, ValueError):
            return vals
        vals.update(cost=price, cost_source='provider' if price else 'none', currency_id=self.currency_id.id)
        return vals

    @staticmethod
    def _esms_local_time(moment):
        """A naive UTC datetime as eSMS writes dates: ``yyyy-MM-dd HH:mm:ss`` in Vietnam."""
        return pytz.utc.localize(moment).astimezone(pytz.timezone(const.ESMS_TZ)).strftime('%Y-%m-%d %H:%M:%S')

    def _esms_credentials(self):
        return {'ApiKey': self.esms_api_key or '', 'SecretKey': self.esms_secret_key or ''}

    def _esms_fetch_balance(self):
        data = self._sms_json(self._sms_request('POST', '/GetBalance_json', json=self._esms_credentials()))
        code = str(data.get('CodeResponse') or '')
        if code != const.ESMS_SUCCESS_CODE:
            error_class, reason = const.ESMS_ERRORS.get(code, (None, None))
            raise OrderNotifyError(
                error_class or core_const.ERROR_INVALID,
                self.env._(reason) if reason else _("eSMS answered code %s.", code or '-'),
                code=code,
            )
        return float(data.get('Balance') or 0.0)

    def _esms_fetch_status(self, messages):
        """Poll the messages without a delivery report (eSMS keeps them 7 days) in one read of
        the period they were sent in: ``SendResult`` 1 delivered / 0 failed / 2 not known yet,
        ``SellPrice`` what eSMS bills."""
        sent_dates = [m.sent_date for m in messages if m.sent_date]
        if not sent_dates:
            return
        entries = self._esms_sent_data(min(sent_dates))
        by_ref = {str(entry.get('ReferenceId')): entry for entry in entries or [] if entry.get('ReferenceId')}
        for message in messages:
            entry = by_ref.get(message.provider_message_ref)
            if entry:
                self._esms_apply_status(message, {
                    'SendStatus': entry.get('SendStatus'),
                    'SendSuccess': 1 if str(entry.get('SendResult')) == '1' else 0,
                    'SendFailed': 1 if str(entry.get('SendResult')) == '0' else 0,
                    'TotalPrice': entry.get('SellPrice'),
                })

    def _esms_apply_status(self, message, data):
        """Apply an eSMS status (callback parameters, or a polled ``SentData`` entry) to ``message``."""
        try:
            status = int(data.get('SendStatus') or 0)
            success = int(data.get('SendSuccess') or 0)
            failed = int(data.get('SendFailed') or 0)
            price = float(data['TotalPrice']) if data.get('TotalPrice') not in (None, '') else None
        except (TypeError, ValueError):
            return False
        if status == const.ESMS_SEND_STATUS_FINISHED and success >= 1:
            message._order_notify_process_report('delivered', cost=price)
        elif status == const.ESMS_SEND_STATUS_REJECTED or (status == const.ESMS_SEND_STATUS_FINISHED and failed >= 1):
            message._order_notify_process_report('failed', cost=price, reason=_("eSMS could not deliver the message."))
        return True

    def _esms_process_report(self, token, params):
        """Apply an eSMS delivery callback (HTTP GET, query parameters).

        :return: ``(http_status, text)``; repeats (eSMS retries up to 5 times) change nothing.
        """
        provider = self._sms_find_by_token('esms', token)
        if not provider:
            return 404, "unknown"
        message = provider._sms_find_message(params.get('SMSID'))
        if not message and params.get('SMSID') and params.get('RequestId'):
            # A message recorded from a duplicate answer (124) without its SMSID: the RequestId
            # the callback echoes is its idempotency key.
            message = self.env['order.notify.message'].sudo().search([
                ('provider_id', '=', provider.id), ('idempotency_key', '=', params['RequestId']),
                ('provider_message_ref', 'in', (False, '')),
            ], limit=1)
            if message:
                message.provider_message_ref = str(params['SMSID'])
        if not message:
            _logger.info("eSMS callback for an unknown SMSID ignored")
            return 200, "ignored"
        provider._esms_apply_status(message, params)
        return 200, "ok"

    # === BUSINESS METHODS: SpeedSMS === #

    def _speedsms_auth(self):
        return (self.speedsms_access_token or '', 'x')

    def _speedsms_call(self, method, path, **kwargs):
        response = self._sms_request(method, path, auth=self._speedsms_auth(), **kwargs)
        if response.status_code == 429:
            try:
                wait = int(response.headers.get('X-Rate-Limit-Reset') or 60)
            except ValueError:
                wait = 60
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "SpeedSMS rate limit reached: retry in %s seconds.", wait,
            ), code='429', retry_at=fields.Datetime.now() + timedelta(seconds=max(wait, 1)))
        if response.status_code in (401, 403, 404):
            raise OrderNotifyError(core_const.ERROR_CONFIG, _(
                "SpeedSMS refused the access token (HTTP %s).", response.status_code,
            ), code=f'http_{response.status_code}')
        data = self._sms_json(response)
        if data.get('status') != 'success':
            self._sms_raise(const.SPEEDSMS_ERRORS, str(data.get('code') or ''), data.get('message') or '')
        return data

    def _speedsms_send(self, message, sms):
        """Send one brandname SMS (``sms_type`` 3). SpeedSMS has no idempotency key: a retry after a
        timeout may send twice, which is why timeouts are the only retried network error there."""
        phone = self._sms_international_phone(message.phone)
        data = self._speedsms_call('POST', '/sms/send', json={
            'to': [phone],
            'content': sms.text,
            'sms_type': const.SPEEDSMS_SMS_TYPE_BRANDNAME,
            'sender': self.sms_brandname,
        })
        result = data.get('data') or {}
        if phone in (result.get('invalidPhone') or []):
            raise OrderNotifyError(core_const.ERROR_INVALID, _("SpeedSMS refused the phone number."), code='105')
        vals = {'provider_message_ref': str(result.get('tranId') or '')}
        if result.get('totalPrice') not in (None, ''):
            vals.update(cost=float(result['totalPrice']), cost_source='provider', currency_id=self.currency_id.id)
        return vals

    def _speedsms_fetch_balance(self):
        data = self._speedsms_call('GET', '/user/info')
        return float((data.get('data') or {}).get('balance') or 0.0)

    def _speedsms_fetch_status(self, messages):
        for message in messages:
            try:
                data = self._speedsms_call('GET', f'/sms/status/{message.provider_message_ref}')
            except OrderNotifyError as error:
                _logger.info("SpeedSMS status of message %s unavailable: %s", message.id, error)
                continue
            entries = data.get('data') or []
            entries = entries if isinstance(entries, list) else [entries]
            for entry in entries:
                if isinstance(entry, dict):
                    self._speedsms_apply_status(message, entry.get('status'))

    def _speedsms_apply_status(self, message, status):
        try:
            status = int(status)
        except (TypeError, ValueError):
            return
        if status == const.SPEEDSMS_STATUS_DELIVERED:
            message._order_notify_process_report('delivered')
        elif status >= const.SPEEDSMS_STATUS_FAILED_FROM:
            message._order_notify_process_report('failed', reason=_(
                "SpeedSMS could not deliver the message (status %s).", status,
            ))

    def _speedsms_process_report(self, token, data):
        """Apply a SpeedSMS webhook call ``{"type": "report", "tranId", "phone", "status"}``."""
        provider = self._sms_find_by_token('speedsms', token)
        if not provider:
            return 404, "unknown"
        if not isinstance(data, dict) or data.get('type') != 'report':
            return 200, "ignored"
        message = provider._sms_find_message(data.get('tranId'))
        if not message:
            return 200, "ignored"
        provider._speedsms_apply_status(message, data.get('status'))
        return 200, "ok"

    # === BUSINESS METHODS: VietGuys === #

    def _vietguys_send(self, message, sms):
        """Send one CSKH brandname SMS (form POST, ``json=1``); ``bid`` carries the idempotency key."""
        response = self._sms_request('POST', '/api/index.php', data={
            'u': self.vietguys_username or '',
            'pwd': self.vietguys_password or '',
            'from': self.sms_brandname,
            'phone': self._sms_international_phone(message.phone),
            'sms': sms.text,
            'bid': message.idempotency_key,
            'type': const.VIETGUYS_TYPE_UNICODE if sms.is_unicode else const.VIETGUYS_TYPE_GSM7,
            'json': '1',
        })
        data = self._sms_json(response)
        try:
            code = int(data.get('error'))
        except (TypeError, ValueError):
            code = None
        if code != 0:
            self._sms_raise(const.VIETGUYS_ERRORS, code, data.get('log') or data.get('message') or '')
        return {'provider_message_ref': str(data.get('msgid') or '')}

    def _vietguys_process_report(self, token, data):
        """Apply a VietGuys report ``{"data": {"message_id", "status"}}`` (shape UNCONFIRMED)."""
        provider = self._sms_find_by_token('vietguys', token)
        if not provider:
            return 404, "unknown"
        report = data.get('data') if isinstance(data, dict) else None
        if not isinstance(report, dict):
            return 400, "malformed"
        message = provider._sms_find_message(report.get('message_id'))
        if not message:
            return 200, "ignored"
        status = str(report.get('status') or '').lower()
        if status == 'delivered':
            message._order_notify_process_report('delivered')
        elif status in ('fail', 'failed'):
            message._order_notify_process_report('failed', reason=_("VietGuys could not deliver the message."))
        return 200, "ok"
