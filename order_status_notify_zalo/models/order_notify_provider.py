# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import psycopg2
import pytz
import requests

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError, is_ambiguous_request_error
from odoo.addons.order_status_notify_zalo import const

_logger = logging.getLogger(__name__)


class ZaloTokenRejected(Exception):
    """Zalo refused to renew the access token: only an admin can fix it (reconnect the OA)."""


class OrderNotifyProvider(models.Model):
    """Zalo ZNS ("ZBS Template Message" sent by phone number) through the OA's own app.

    Tokens: an OAuth v4 access token (25 h) renewed with a single-use refresh token that rotates
    at each use. Renewals take a row lock on the provider and commit the new pair in their own
    cursor before it is used, so that two workers never spend the same refresh token and a
    rollback of the sending transaction never loses the only valid pair.
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
        verifier = secrets.token_urlsafe(64)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
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
            return self._order_notify_display_notification(error.message, 'danger')
        self._zalo_after_reconnect()
        return self._order_notify_display_notification(_("Zalo renewed the access token."), 'success')

    def action_zalo_sync_templates(self):
        self.ensure_one()
        self._order_notify_check_action_rights()
        count = self.sudo()._zalo_sync_templates()
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
            raise UserError(error.message) from None
        code = self._zalo_error_code(data)
        if code:
            raise UserError(self._zalo_reason(code, data))
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
        template_data = self._zalo_prepare_template_data(zns_template, message.params or {})
        payload = {
            'phone': self._zalo_format_phone(message.phone),
            'template_id': zns_template.template_ref,
            'template_data': template_data,
            'tracking_id': self._zalo_tracking_id(message.idempotency_key),
        }
        if self.state == 'test':
            payload['mode'] = 'development'
        data = self._zalo_call('POST', '/message/template', json=payload)
        code = self._zalo_error_code(data)
        if code:
            self._zalo_raise(code, data, message, zns_template, template_data)
        result = data.get('data') if isinstance(data.get('data'), dict) else {}
        self._zalo_store_quota(result.get('quota'))
        vals = {
            'provider_message_ref': str(result.get('msg_id') or ''),
            'zalo_development': self.state == 'test',
            'currency_id': self.currency_id.id,
        }
        sent_date = self._zalo_parse_ms(result.get('sent_time'))
        if sent_date:
            vals['sent_date'] = sent_date
        # No cost yet: Zalo bills a ZNS only once delivered (see _zalo_apply_delivery).
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
            if self._zalo_error_code(data):
                continue
            result = data.get('data') if isinstance(data.get('data'), dict) else {}
            if str(result.get('status')) == '1':
                self._zalo_apply_delivery(message, result.get('delivery_time'))

    # === BUSINESS METHODS: HTTP === #

    def _zalo_url(self, path):
        return (self.sudo().api_base_url or const.DEFAULT_API_BASE_URL).rstrip('/') + path

    def _zalo_oauth_url(self, path):
        return (self.sudo().zalo_oauth_base_url or const.DEFAULT_OAUTH_BASE_URL).rstrip('/') + path

    def _zalo_make_request(self, method, url, **kwargs):
        """Call Zalo and return the JSON object of the answer.

        Zalo answers application errors with HTTP 200 and ``{"error": <code>}``: callers check
        ``error``. An HTTP 401 without a JSON body is read as an invalid token (-124).

        :raise OrderNotifyError: ``transient`` when Zalo cannot be reached, times out, answers
            5xx or 429, or something that is not JSON; ``ambiguous`` when Zalo may have processed
            the request all the same (read timeout, connection cut once the request was written,
            an unreadable 2xx answer). Zalo says nothing of 5xx being processed: they are not
            ambiguous. Reasons name the host only.
        """
        host = urlsplit(url).netloc
        try:
            response = requests.request(method, url, timeout=const.TIMEOUT, **kwargs)
        except requests.exceptions.RequestException as error:
            _logger.warning("Zalo (%s) unreachable: %s", host, type(error).__name__)
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Could not reach Zalo at %(host)s (%(error)s).", host=host, error=type(error).__name__,
            ), code='network', ambiguous=is_ambiguous_request_error(error)) from None
        if response.status_code == 429:
            try:
                wait = int(response.headers.get('Retry-After') or 60)
            except ValueError:
                wait = 60
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Zalo's rate limit was reached: retry in %s seconds.", wait,
            ), code='http_429', retry_at=fields.Datetime.now() + timedelta(seconds=max(wait, 1)))
        if response.status_code >= 500:
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Zalo answered HTTP %s.", response.status_code,
            ), code=f'http_{response.status_code}')
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if response.status_code == 401:
                return {'error': const.TOKEN_INVALID_CODE, 'message': 'HTTP 401'}
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Zalo answered something that is not JSON (HTTP %s).", response.status_code,
            ), code='bad_answer', ambiguous=response.status_code < 300)
        return data

    def _zalo_call(self, method, path, **kwargs):
        """Call a ZNS API with the OA access token (bare ``access_token`` header). On -124 the
        token is renewed once and the call made once more."""
        token = self._zalo_get_access_token()
        url = self._zalo_url(path)
        data = self._zalo_make_request(method, url, headers={'access_token': token}, **kwargs)
        if self._zalo_error_code(data) == const.TOKEN_INVALID_CODE:
            _logger.info("Zalo refused the access token of %s (-124): renewing it once", self.name)
            token = self._zalo_refresh_access_token(failed_token=token)
            data = self._zalo_make_request(method, url, headers={'access_token': token}, **kwargs)
        return data

    @staticmethod
    def _zalo_error_code(data):
        try:
            return int(data.get('error') or 0)
        except (TypeError, ValueError):
            return -100

    def _zalo_reason(self, code, data):
        _error_class, reason = const.ERRORS.get(code, (None, None))
        reason = self.env._(reason) if reason else _("Zalo refused the request (error %s).", code)
        vendor_text = data.get('message') if isinstance(data, dict) else None
        return f"{reason} ({code}: {vendor_text})" if vendor_text else f"{reason} ({code})"

    # === BUSINESS METHODS: TOKENS === #

    def _zalo_get_access_token(self):
        """The access token to use now, renewed first when it is missing or about to expire."""
        self.ensure_one()
        provider = self.sudo()
        expiry = provider.zalo_access_token_expiry
        if provider.zalo_access_token and (not expiry or expiry > fields.Datetime.now() + timedelta(minutes=5)):
            return provider.zalo_access_token
        return self._zalo_refresh_access_token()

    @contextmanager
    def _zalo_token_cursor(self, cr=None):
        """The cursor a token renewal locks the provider row in and commits the new pair with:
        ``cr`` when given, the current one in tests (a test's rows are invisible to any other
        cursor), else a cursor of its own, committed when the block ends."""
        if cr is not None:
            yield cr
        elif getattr(threading.current_thread(), 'testing', False):
            with self.env.cr.savepoint(flush=True):
                yield self.env.cr
        else:
            with self.env.registry.cursor() as token_cr:
                yield token_cr

    def _zalo_refresh_access_token(self, cr=None, failed_token=None):
        """Renew the access token with the refresh token and store the new pair before use.

        One renewal at a time per provider: the provider row is locked (``FOR NO KEY UPDATE NOWAIT``) in
        ``cr`` (see ``_zalo_token_cursor``). When another worker renewed the token meanwhile
        (the stored token differs from ``failed_token``), its token is used as is.

        :return: the new access token
        :raise OrderNotifyError: ``transient`` when Zalo cannot be reached or another worker is
            renewing right now; ``balance`` (pause, messages kept) when Zalo refuses the refresh
            token — the provider is then paused and the admins alerted.
        """
        self.ensure_one()
        try:
            with self._zalo_token_cursor(cr) as token_cr:
                access_token = self._zalo_refresh_locked(token_cr, failed_token)
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _(
                "Another worker is renewing the Zalo access token; the message will be retried.",
            ), code='token_busy', retry_at=fields.Datetime.now() + timedelta(minutes=1)) from None
        except ZaloTokenRejected as error:
            reason = str(error)
            _logger.warning("Zalo access token of provider %s could not be renewed: %s", self.id, reason)
            self.sudo().zalo_token_error = reason
            self._order_notify_pause(reason)
            raise OrderNotifyError(core_const.ERROR_BALANCE, reason, code='token') from None
        return access_token

    def _zalo_refresh_locked(self, cr, failed_token):
        provider = self.env(cr=cr, su=True)[self._name].browse(self.id)
        # NO KEY UPDATE: exclusive between renewals, yet compatible with the KEY SHARE lock that the
        # sending transaction holds on this row once it wrote a message referencing the provider.
        cr.execute(SQL(
            "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE NOWAIT", SQL.identifier(self._table), self.id,
        ))
        provider.invalidate_recordset(['zalo_access_token', 'zalo_refresh_token', 'zalo_access_token_expiry'])
        now = fields.Datetime.now()
        current = provider.zalo_access_token
        if failed_token and current and current != failed_token and (
                not provider.zalo_access_token_expiry or provider.zalo_access_token_expiry > now):
            return current  # renewed by another worker while we were waiting
        if not provider.zalo_refresh_token:
            raise ZaloTokenRejected(_(
                "Zalo access expired and there is no refresh token: connect the Official Account again "
                "(Connect Zalo OA) on the provider %s.", provider.name,
            ))
        data = provider._zalo_make_request(
            'POST', provider._zalo_oauth_url('/v4/oa/access_token'),
            headers={'secret_key': provider.zalo_app_secret or ''},
            data={
                'refresh_token': provider.zalo_refresh_token,
                'app_id': provider.zalo_app_id or '',
                'grant_type': 'refresh_token',
            },
        )
        if not data.get('access_token') or not data.get('refresh_token'):
            # Used, expired or revoked refresh token (-14014 / -14020…): any error is terminal.
            raise ZaloTokenRejected(_(
                "Zalo refused to renew the access token (%(code)s %(name)s): connect the Official Account again "
                "(Connect Zalo OA) or paste a new refresh token, then resume sending.",
                code=data.get('error', ''), name=data.get('error_name') or data.get('error_description') or '',
            ))
        provider._zalo_store_tokens(data)
        return data['access_token']

    def _zalo_store_tokens(self, data, extra=None):
        """Store a token answer ``{"access_token", "refresh_token", "expires_in": "90000"}``."""
        try:
            expires_in = int(data.get('expires_in') or 90000)
        except (TypeError, ValueError):
            expires_in = 90000
        self.sudo().write({
            'zalo_access_token': data['access_token'],
            'zalo_refresh_token': data['refresh_token'],
            'zalo_access_token_expiry': fields.Datetime.now() + timedelta(seconds=expires_in),
            'zalo_token_error': False,
            **(extra or {}),
        })
        self.flush_recordset()
        _logger.info("Zalo access token of provider %s renewed, valid %s s", self.id, expires_in)

    def _zalo_after_reconnect(self):
        """The admin fixed the access: close the token alerts and resume a provider paused for it."""
        self.ensure_one()
        if self.is_paused:
            self.action_resume()  # also closes the alerts of the pause
        self._order_notify_close_alerts('zalo_access_expiring', _("Zalo access renewed."))

    @api.model
    def _zalo_oauth_callback(self, params, pending):
        """Finish the OAuth consent: check ``state`` against the one kept in the admin's session
        (``pending``, taken out of it by the controller: single use), exchange the code with the
        PKCE verifier, store the pair and read the OA's id from Zalo.

        :return: ``(provider, error sentence or None)``
        """
        pending = pending if isinstance(pending, dict) else {}
        state = params.get('state') or ''
        provider = self.sudo().browse(pending.get('provider_id') or []).exists()
        if not provider or provider.code != 'zalo_zns' or pending.get('uid') != self.env.uid \
                or not pending.get('state') or not hmac.compare_digest(str(pending['state']).encode(), state.encode()):
            return self.browse(), _("This Zalo authorization is unknown or was already used: start again from the provider.")
        if not params.get('code'):
            return provider, _("Zalo did not grant access to the Official Account (%s).",
                               params.get('error_description') or params.get('error') or _("no code"))
        try:
            data = provider._zalo_make_request(
                'POST', provider._zalo_oauth_url('/v4/oa/access_token'),
                headers={'secret_key': provider.zalo_app_secret or ''},
                data={
                    'code': params['code'],
                    'app_id': provider.zalo_app_id or '',
                    'grant_type': 'authorization_code',
                    'code_verifier': pending.get('verifier') or '',
                },
            )
        except OrderNotifyError as error:
            return provider, error.message
        if not data.get('access_token') or not data.get('refresh_token'):
            return provider, _("Zalo refused the authorization code (%(code)s %(name)s).",
                               code=data.get('error', ''), name=data.get('error_name') or '')
        provider._zalo_store_tokens(data)
        oa_id = provider._zalo_fetch_oa_id()
        if oa_id:
            provider.zalo_oa_id = oa_id
        provider.message_post(body=_("Zalo Official Account %s connected.", oa_id or ''))
        provider._zalo_after_reconnect()
        return provider, None

    def _zalo_oa_url(self, path):
        base_url = self.sudo().api_base_url
        if not base_url or base_url.rstrip('/') == const.DEFAULT_API_BASE_URL:
            base_url = const.DEFAULT_OA_API_BASE_URL
        return base_url.rstrip('/') + path

    def _zalo_fetch_oa_id(self):
        """The id of the OA the access token belongs to, as Zalo tells it (False if it cannot)."""
        self.ensure_one()
        try:
            data = self._zalo_make_request(
                'GET', self._zalo_oa_url('/v2.0/oa/getoa'), headers={'access_token': self.sudo().zalo_access_token},
            )
        except OrderNotifyError as error:
            _logger.info("Zalo OA information of provider %s unavailable: %s", self.id, error)
            return False
        oa = data.get('data') if isinstance(data.get('data'), dict) else {}
        return str(oa['oa_id']) if not self._zalo_error_code(data) and oa.get('oa_id') else False

    @api.model
    def _cron_zalo_refresh_tokens(self):
        """Renew access tokens a few hours before they expire (they live 25 h) and warn the
        admins about what will fail soon: a token that cannot be renewed, a low quota."""
        now = fields.Datetime.now()
        providers = self.sudo().search([('code', '=', 'zalo_zns'), ('state', 'in', ('test', 'enabled'))])
        for provider in providers:
            expiry = provider.zalo_access_token_expiry
            if provider.zalo_refresh_token and not provider.is_paused and (
                    not expiry or expiry < now + timedelta(hours=const.TOKEN_REFRESH_MARGIN_HOURS)):
                try:
                    provider._zalo_refresh_access_token()
                    continue
                except OrderNotifyError as error:
                    _logger.info("Zalo token renewal of provider %s postponed: %s", provider.id, error)
            provider._zalo_check_health()

    def _zalo_check_health(self):
        """Alert the admins before sending fails: access expiring within a day that cannot be
        renewed, quota under 10 %."""
        self.ensure_one()
        provider = self.sudo()
        expiry = provider.zalo_access_token_expiry
        renewable = provider.zalo_refresh_token and not provider.zalo_token_error
        if expiry and not renewable and expiry < fields.Datetime.now() + timedelta(hours=const.TOKEN_ALERT_HOURS):
            provider._order_notify_alert(_("Zalo access expiring"), _(
                "The Zalo access token expires on %(date)s and cannot be renewed: connect the Official Account "
                "again before then.", date=self.company_id._order_notify_format_local(expiry),
            ), key='zalo_access_expiring')
        provider._zalo_check_quota()

    # === BUSINESS METHODS: SENDING === #

    def _zalo_get_zns_template(self, message):
        """The synchronized ZNS template of ``message``. A missing or unusable one (not
        ``ENABLE``) is a template error: the message goes by the next channel and the dispatcher
        alerts the admins once per template and event."""
        template = message.template_id
        zns_template = template.zalo_template_id
        if not zns_template and template.provider_template_ref:
            zns_template = self.env['zalo.zns.template'].sudo().search([
                ('provider_id', '=', self.id), ('template_ref', '=', template.provider_template_ref),
            ], limit=1)
        if not zns_template:
            reason = _(
                "No synchronized ZNS template is chosen for the template “%(template)s”: the message goes by the "
                "next channel. Synchronize the ZNS templates and choose one.",
                template=template.display_name or '-',
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

    def _zalo_prepare_template_data(self, zns_template, params):
        """``template_data`` checked against the template's parameter definitions.

        :raise OrderNotifyError: ``invalid`` naming every missing, too long or malformed parameter;
            the message fails on Zalo and goes by the next channel.
        """
        template_data, errors = {}, []
        for zns_param in zns_template.param_ids:
            value, error = zns_param._zalo_check_value(params.get(zns_param.name))
            if error:
                errors.append(error)
            elif value:
                template_data[zns_param.name] = value
        if errors:
            # The text of the next channel may carry what the ZNS template cannot.
            raise OrderNotifyError(core_const.ERROR_INVALID, " ".join(errors), code='params', fallback=True)
        return template_data

    def _zalo_format_phone(self, phone):
        """``84xxxxxxxxx`` for ``+84xxxxxxxxx``: Zalo reaches Vietnamese numbers only."""
        digits = re.sub(r'\D', '', phone or '')
        if not re.fullmatch(r'84\d{9}', digits):
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "Zalo ZNS reaches Vietnamese mobile numbers only, not %s.", phone or '-',
            ), code='phone')
        return digits

    def _zalo_tracking_id(self, key):
        """The idempotency key as ``tracking_id`` (≤ 48 characters, letters, digits, - and _)."""
        tracking_id = re.sub(r'[^A-Za-z0-9_-]', '-', key or '')[:const.TRACKING_ID_MAX_LENGTH]
        if not re.fullmatch(const.TRACKING_ID_PATTERN, tracking_id):
            raise OrderNotifyError(core_const.ERROR_INVALID, _("The message has no idempotency key."), code='tracking_id')
        return tracking_id

    def _zalo_raise(self, code, data, message, zns_template, template_data):
        """Raise the error of a Zalo error ``code``, after its side effects: remember a phone
        without Zalo, mark an unusable template, note a balance problem."""
        error_class = const.ERRORS.get(code, (core_const.ERROR_INVALID, None))[0]
        reason = self._zalo_reason(code, data)
        retry_at = None
        if code == const.TOKEN_INVALID_CODE:
            error_class = core_const.ERROR_BALANCE
            reason = _("Zalo still refuses the access token after renewing it: connect the Official Account again.")
            self.sudo().zalo_token_error = reason
            self._order_notify_pause(reason)
        elif code in const.REMEMBERED_UNREACHABLE_CODES and message.partner_id:
            message.partner_id._zalo_remember_unreachable(message.phone)
        elif code in const.TEMPLATE_CODES:
            if code in (-131, -146):
                zns_template.sudo().status = 'DISABLE' if code == -146 else 'PENDING_REVIEW'
        elif code in const.PAYLOAD_CODES:
            reason = f"{reason} {self._zalo_describe_params(code, zns_template, template_data)}"
        elif code == -133:
            retry_at = self._zalo_next_morning()
        if error_class == core_const.ERROR_BALANCE and code != const.TOKEN_INVALID_CODE:
            self._zalo_write_health({'zalo_balance_error': reason, 'zalo_balance_error_date': fields.Datetime.now()})
        raise OrderNotifyError(
            error_class, reason, code=str(code), retry_at=retry_at,
            recipient=code in const.RECIPIENT_CODES, fallback=code in const.PAYLOAD_CODES,
        )

    def _zalo_describe_params(self, code, zns_template, template_data):
        """Name the parameters Zalo most likely refused (it does not say which one)."""
        params = zns_template.param_ids
        if code == -1121:
            suspects = params.filtered(lambda p: p.max_length).sorted(
                lambda p: len(template_data.get(p.name, '')) / p.max_length, reverse=True)
            lengths = ", ".join(f"{p.name} ({len(template_data.get(p.name, ''))}/{p.max_length})" for p in suspects)
            return _("Parameters by length: %s. Synchronize the ZNS templates if Zalo changed them.", lengths or "-")
        if code == -1122:
            suspects = params.filtered(lambda p: not template_data.get(p.name))
        elif code in (-1124, -132, -112):
            suspects = params.filtered(lambda p: p._zalo_kind() != 'string') or params
        else:
            suspects = params
        values = ", ".join(f"{p.name} = “{template_data.get(p.name, '')}”" for p in suspects)
        return _("Parameters concerned: %s. Synchronize the ZNS templates if Zalo changed them.", values or "-")

    def _zalo_next_morning(self):
        """06:00 in Vietnam, as naive UTC: when night-restricted templates may leave (-133)."""
        tz = pytz.timezone(const.ZALO_TZ)
        local_now = pytz.utc.localize(fields.Datetime.now()).astimezone(tz)
        morning = local_now.replace(hour=const.NIGHT_BAN_END_HOUR, minute=0, second=0, microsecond=0)
        if local_now.hour >= const.NIGHT_BAN_END_HOUR:
            morning += timedelta(days=1)
        return morning.astimezone(pytz.utc).replace(tzinfo=None)

    def _zalo_alert_template(self, zns_template, reason):
        self._order_notify_alert(
            _("ZNS template %s unusable", zns_template.template_ref), reason,
            key=f'zns_template_{zns_template.template_ref}',
        )

    @staticmethod
    def _zalo_parse_ms(value):
        """Naive UTC datetime of an epoch-milliseconds string, or None."""
        try:
            return datetime.utcfromtimestamp(int(value) / 1000).replace(microsecond=0)
        except (TypeError, ValueError, OverflowError, OSError):
            return None

    # === BUSINESS METHODS: QUOTA AND HEALTH === #

    def _zalo_write_health(self, vals):
        """Store quota and balance information. Outside tests in a short transaction of its
        own: the sending transaction must not write the provider row, which a token renewal
        may have changed meanwhile (it would fail to serialize). Best effort: skipped when the
        row is busy."""
        if getattr(threading.current_thread(), 'testing', False):
            self.sudo().write(vals)
            return
        try:
            with self.env.registry.cursor() as health_cr:
                health_cr.execute("SET LOCAL lock_timeout = '3s'")
                self.env(cr=health_cr, su=True)[self._name].browse(self.id).write(vals)
        except psycopg2.Error as error:
            _logger.info("Zalo health of provider %s not stored: %s", self.id, type(error).__name__)

    def _zalo_store_quota(self, quota):
        """Store ``{"dailyQuota": "500", "remainingQuota": "499"}`` (strings, sometimes "0") and
        alert under 10 %."""
        if not isinstance(quota, dict):
            return
        try:
            daily, remaining = int(quota.get('dailyQuota')), int(quota.get('remainingQuota'))
        except (TypeError, ValueError):
            return
        self._zalo_write_health({
            'zalo_daily_quota': daily, 'zalo_remaining_quota': remaining, 'zalo_quota_date': fields.Datetime.now(),
            'zalo_balance_error': False, 'zalo_balance_error_date': False,
        })
        self._zalo_check_quota(daily, remaining)

    def _zalo_check_quota(self, daily=None, remaining=None):
        provider = self.sudo()
        daily = provider.zalo_daily_quota if daily is None else daily
        remaining = provider.zalo_remaining_quota if remaining is None else remaining
        if daily > 0 and remaining < daily * const.QUOTA_ALERT_RATIO:
            provider._order_notify_alert(_("ZNS quota low"), _(
                "Only %(remaining)s of the %(daily)s ZNS allowed today are left: further messages wait until "
                "tomorrow (Zalo raises the quota of OAs with good quality).",
                remaining=remaining, daily=daily,
            ), key='zns_quota_low')

    # === BUSINESS METHODS: TEMPLATES === #

    def _zalo_sync_templates(self):
        """Read the OA's templates (list, then detail of each) into ``zalo.zns.template``.
        Templates that stopped being usable alert the admins.

        :return: the number of templates read
        :raise UserError: when Zalo cannot answer
        """
        self.ensure_one()
        try:
            refs = self._zalo_fetch_template_refs()
            details = {ref: self._zalo_fetch_template_detail(ref) for ref in refs}
        except OrderNotifyError as error:
            raise UserError(error.message) from None
        Template = self.env['zalo.zns.template'].sudo()
        existing = {t.template_ref: t for t in Template.search([('provider_id', '=', self.id)])}
        now = fields.Datetime.now()
        for ref, detail in details.items():
            vals = self._zalo_template_vals(detail)
            vals['sync_date'] = now
            template = existing.get(ref)
            was_sendable = template and template._zalo_is_sendable()
            if template:
                template.write(vals)
            else:
                template = Template.create({'provider_id': self.id, 'template_ref': ref, **vals})
            if was_sendable and not template._zalo_is_sendable():
                status_reason = f" ({template.status_reason})" if template.status_reason else ''
                self._zalo_alert_template(template, _(
                    "Zalo now reports the ZNS template %(template)s as %(status)s%(reason)s: its messages go by the "
                    "next channel until it is enabled again.",
                    template=template.display_name, status=template._zalo_status_label(), reason=status_reason,
                ))
        for ref, template in existing.items():
            if ref not in details and template.status != 'MISSING':
                if template._zalo_is_sendable():
                    self._zalo_alert_template(template, _(
                        "Zalo no longer lists the ZNS template %s: its messages go by the next channel.",
                        template.display_name,
                    ))
                template.write({'status': 'MISSING', 'sync_date': now})
        return len(details)

    def _zalo_check_answer(self, data):
        code = self._zalo_error_code(data)
        if code:
            error_class = const.ERRORS.get(code, (core_const.ERROR_INVALID, None))[0]
            raise OrderNotifyError(error_class, self._zalo_reason(code, data), code=str(code))
        return data

    def _zalo_fetch_template_refs(self):
        refs, offset = [], 0
        while True:
            data = self._zalo_check_answer(self._zalo_call(
                'GET', '/template/all', params={'offset': offset, 'limit': const.TEMPLATE_PAGE_SIZE},
            ))
            items = data.get('data') if isinstance(data.get('data'), list) else []
            refs += [str(item['templateId']) for item in items if isinstance(item, dict) and item.get('templateId')]
            offset += len(items)
            total = (data.get('metadata') or {}).get('total') or 0
            if not items or offset >= int(total):
                return list(dict.fromkeys(refs))

    def _zalo_fetch_template_detail(self, ref):
        data = self._zalo_check_answer(self._zalo_call('GET', '/template/info/v2', params={'template_id': ref}))
        return data.get('data') if isinstance(data.get('data'), dict) else {}

    def _zalo_template_vals(self, detail):
        statuses = dict(const.TEMPLATE_STATUS_SELECTION)
        status = str(detail.get('status') or '').upper()

        def to_number(value, default=0):
            try:
                return type(default)(float(value))
            except (TypeError, ValueError):
                return default

        params = [
            Command.create({
                'sequence': sequence,
                'name': str(param.get('name')),
                'param_type': str(param.get('type') or 'STRING'),
                'required': bool(param.get('require')),
                'accept_null': bool(param.get('acceptNull')),
                'max_length': to_number(param.get('maxLength')),
                'min_length': to_number(param.get('minLength')),
            })
            for sequence, param in enumerate(detail.get('listParams') or [], start=1)
            if isinstance(param, dict) and param.get('name')
        ]
        return {
            'name': detail.get('templateName') or '',
            'status': status if status in statuses else False,
            'status_reason': detail.get('reason') or (status if status not in statuses else False),
            'quality': detail.get('templateQuality') or False,
            'tag': str(detail.get('templateTag') or '') or False,
            'price': to_number(detail.get('price') or detail.get('price_sdt'), 0.0),
            'timeout_ms': to_number(detail.get('timeout'), const.DEFAULT_TEMPLATE_TIMEOUT_MS),
            'preview_url': detail.get('previewUrl') or False,
            'param_ids': [Command.clear()] + params,
        }

    @api.model
    def _cron_zalo_sync_templates(self):
        for provider in self.sudo().search([('code', '=', 'zalo_zns'), ('state', 'in', ('test', 'enabled'))]):
            try:
                provider._zalo_sync_templates()
            except UserError as error:
                _logger.warning("ZNS templates of provider %s not synchronized: %s", provider.id, error)

    # === BUSINESS METHODS: DELIVERY === #

    def _zalo_apply_delivery(self, message, delivery_ms):
        """Mark ``message`` delivered at Zalo's ``delivery_time`` with what Zalo bills for it:
        the template's price when delivered within the template's timeout, nothing otherwise
        (and nothing in development mode). Repeats change nothing."""
        if message.state == 'delivered':
            return False
        delivered_date = self._zalo_parse_ms(delivery_ms) or fields.Datetime.now()
        message._order_notify_process_report('delivered', delivered_date=delivered_date,
                                              cost=self._zalo_delivery_cost(message, delivery_ms))
        return True

    def _order_notify_estimate_cost(self, message):
        """The synced price of the ZNS template (what Zalo bills once delivered), nothing in
        development mode; the provider's unit cost when the template was not synced."""
        if self.code != 'zalo_zns':
            return super()._order_notify_estimate_cost(message)
        if message.zalo_development:
            return 0.0
        zns_template = message.template_id.zalo_template_id or self.env['zalo.zns.template'].sudo().search([
            ('provider_id', '=', self.id), ('template_ref', '=', message.template_id.provider_template_ref),
        ], limit=1)
        return zns_template.price or self.unit_cost

    def _zalo_delivery_cost(self, message, delivery_ms):
        if message.zalo_development:
            return 0.0
        zns_template = message.template_id.zalo_template_id or self.env['zalo.zns.template'].sudo().search([
            ('provider_id', '=', self.id), ('template_ref', '=', message.template_id.provider_template_ref),
        ], limit=1)
        if not zns_template:
            return None  # unknown: keep what the message says
        try:
            delivered_ms = int(delivery_ms)
        except (TypeError, ValueError):
            delivered_ms = None
        if delivered_ms and message.sent_date:
            sent_ms = int(pytz.utc.localize(message.sent_date).timestamp() * 1000)
            if delivered_ms - sent_ms > (zns_template.timeout_ms or const.DEFAULT_TEMPLATE_TIMEOUT_MS):
                return 0.0
        return zns_template.price

    @api.model
    def _zalo_process_webhook(self, raw_body, headers):
        """Handle a call of Zalo's webhook. Nothing changes unless the signature is right.

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
        if self._zalo_is_stale(data.get('timestamp')):
            _logger.info("Zalo webhook event older than %s s rejected (replay?)", const.WEBHOOK_MAX_AGE_SECONDS)
            return 403, "stale"
        event = data.get('event_name')
        if event == 'user_received_message':
            return provider._zalo_process_delivery_event(data)
        if event == 'change_template_status':
            return provider._zalo_process_template_event(data)
        return 200, "ignored"

    @api.model
    def _zalo_is_stale(self, timestamp_ms):
        """Whether a signed event is too old to be taken (a captured call replayed later)."""
        try:
            sent = datetime.fromtimestamp(int(timestamp_ms) / 1000)
        except (TypeError, ValueError, OverflowError, OSError):
            return False  # no usable timestamp: the signature alone decides
        return datetime.now() - sent > timedelta(seconds=const.WEBHOOK_MAX_AGE_SECONDS)

    def _zalo_check_signature(self, raw_body, data, signature, headers):
        """``X-ZEvent-Signature`` = sha256(app id + raw body + timestamp + OA secret key), hex.
        Tolerated variants (zalo_zns.md §5.2): a ``mac=`` prefix; the timestamp of the body or of
        an ``X-ZEvent-Timestamp`` header; the OA id instead of the app id; the app secret instead
        of the OA secret key. The keys always come from this provider, never from the call."""
        self.ensure_one()
        received = signature.strip()
        if received[:4].lower() == 'mac=':
            received = received[4:].strip()
        received = received.lower()
        if not re.fullmatch(r'[0-9a-f]{64}', received):
            return False
        provider = self.sudo()
        sender = data.get('sender') if isinstance(data.get('sender'), dict) else {}
        firsts = {provider.zalo_app_id, provider.zalo_oa_id or sender.get('id')} - {None, False, ''}
        secrets_ = {provider.zalo_oa_secret_key, provider.zalo_app_secret} - {None, False, ''}
        stamps = {str(data.get('timestamp') or ''), headers.get('X-ZEvent-Timestamp') or ''}
        for first in firsts:
            for secret in secrets_:
                for stamp in stamps:
                    expected = hashlib.sha256(
                        str(first).encode() + raw_body + stamp.encode() + secret.encode()
                    ).hexdigest()
                    if hmac.compare_digest(expected, received):
                        return True
        return False

    def _zalo_process_delivery_event(self, data):
        """``user_received_message``: the message reached the phone at ``delivery_time``."""
        event_message = data.get('message')
        if not isinstance(event_message, dict) or not event_message.get('msg_id'):
            return 400, "malformed"
        message = self.env['order.notify.message'].sudo().search([
            ('provider_id', '=', self.id), ('provider_message_ref', '=', str(event_message['msg_id'])),
        ], limit=1)
        if not message:
            message = self._zalo_find_unconfirmed(event_message.get('tracking_id'))
            if not message:
                return 200, "ignored"
            # The send got no answer (timeout, cut connection): this event proves Zalo accepted it.
            message._order_notify_mark_reconciled({'provider_message_ref': str(event_message['msg_id'])})
        if not self._zalo_apply_delivery(message, event_message.get('delivery_time') or data.get('timestamp')):
            return 200, "duplicate"
        return 200, "ok"

    def _zalo_find_unconfirmed(self, tracking_id):
        """The message of ``tracking_id`` whose send got no answer: reconciling, unknown, or still
        sending (the event may come before the dispatcher recorded the timeout)."""
        if not tracking_id:
            return self.env['order.notify.message']
        Message = self.env['order.notify.message'].sudo()
        domain = [
            ('provider_id', '=', self.id), ('state', 'in', ('reconciling', 'unknown', 'sending')),
            ('provider_message_ref', '=', False),
        ]
        # The tracking id is the idempotency key itself unless the key had to be shortened.
        message = Message.search(domain + [('idempotency_key', '=', tracking_id)], limit=1)
        if message or len(tracking_id) < const.TRACKING_ID_MAX_LENGTH:
            return message
        candidates = Message.search(domain + [('idempotency_key', '=like', tracking_id.replace('-', '_') + '%')])
        return candidates.filtered(lambda m: self._zalo_tracking_id(m.idempotency_key) == tracking_id)[:1]

    def _zalo_process_template_event(self, data):
        """``change_template_status``: keep the template's status fresh, alert when unusable."""
        status = data.get('status') if isinstance(data.get('status'), dict) else {}
        new_status = str(status.get('new_status') or '').upper()
        template = self.env['zalo.zns.template'].sudo().search([
            ('provider_id', '=', self.id), ('template_ref', '=', str(data.get('template_id') or '')),
        ], limit=1)
        if not template or new_status not in dict(const.TEMPLATE_STATUS_SELECTION):
            return 200, "ignored"
        was_sendable = template._zalo_is_sendable()
        template.write({'status': new_status, 'status_reason': data.get('reason') or False})
        if was_sendable and not template._zalo_is_sendable():
            self._zalo_alert_template(template, _(
                "Zalo changed the ZNS template %(template)s to %(status)s: its messages go by the next channel.",
                template=template.display_name, status=template._zalo_status_label(),
            ))
        return 200, "ok"
