"""Fake of Odoo's own SMS service (IAP, ``sms.api.odoo.com``), for the throughput benchmark's
anchor: Odoo's ``sms.sms`` queue pointed at the same local server as our providers.

Shape, from Odoo 18's ``addons/sms/tools/sms_api.py`` (``SmsApi._send_sms_batch``) and
``addons/iap/tools/iap_tools.py`` (``iap_jsonrpc``): a JSON-RPC 2.0 ``call`` on
``/api/sms/3/send`` whose ``params`` hold ``messages`` (``[{content, numbers: [{uuid, number}]}]``),
``webhook_url``, ``dbuuid`` and ``account_token``; the ``result`` is one ``{uuid, state, credit}``
per number, ``state`` ``success`` here.
"""
import json

from .base import Fake, SmsRecord, json_response, route, sms_segments


class FakeIapSms(Fake):
    provider = 'iap_sms'
    channel = 'sms'
    LOGGED = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.records = []

    @route('POST', r'/api/sms/3/send')
    def send(self, request):
        try:
            payload = json.loads(request.body or b'{}')
            messages = payload['params']['messages']
        except (ValueError, KeyError, TypeError):
            return json_response({'jsonrpc': '2.0', 'id': None, 'error': {
                'code': 400, 'message': 'bad request', 'data': {'name': 'ValueError', 'message': 'bad request'}}})
        results = []
        with self.lock:
            for message in messages:
                for number in message.get('numbers') or []:
                    self.records.append(SmsRecord(
                        msg_id=number['uuid'], phone=number['number'], phone_raw=number['number'],
                        text=message['content'], sender='Odoo', unicode=True,
                        segments=sms_segments(message['content'] or '', True), price=1.0, carrier='',
                    ))
                    results.append({'uuid': number['uuid'], 'state': 'success', 'credit': 1})
        return json_response({'jsonrpc': '2.0', 'id': payload.get('id'), 'result': results})
