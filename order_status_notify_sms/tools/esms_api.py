# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""eSMS (ViHAT) CSKH brandname API (shared/notes/sms_providers.md §1): JSON POSTs, a
``CodeResult`` in every answer, ``RequestId`` as idempotency key, a GET callback per message."""

import logging
import re
from datetime import datetime, timedelta

import pytz

from odoo import _, fields

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools.sms_api import SmsApi

_logger = logging.getLogger(__name__)


class EsmsApi(SmsApi):
    supports_balance = True

    # === REQUESTS === #

    def _credentials(self):
        provider = self.provider.sudo()
        return {'ApiKey': provider.esms_api_key or '', 'SecretKey': provider.esms_secret_key or ''}

    @staticmethod
    def _local_time(moment):
        """A naive UTC datetime as eSMS writes dates: ``yyyy-MM-dd HH:mm:ss`` in Vietnam."""
        return pytz.utc.localize(moment).astimezone(pytz.timezone(const.ESMS_TZ)).strftime('%Y-%m-%d %H:%M:%S')

    # === SEND === #

    def send(self, message, sms):
        """Send one CSKH brandname SMS (SendMultipleMessage_V4_post_json, SmsType 2).

        The message's idempotency key is the ``RequestId``: eSMS refuses a second request with the
        same id for 24 h (code 124), so a retry after a crash or a timeout never sends twice.
        """
        provider = self.provider
        payload = {
            **self._credentials(),
            'Phone': self._national_phone(message.phone),
            'Content': sms.text,
            'Brandname': provider.sms_brandname,
            'SmsType': '2',
            'IsUnicode': '1' if sms.is_unicode else '0',
            'Sandbox': '1' if provider._sms_is_sandbox() else '0',
            'RequestId': message.idempotency_key,
            'CallbackUrl': provider._sms_get_report_url(),
        }
        data = self._request('POST', '/SendMultipleMessage_V4_post_json/', json=payload)
        code = str(data.get('CodeResult') or '')
        if not code:
            # {"error": "Invalid request"}: eSMS could not read the request at all.
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "eSMS rejected the request as malformed: %s", data.get('error') or data,
            ), code='invalid_request')
        if code == const.ESMS_ERRORS_DUPLICATE_CODE:
            raise self._error(const.ESMS_ERRORS, code, vals=self._find_sent(message, payload))
        if code != const.ESMS_SUCCESS_CODE:
            raise self._error(const.ESMS_ERRORS, code, data.get('ErrorMessage'))
        return {'provider_message_ref': str(data.get('SMSID') or '')}

    def _sent_data(self, since, until=None):
        """The CSKH messages eSMS sent between ``since`` and ``until`` (naive UTC), read from
        GetSmsSentData_V2: the documented call that takes the keys in a POST body (GetSendStatus
        only takes them in the query string, which proxies and access logs keep). One call per
        page of 500, for every message of the period at once.

        :return: the ``SentData`` entries, or None when eSMS cannot tell now
        """
        until = until or fields.Datetime.now()
        query = {
            **self._credentials(), 'SmsType': '2', 'PageSize': const.ESMS_SENT_DATA_PAGE_SIZE,
            'From': self._local_time(since - timedelta(minutes=5)),
            'To': self._local_time(until + timedelta(minutes=5)),
        }
        entries = []
        for page in range(1, const.ESMS_SENT_DATA_MAX_PAGES + 1):
            try:
                data = self._request('POST', '/GetSmsSentData_V2', json={**query, 'Page': page})
            except OrderNotifyError as error:
                _logger.info("eSMS sent data of %s unavailable: %s", self.provider.name, error)
                return None
            if str(data.get('CodeResult') or '') != const.ESMS_SUCCESS_CODE:
                _logger.info("eSMS sent data of %s refused: code %s", self.provider.name, data.get('CodeResult'))
                return None
            sent = [entry for entry in data.get('SentData') or [] if isinstance(entry, dict)]
            entries += sent
            if len(sent) < const.ESMS_SENT_DATA_PAGE_SIZE:
                break
        return entries

    def _find_sent(self, message, payload):
        """The SMSID and price of the SMS eSMS accepted earlier for ``message`` (it answers 124
        to the same RequestId without them): among the messages sent since the message was
        queued (at most the 24 h RequestId window), the one to the same phone with the same text
        not yet in the log. Empty when eSMS cannot tell (the cost stays an estimate, the id comes
        with the delivery callback, which echoes the RequestId)."""
        now = fields.Datetime.now()
        since = max(message.create_date or now, now - timedelta(hours=const.ESMS_REQUEST_ID_HOURS))
        candidates = [
            entry for entry in self._sent_data(since, now) or []
            if entry.get('ReferenceId') and str(entry.get('Phone')) == payload['Phone']
            and entry.get('Content') == payload['Content']
        ]
        known = set(self.env['order.notify.message'].sudo().search([
            ('provider_id', '=', self.provider.id), ('id', '!=', message.id),
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
        vals.update(cost=price, cost_source='provider' if price else 'none', currency_id=self.provider.currency_id.id)
        return vals

    # === BALANCE === #

    def fetch_balance(self):
        data = self._request('POST', '/GetBalance_json', json=self._credentials())
        code = str(data.get('CodeResponse') or '')
        if code != const.ESMS_SUCCESS_CODE:
            raise self._error(const.ESMS_ERRORS, code, default_message=_("eSMS answered code %s.", code or '-'))
        return float(data.get('Balance') or 0.0)

    # === DELIVERY STATUS === #

    def fetch_status(self, messages):
        """Poll the messages without a delivery report (eSMS keeps them 7 days) in one read of
        the period they were sent in: ``SendResult`` 1 delivered / 0 failed / 2 not known yet,
        ``SellPrice`` what eSMS bills."""
        sent_dates = [m.sent_date for m in messages if m.sent_date]
        if not sent_dates:
            return
        entries = self._sent_data(min(sent_dates))
        by_ref = {str(entry.get('ReferenceId')): entry for entry in entries or [] if entry.get('ReferenceId')}
        for message in messages:
            entry = by_ref.get(message.provider_message_ref)
            if entry:
                self._apply_status(message, {
                    'SendStatus': entry.get('SendStatus'),
                    'SendSuccess': 1 if str(entry.get('SendResult')) == '1' else 0,
                    'SendFailed': 1 if str(entry.get('SendResult')) == '0' else 0,
                    'TotalPrice': entry.get('SellPrice'),
                })

    def _apply_status(self, message, data):
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

    def process_report(self, data):
        """Apply an eSMS delivery callback (HTTP GET, query parameters ``SMSID``, ``SendStatus``,
        ``SendSuccess``, ``SendFailed``, ``TotalPrice``, ``RequestId``); eSMS retries it up to 5 times."""
        provider = self.provider
        message = provider._sms_find_message(data.get('SMSID'))
        if not message and data.get('SMSID') and data.get('RequestId'):
            # A message recorded from a duplicate answer (124) without its SMSID: the RequestId
            # the callback echoes is its idempotency key.
            message = self.env['order.notify.message'].sudo().search([
                ('provider_id', '=', provider.id), ('idempotency_key', '=', data['RequestId']),
                ('provider_message_ref', 'in', (False, '')),
            ], limit=1)
            if message:
                message.provider_message_ref = str(data['SMSID'])
        if not message:
            _logger.info("eSMS callback for an unknown SMSID ignored")
            return 200, "ignored"
        self._apply_status(message, data)
        return 200, "ok"
