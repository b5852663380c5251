# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""VietGuys CSKH brandname API (shared/notes/sms_providers.md §2, from client code only: shapes
UNCONFIRMED): a form POST with the static passcode, ``json=1`` for a JSON answer whose ``error``
is 0 on success; no read-only call (no balance, no status polling)."""

from odoo import _

from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools.sms_api import SmsApi


class VietguysApi(SmsApi):

    def send(self, message, sms):
        """Send one CSKH brandname SMS (form POST, ``json=1``); ``bid`` carries the idempotency key."""
        provider = self.provider
        data = self._request('POST', '/api/index.php', data={
            'u': provider.sudo().vietguys_username or '',
            'pwd': provider.sudo().vietguys_password or '',
            'from': provider.sms_brandname,
            'phone': self._international_phone(message.phone),
            'sms': sms.text,
            'bid': message.idempotency_key,
            'type': const.VIETGUYS_TYPE_UNICODE if sms.is_unicode else const.VIETGUYS_TYPE_GSM7,
            'json': '1',
        })
        try:
            code = int(data.get('error'))
        except (TypeError, ValueError):
            code = None
        if code != 0:
            raise self._error(const.VIETGUYS_ERRORS, code, data.get('log') or data.get('message'))
        return {'provider_message_ref': str(data.get('msgid') or '')}

    def process_report(self, data):
        """Apply a VietGuys report ``{"data": {"message_id", "status"}}`` (shape UNCONFIRMED)."""
        report = data.get('data') if isinstance(data, dict) else None
        if not isinstance(report, dict):
            return 400, "malformed"
        message = self.provider._sms_find_message(report.get('message_id'))
        if not message:
            return 200, "ignored"
        status = str(report.get('status') or '').lower()
        if status == 'delivered':
            message._order_notify_process_report('delivered')
        elif status in ('fail', 'failed'):
            message._order_notify_process_report('failed', reason=_("VietGuys could not deliver the message."))
        return 200, "ok"
