# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hmac
import logging
from contextlib import contextmanager
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_zalo import const, utils

_logger = logging.getLogger(__name__)


class ZaloTokenRejected(Exception):
    """Zalo refused to renew the access token: only an admin can fix it (reconnect the OA)."""


class OrderNotifyProvider(models.Model):
    """The Zalo Official Account behind the provider: the OAuth v4 consent, the access token
    (25 h) renewed with a single-use refresh token that rotates at each use, the quota and the
    health alerts.

    Renewals take a row lock on the provider and commit the new pair in their own cursor before
    it is used, so that two workers never spend the same refresh token and a rollback of the
    sending transaction never loses the only valid pair.
    """
    _inherit = 'order.notify.provider'

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
    def _zalo_token_cursor(self):
        """The cursor a token renewal locks the provider row in and commits the new pair with: a
        cursor of its own, committed when the block ends, so that a rollback of the caller's
        transaction cannot lose a pair Zalo already rotated. (Tests, whose rows no other cursor
        sees, replace it with a savepoint of their own cursor.)"""
        with self.env.registry.cursor() as token_cr:
            yield token_cr

    def _zalo_refresh_access_token(self, failed_token=None):
        """Renew the access token with the refresh token and store the new pair before use.

        One renewal at a time per provider: the provider row is locked (``FOR NO KEY UPDATE
        NOWAIT``) in the cursor of ``_zalo_token_cursor``. When another worker renewed the token
        meanwhile (the stored token differs from ``failed_token``), its token is used as is.

        :return: the new access token
        :raise OrderNotifyError: ``transient`` when Zalo cannot be reached or another worker is
            renewing right now; ``balance`` (pause, messages kept) when Zalo refuses the refresh
            token — the provider is then paused and the admins alerted.
        """
        self.ensure_one()
        try:
            with self._zalo_token_cursor() as token_cr:
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

    def _zalo_store_tokens(self, data):
        """Store a token answer ``{"access_token", "refresh_token", "expires_in": "90000"}``."""
        expires_in = utils.parse_expires_in(data)
        self.sudo().write({
            'zalo_access_token': data['access_token'],
            'zalo_refresh_token': data['refresh_token'],
            'zalo_access_token_expiry': fields.Datetime.now() + timedelta(seconds=expires_in),
            'zalo_token_error': False,
        })
        self.flush_recordset()
        _logger.info("Zalo access token of provider %s renewed, valid %s s", self.id, expires_in)

    def _zalo_after_reconnect(self):
        """The admin fixed the access: close the token alerts and resume a provider paused for it."""
        self.ensure_one()
        if self.is_paused:
            self.action_resume()  # also closes the alerts of the pause
        self._order_notify_close_alerts('zalo_access_expiring', _("Zalo access renewed."))

    # === BUSINESS METHODS: OAUTH CONNECTION === #

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
            return provider, str(error.message)
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

    def _zalo_fetch_oa_id(self):
        """The id of the OA the access token belongs to, as Zalo tells it (False if it cannot):
        never the one of the callback URL, which anyone can edit."""
        self.ensure_one()
        try:
            data = self._zalo_make_request(
                'GET', self._zalo_oa_url('/v2.0/oa/getoa'), headers={'access_token': self.sudo().zalo_access_token},
            )
        except OrderNotifyError as error:
            _logger.info("Zalo OA information of provider %s unavailable: %s", self.id, error)
            return False
        oa = utils.answer_data(data)
        return str(oa['oa_id']) if not utils.error_code(data) and oa.get('oa_id') else False

    # === BUSINESS METHODS: QUOTA AND HEALTH === #

    def _zalo_write_health(self, vals):
        """Store quota and balance information in a short transaction of its own: the sending
        transaction must not write the provider row, which a token renewal may have changed
        meanwhile (it would fail to serialize). Best effort: skipped when the row is busy.
        (Tests, whose rows no other cursor sees, write in their own transaction instead.)"""
        try:
            with self.env.registry.cursor() as health_cr:
                health_cr.execute("SET LOCAL lock_timeout = '3s'")
                self.env(cr=health_cr, su=True)[self._name].browse(self.id).write(vals)
        except psycopg2.Error as error:
            _logger.info("Zalo health of provider %s not stored: %s", self.id, type(error).__name__)

    def _zalo_store_quota(self, quota):
        """Store the quota Zalo returned and alert under 10 %."""
        parsed = utils.parse_quota(quota)
        if not parsed:
            return
        daily, remaining = parsed
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

    # === BUSINESS METHODS: CRON AND ALERTS === #

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
