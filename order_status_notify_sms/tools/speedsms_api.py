# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""SpeedSMS API (shared/notes/sms_providers.md §3): the access token as HTTP basic user, JSON
answers with ``status``/``code``, HTTP 401/403/404 for a wrong token, HTTP 429 with
``X-Rate-Limit-Reset`` (seconds to wait), no idempotency key."""

import logging

from odoo import _

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.tools import notify_api
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools.sms_api import SmsApi

_logger = logging.getLogger(__name__)


class SpeedsmsApi(SmsApi):
    supports_balance = True

    # === REQUESTS === #

    def _call(self, method, path, **kwargs):
        """Call SpeedSMS and return its JSON answer when ``status`` is ``success``.

        SpeedSMS answers a wrong token by HTTP status (not JSON), and says how long to wait
        after a 429 in ``X-Rate-Limit-Reset``."""
        response = self._request(
            method, path, auth=(self.provider.sudo().speedsms_access_token or '', 'x'), decode=False,
            rate_limit_headers=('X-Rate-Limit-Reset', 'Retry-After'), **kwargs,
        )
        if response.status_code in (401, 403, 404):
            raise OrderNotifyError(core_const.ERROR_CONFIG, _(
                "SpeedSMS refused the access token (HTTP %s).", response.status_code,
            ), code=f'http_{response.status_code}')
        data = notify_api.decode_json(response, vendor=self.provider.name)
        if data.get('status') != 'success':
            raise self._error(const.SPEEDSMS_ERRORS, str(data.get('code') or ''), data.get('message'))
        return data

    # === SEND === #

    def send(self, message, sms):
        """Send one brandname SMS (``sms_type`` 3). SpeedSMS has no idempotency key: a send whose
        answer is lost is reconciled, never resent blindly."""
        phone = self._international_phone(message.phone)
        data = self._call('POST', '/sms/send', json={
            'to': [phone],
            'content': sms.text,
            'sms_type': const.SPEEDSMS_SMS_TYPE_BRANDNAME,
            'sender': self.provider.sms_brandname,
        })
        result = data.get('data') or {}
        if phone in (result.get('invalidPhone') or []):
            raise OrderNotifyError(core_const.ERROR_INVALID, _("SpeedSMS refused the phone number."), code='105')
        vals = {'provider_message_ref': str(result.get('tranId') or '')}
        if result.get('totalPrice') not in (None, ''):
            vals.update(cost=float(result['totalPrice']), cost_source='provider',
                        currency_id=self.provider.currency_id.id)
        return vals

    # === BALANCE === #

    def fetch_balance(self):
        data = self._call('GET', '/user/info')
        return float((data.get('data') or {}).get('balance') or 0.0)

    # === DELIVERY STATUS === #

    def fetch_status(self, messages):
        for message in messages:
            try:
                data = self._call('GET', f'/sms/status/{message.provider_message_ref}')
            except OrderNotifyError as error:
                _logger.info("SpeedSMS status of message %s unavailable: %s", message.id, error)
                continue
            entries = data.get('data') or []
            entries = entries if isinstance(entries, list) else [entries]
            for entry in entries:
                if isinstance(entry, dict):
                    self._apply_status(message, entry.get('status'))

    def _apply_status(self, message, status):
        """``status`` 0 delivered, 1-63 not final yet, 64 and more failed."""
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

    def process_report(self, data):
        """Apply a SpeedSMS webhook call ``{"type": "report", "tranId", "phone", "status"}``
        (the same URL also gets ``"type": "incoming"`` replies, ignored)."""
        if not isinstance(data, dict) or data.get('type') != 'report':
            return 200, "ignored"
        message = self.provider._sms_find_message(data.get('tranId'))
        if not message:
            return 200, "ignored"
        self._apply_status(message, data.get('status'))
        return 200, "ok"
