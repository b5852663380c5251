# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import logging
import secrets
from urllib.parse import urlencode

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.tools import notify_api
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_zalo import const, utils

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# The vendor name of reasons and logs ("Could not reach Zalo at …"): a brand, not translated.
VENDOR = "Zalo"


class OrderNotifyProvider(models.Model):
    """Zalo ZNS ("ZBS Template Message" sent by phone number) through the OA's own app.

    This file holds the fields, the actions, the core hooks (send, estimate, status, test), the
    HTTP glue over the core client and the webhook's entry; the Official Account (OAuth
    connection, token rotation, quota and health) is in ``order_notify_provider_account.py``,
    the template sync on ``zalo.zns.template``, the delivery reports on ``order.notify.message``,
    the pure helpers in ``utils.py``.
    """
    _inherit = 'order.notify.provider'

    code = fields.Selection(selection_add=[('zalo_zns', "Zalo ZNS")], ondelete={'zalo_zns': 'set default'})
    # Credentials: readable by system administrators only, never logged.
    zalo_app_id = fields.Char(string="Zalo App ID", groups='base.group_system', copy=False)
    zalo_app_secret = fields.Char(string="Zalo App Secret Key", groups='base.group_system', copy=False)
    zalo_oa_secret_key = fields.Char(
        string="OA Secret Key", groups='base.group_system', copy=False,
        help="The key shown on the Webhook page of the Zalo app: Zalo signs its delivery events with it.",
    )
    zalo_oa_id = fields.Char(string="Official Account ID", copy=False, help="Filled when the OA is connected.")
    zalo_access_token = fields.Char(string="Access Token", groups='base.group_system', copy=False)
    zalo_refresh_token = fields.Char(
        string="Refresh Token", groups='base.group_system', copy=False,
        help="Filled by \"Connect Zalo OA\". You may also paste one obtained in Zalo's API Explorer, then "
             "click \"Renew Access Token\". It can be used once: Zalo returns a new one each time.",
    )
    zalo_access_token_expiry = fields.Datetime(string="Access Token Expiry", copy=False, readonly=True)
    zalo_token_error = fields.Char(string="Token Error", copy=False, readonly=True)
    zalo_oauth_base_url = fields.Char(
        string="Zalo OAuth Base URL", compute='_compute_zalo_oauth_base_url', store=True, readonly=False,
        copy=False, groups='base.group_system',
        help="Where Zalo's OAuth v4 API lives. Change it only to point at a sandbox. Settings administrators "
             "only: the app secret and the tokens are sent there.",
    )
    zalo_oauth_redirect_url = fields.Char(
        string="OAuth Callback URL", compute='_compute_zalo_urls',
        help="Register this URL as the callback URL of the Zalo app before connecting the OA.",
    )
    zalo_webhook_url = fields.Char(
        string="Webhook URL", compute='_compute_zalo_urls',
        help="Set this URL as the webhook of the Zalo app and enable the event \"user_received_message\".",
    )
    # Health
    zalo_daily_quota = fields.Integer(string="Daily ZNS Quota", copy=False, readonly=True)
    zalo_remaining_quota = fields.Integer(string="Remaining Today", copy=False, readonly=True)
    zalo_quota_date = fields.Datetime(string="Quota Read On", copy=False, readonly=True)
    zalo_balance_error = fields.Char(string="Balance Error", copy=False, readonly=True)
    zalo_balance_error_date = fields.Datetime(string="Balance Error On", copy=False, readonly=True)
    zalo_template_ids = fields.One2many(
        string="ZNS Templates", comodel_name='zalo.zns.template', inverse_name='provider_id',
    )
    zalo_template_count = fields.Integer(string="ZNS Template Count", compute='_compute_zalo_template_info')
    zalo_template_warning = fields.Char(string="Template Warning", compute='_compute_zalo_template_info')

    # === COMPUTE METHODS === #

    @api.depends('code')
    def _compute_zalo_oauth_base_url(self):
        for provider in self:
            provider.zalo_oauth_base_url = const.DEFAULT_OAUTH_BASE_URL if provider.code == 'zalo_zns' else False

    def _compute_zalo_urls(self):
        for provider in self:
            base_url = provider.get_base_url()
            provider.zalo_oauth_redirect_url = f"{base_url}/order_status_notify_zalo/oauth/callback"
            provider.zalo_webhook_url = f"{base_url}/order_status_notify_zalo/webhook"

    def _compute_feature_support_fields(self):
        """ZNS has no idempotency key: Zalo does not document refusing a second ``tracking_id``
        (zalo_zns.md §1), so an ambiguous send is reconciled through the delivery webhook."""
        super()._compute_feature_support_fields()
        for provider in self.filtered(lambda p: p.code == 'zalo_zns'):
            provider.support_idempotency_key = False

    @api.depends('zalo_template_ids.status')
    def _compute_zalo_template_info(self):
        used = self.env['order.notify.template'].search([('zalo_template_id.provider_id', 'in', self.ids)])
        for provider in self:
            provider.zalo_template_count = len(provider.zalo_template_ids)
            unusable = used.zalo_template_id.filtered(
                lambda t: t.provider_id == provider and not t._zalo_is_sendable()
            )
            provider.zalo_template_warning = ", ".join(
                f"{t.display_name}: {t._zalo_status_label()}" for t in unusable
            ) or False

    # === CONSTRAINT METHODS === #

    @api.constrains('code', 'channel')
    def _check_zalo_channel(self):
        for provider in self:
            if provider.code == 'zalo_zns' and provider.channel != 'zalo':
                raise ValidationError(_("%s sends Zalo ZNS only: set its channel to Zalo ZNS.", provider.name))

    # === ONCHANGE METHODS === #

    @api.onchange('code')
    def _onchange_code_zalo_channel(self):
        if self.code == 'zalo_zns':
            self.channel = 'zalo'

    # === ACTION METHODS === #

    def action_zalo_connect(self):
        """Start Zalo's OAuth v4 consent for the Official Account (PKCE S256): the OA admin agrees
        on Zalo's page, which comes back to the callback route with a one-time code.

        Only Settings administrators connect an OA (it decides where every message goes). The
        ``state``, the PKCE verifier and the user are kept in this admin's HTTP session, so a
        callback link made by someone else, or opened by another user, is refused (login CSRF)."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        if not self.env.user.has_group('base.group_system'):
            raise AccessError(_("Only Settings administrators can connect a Zalo Official Account."))
        if not request:
            raise UserError(_("Connect the Official Account from the web client."))
        provider = self.sudo()
        if not provider.zalo_app_id or not provider.zalo_app_secret:
            raise UserError(_("Fill in the Zalo App ID and App Secret Key first."))
        verifier, challenge = utils.pkce_pair()
        state = secrets.token_urlsafe(32)
        request.session[const.OAUTH_SESSION_KEY] = {
            'provider_id': provider.id, 'state': state, 'verifier': verifier, 'uid': self.env.uid,
        }
        query = urlencode({
            'app_id': provider.zalo_app_id,
            'redirect_uri': provider.zalo_oauth_redirect_url,
            'code_challenge': challenge,
            'state': state,
        })
        return {
            'type': 'ir.actions.act_url',
            'url': f"{provider._zalo_oauth_url('/v4/oa/permission')}?{query}",
            'target': 'self',
        }

    def action_zalo_refresh_token(self):
        """Renew the access token now with the stored (or pasted) refresh token."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        try:
            self.sudo()._zalo_refresh_access_token()
        except OrderNotifyError as error:
            return self._order_notify_display_notification(str(error.message), 'danger')
        self._zalo_after_reconnect()
        return self._order_notify_display_notification(_("Zalo renewed the access token."), 'success')

    def action_zalo_sync_templates(self):
        self.ensure_one()
        self._order_notify_check_action_rights()
        count = self.env['zalo.zns.template'].sudo()._zalo_sync_from_provider(self.sudo())
        return self._order_notify_display_notification(
            _("%(count)s ZNS templates synchronized from Zalo.", count=count), 'success',
        )

    def action_zalo_view_templates(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify_zalo.action_zalo_zns_template')
        action['domain'] = [('provider_id', '=', self.id)]
        action['context'] = {'default_provider_id': self.id}
        return action

    # === BUSINESS METHODS: CORE HOOKS === #

    def _order_notify_get_default_api_base_url(self):
        if self.code == 'zalo_zns':
            return const.DEFAULT_API_BASE_URL
        return super()._order_notify_get_default_api_base_url()

    def _order_notify_test_connection(self):
        """Read today's quota: a read-only call that needs a valid token and a working OA."""
        if self.code != 'zalo_zns':
            return super()._order_notify_test_connection()
        self.ensure_one()
        try:
            data = self._zalo_call('GET', '/message/quota')
        except OrderNotifyError as error:
            raise UserError(str(error.message)) from None
        code = utils.error_code(data)
        if code:
            raise UserError(self._zalo_error(code, data).message)
        quota = data.get('data') or {}
        self._zalo_store_quota(quota)
        return _(
            "Connected to Zalo. ZNS quota today: %(remaining)s of %(daily)s messages left.",
            remaining=quota.get('remainingQuota', '?'), daily=quota.get('dailyQuota', '?'),
        )

    def _order_notify_send(self, message):
        """POST /message/template: one ZNS to ``84xxxxxxxxx``, parameters checked beforehand
        against the synchronized template, the message's idempotency key as ``tracking_id``."""
        if self.code != 'zalo_zns':
            return super()._order_notify_send(message)
        self.ensure_one()
        partner = message.partner_id
        if partner and partner._zalo_is_known_unreachable(message.phone):
            raise OrderNotifyError(core_const.ERROR_UNREACHABLE, _(
                "Zalo said on %(date)s that %(phone)s cannot receive ZNS: sent by the next channel without asking "
                "Zalo again.",
                date=fields.Date.to_string(partner.zalo_unreachable_date.date()), phone=message.phone,
            ), code='no_zalo_remembered', recipient=True)
        zns_template = self._zalo_get_zns_template(message)
        template_data = zns_template._zalo_prepare_template_data(message.params or {})
        payload = {
            'phone': self._zalo_format_phone(message.phone),
            'template_id': zns_template.template_ref,
            'template_data': template_data,
            'tracking_id': self._zalo_tracking_id(message.idempotency_key),
        }
        if self.state == 'test':
            payload['mode'] = 'development'
        data = self._zalo_call('POST', '/message/template', json=payload)
        code = utils.error_code(data)
        if code:
            self._zalo_raise(code, data, message, zns_template, template_data)
        result = utils.answer_data(data)
        self._zalo_store_quota(result.get('quota'))
        vals = {
            'provider_message_ref': str(result.get('msg_id') or ''),
            'zalo_development': self.state == 'test',
            'currency_id': self.currency_id.id,
        }
        sent_date = utils.parse_ms(result.get('sent_time'))
        if sent_date:
            vals['sent_date'] = sent_date
        # No cost yet: Zalo bills a ZNS only once delivered (see order.notify.message._zalo_apply_delivery).
        return vals

    def _order_notify_estimate(self, content, params=None, template=None, partner=None, phone=None):
        """The ZNS layout filled with the values (from the synchronized template's parameters),
        the template's price, and whether the buyer is known to have no Zalo (the message would
        go to the next channel, as ``_order_notify_send`` does)."""
        if self.code != 'zalo_zns':
            return super()._order_notify_estimate(content, params, template, partner, phone)
        self.ensure_one()
        estimate = super()._order_notify_estimate(content, params, template, partner, phone)
        zns_template = template and template.zalo_template_id
        if zns_template and zns_template.price:
            estimate['cost'] = zns_template.price
        if self.state == 'test':
            estimate['cost'] = 0.0  # development mode: not billed
        lines = [f"{param.name}: {(params or {}).get(param.name, '')}" for param in zns_template.param_ids] \
            if zns_template else [f"{name}: {value}" for name, value in (params or {}).items()]
        if lines:
            estimate['text'] = "\n".join(([zns_template.name] if zns_template and zns_template.name else []) + lines)
        if partner and phone and partner._zalo_is_known_unreachable(phone):
            estimate['unreachable'] = _("Zalo said %(phone)s cannot receive ZNS", phone=phone)
        return estimate

    def _order_notify_estimate_cost(self, message):
        """The synced price of the ZNS template (what Zalo bills once delivered), nothing in
        development mode; the provider's unit cost when the template was not synced."""
        if self.code != 'zalo_zns':
            return super()._order_notify_estimate_cost(message)
        if message.zalo_development:
            return 0.0
        return message._zalo_find_zns_template(self).price or self.unit_cost

    def _order_notify_fetch_status(self, messages):
        """Ask /message/status about messages without a delivery event: 1 = delivered."""
        if self.code != 'zalo_zns':
            return super()._order_notify_fetch_status(messages)
        for message in messages:
            try:
                data = self._zalo_call('GET', '/message/status', params={'message_id': message.provider_message_ref})
            except OrderNotifyError as error:
                _logger.info("Zalo status of message %s unavailable: %s", message.id, error)
                if error.error_class == core_const.ERROR_BALANCE:
                    break  # the token is broken: the provider is paused, stop asking
                continue
            if utils.error_code(data):
                continue
            result = utils.answer_data(data)
            if str(result.get('status')) == '1':
                message._zalo_apply_delivery(result.get('delivery_time'))

    # === BUSINESS METHODS: HTTP === #

    def _zalo_url(self, path):
        return utils.join_url(self.sudo().api_base_url, path, const.DEFAULT_API_BASE_URL)

    def _zalo_oauth_url(self, path):
        return utils.join_url(self.sudo().zalo_oauth_base_url, path, const.DEFAULT_OAUTH_BASE_URL)

    def _zalo_oa_url(self, path):
        return utils.oa_url(self.sudo().api_base_url, path)

    def _zalo_make_request(self, method, url, **kwargs):
        """Call Zalo through the core client (``_order_notify_request``: session, timeouts, 429,
        5xx, network errors, JSON decoding) and return the JSON object of the answer.

        Zalo answers application errors with HTTP 200 and ``{"error": <code>}``: callers check
        ``error``. What only Zalo does: an HTTP 401 without a JSON body means an invalid token,
        read as -124 so that the caller renews the token once.
        """
        response = self._order_notify_request(method, url, vendor=VENDOR, decode=False, timeout=const.TIMEOUT, **kwargs)
        if response.status_code == 401:
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                return {'error': const.TOKEN_INVALID_CODE, 'message': 'HTTP 401'}
        return notify_api.decode_json(response, vendor=VENDOR)

    def _zalo_call(self, method, path, **kwargs):
        """Call a ZNS API with the OA access token (bare ``access_token`` header). On -124 the
        token is renewed once and the call made once more."""
        token = self._zalo_get_access_token()
        url = self._zalo_url(path)
        data = self._zalo_make_request(method, url, headers={'access_token': token}, **kwargs)
        if utils.error_code(data) == const.TOKEN_INVALID_CODE:
            _logger.info("Zalo refused the access token of %s (-124): renewing it once", self.name)
            token = self._zalo_refresh_access_token(failed_token=token)
            data = self._zalo_make_request(method, url, headers={'access_token': token}, **kwargs)
        return data

    def _zalo_check_answer(self, data):
        """``data`` when Zalo answered without an error code, else raise the code's error."""
        code = utils.error_code(data)
        if code:
            raise self._zalo_error(code, data)
        return data

    def _zalo_error(self, code, data, **kwargs):
        """The ``OrderNotifyError`` of a Zalo error ``code`` (``const.ERRORS``), Zalo's code and
        own words appended for support. The reasons stay lazy: the message stores them
        untranslated and each reader sees them in their language."""
        vendor_text = data.get('message') if isinstance(data, dict) else None
        return OrderNotifyError.from_table(
            code, const.ERRORS, _lt("Zalo refused the request (error %s).", code),
            vendor_text=f"{code}: {vendor_text}" if vendor_text else str(code), **kwargs,
        )

    # === BUSINESS METHODS: SENDING === #

    def _zalo_get_zns_template(self, message):
        """The synchronized ZNS template of ``message``. A missing or unusable one (not
        ``ENABLE``) is a template error: the message goes by the next channel and the dispatcher
        alerts the admins once per template and event."""
        zns_template = message._zalo_find_zns_template(self)
        if not zns_template:
            reason = _(
                "No synchronized ZNS template is chosen for the template “%(template)s”: the message goes by the "
                "next channel. Synchronize the ZNS templates and choose one.",
                template=message.template_id.display_name or '-',
            )
            raise OrderNotifyError(core_const.ERROR_TEMPLATE, reason, code='no_zns_template')
        if not zns_template._zalo_is_sendable():
            reason = _(
                "The ZNS template %(template)s is %(status)s, only enabled templates can be sent: the message "
                "goes by the next channel.",
                template=zns_template.display_name, status=zns_template._zalo_status_label(),
            )
            raise OrderNotifyError(core_const.ERROR_TEMPLATE, reason, code='zns_template_status')
        return zns_template

    def _zalo_format_phone(self, phone):
        """``84xxxxxxxxx`` for ``+84xxxxxxxxx``: Zalo reaches Vietnamese numbers only."""
        digits = utils.format_phone(phone)
        if not digits:
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "Zalo ZNS reaches Vietnamese mobile numbers only, not %s.", phone or '-',
            ), code='phone')
        return digits

    def _zalo_tracking_id(self, key):
        """The idempotency key as ``tracking_id``: the send fails without one, since the
        delivery report is the only proof of an ambiguous send (ZNS has no idempotency key)."""
        tracking_id = utils.tracking_id(key)
        if not tracking_id:
            raise OrderNotifyError(core_const.ERROR_INVALID, _("The message has no idempotency key."), code='tracking_id')
        return tracking_id

    def _zalo_raise(self, code, data, message, zns_template, template_data):
        """Raise the error of a Zalo error ``code``, after its side effects: remember a phone
        without Zalo, mark an unusable template, note a balance problem."""
        if code == const.TOKEN_INVALID_CODE:
            # Still refused after the renewal of _zalo_call: only an admin can fix it.
            reason = _("Zalo still refuses the access token after renewing it: connect the Official Account again.")
            self.sudo().zalo_token_error = reason
            self._order_notify_pause(reason)
            raise OrderNotifyError(core_const.ERROR_BALANCE, reason, code=str(code))
        error = self._zalo_error(
            code, data, recipient=code in const.RECIPIENT_CODES, fallback=code in const.PAYLOAD_CODES,
        )
        if code in const.REMEMBERED_UNREACHABLE_CODES and message.partner_id:
            message.partner_id._zalo_remember_unreachable(message.phone)
        elif code in (-131, -146):
            zns_template.sudo().status = 'DISABLE' if code == -146 else 'PENDING_REVIEW'
        elif code in const.PAYLOAD_CODES:
            error.add_detail(zns_template._zalo_describe_params(code, template_data))
        elif code == -133:
            error.retry_at = utils.next_morning(fields.Datetime.now())
        if error.error_class == core_const.ERROR_BALANCE:
            self._zalo_write_health({
                'zalo_balance_error': error.message, 'zalo_balance_error_date': fields.Datetime.now(),
            })
        raise error

    # === BUSINESS METHODS: TEMPLATES === #

    @api.model
    def _cron_zalo_sync_templates(self):
        """Keep the templates' status and price fresh (Zalo also reports status changes to the
        webhook, but a missed event must not leave a disabled template looking usable)."""
        ZnsTemplate = self.env['zalo.zns.template'].sudo()
        for provider in self.sudo().search([('code', '=', 'zalo_zns'), ('state', 'in', ('test', 'enabled'))]):
            try:
                ZnsTemplate._zalo_sync_from_provider(provider)
            except UserError as error:
                _logger.warning("ZNS templates of provider %s not synchronized: %s", provider.id, error)

    # === BUSINESS METHODS: WEBHOOK === #

    @api.model
    def _zalo_process_webhook(self, raw_body, headers):
        """Handle a call of Zalo's webhook. Nothing changes unless the signature is right; the
        signing provider is then the only one whose messages and templates the event touches.

        :param bytes raw_body: the body as received (the signature covers these exact bytes)
        :param headers: the request headers
        :return: ``(http_status, text)``
        """
        try:
            data = json.loads(raw_body or b'')
        except ValueError:
            return 400, "malformed"
        if not isinstance(data, dict):
            return 400, "malformed"
        if not data:
            return 200, "ok"  # the unsigned {} Zalo posts when the webhook URL is saved
        signature = headers.get('X-ZEvent-Signature') or ''
        providers = self.sudo().search([('code', '=', 'zalo_zns'), ('zalo_app_id', '!=', False)])
        app_id = str(data.get('app_id') or '')
        if app_id:
            providers = providers.filtered(lambda p: p.zalo_app_id == app_id) or providers
        provider = next(
            (p for p in providers if p._zalo_check_signature(raw_body, data, signature, headers)), None,
        )
        if not provider:
            _logger.info("Zalo webhook call with a wrong or missing signature rejected")
            return 403, "forbidden"
        if utils.is_stale(data.get('timestamp')):
            _logger.info("Zalo webhook event older than %s s rejected (replay?)", const.WEBHOOK_MAX_AGE_SECONDS)
            return 403, "stale"
        event = data.get('event_name')
        if event == 'user_received_message':
            return self.env['order.notify.message'].sudo()._zalo_process_delivery_event(provider, data)
        if event == 'change_template_status':
            return self.env['zalo.zns.template'].sudo()._zalo_process_status_event(provider, data)
        return self._zalo_process_other_event(provider, event, data)

    def _zalo_process_other_event(self, provider, event, data):
        """A signed, fresh event this addon does not handle (``user_feedback``…): addons that
        do override it. :return: ``(http_status, text)``"""
        return 200, "ignored"

    def _zalo_check_signature(self, raw_body, data, signature, headers):
        """Whether this provider signed the event (``utils.check_signature``), with its own app
        and OA ids and keys, never ones taken from the call."""
        self.ensure_one()
        provider = self.sudo()
        sender = data.get('sender') if isinstance(data.get('sender'), dict) else {}
        first_ids = {provider.zalo_app_id, provider.zalo_oa_id or sender.get('id')} - {None, False, ''}
        secret_keys = {provider.zalo_oa_secret_key, provider.zalo_app_secret} - {None, False, ''}
        return utils.check_signature(raw_body, data, signature, headers, first_ids, secret_keys)
