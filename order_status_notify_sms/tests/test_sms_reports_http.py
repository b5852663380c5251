# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_sms.tests.common import SmsCommon


@tagged('post_install', '-at_install')
class TestSmsReportsHttp(SmsCommon, HttpCase):
    """The gateways' delivery reports reach Odoo over HTTP: the fake gateway calls the URL the
    provider gave it, exactly as the vendor would."""

    def _over_http(self, call, *args):
        """Run a fake's HTTP call to Odoo: what the test wrote must be in the database for the
        server, and what the server wrote must be re-read here."""
        self.env.flush_all()
        result = call(*args)
        self.env.invalidate_all()
        return result

    def test_esms_callback_over_http(self):
        provider = self._create_esms()
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        record = self.esms.records[message.provider_message_ref]
        self.assertTrue(record.callback_url.startswith(self.base_url()))
        # eSMS calls the CallbackUrl with an HTTP GET.
        self.assertEqual(self._over_http(self.esms.deliver, message.provider_message_ref), 200)
        self.assertRecordValues(message, [{
            'state': 'delivered', 'cost': 850 * message.segment_count, 'cost_source': 'provider',
        }])
        # A repeated callback is answered and changes nothing.
        self.assertEqual(self._over_http(self.esms.send_report, message.provider_message_ref), 200)
        self.assertEqual(message.state, 'delivered')
        # Without the secret token, nothing.
        response = self.url_open(f'/order_status_notify_sms/esms/not-the-token?SMSID={record.msg_id}&SendStatus=5')
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(provider.sms_report_token, response.text)

    def test_speedsms_webhook_over_http(self):
        provider = self._create_speedsms()
        self.speedsms.report_url = provider.sms_report_url
        order = self._shipped_order()
        self._dispatch()
        message = self._messages(order, event='shipped')
        (msg_id,) = self.speedsms.message_ids(message.provider_message_ref)
        self.assertEqual(self._over_http(self.speedsms.deliver, msg_id), 200)
        self.assertEqual(message.state, 'delivered')
        # Replies of buyers come to the same URL: ignored. A broken body: 400.
        self.assertEqual(self._over_http(self.speedsms.send_incoming, '84912345678', 'Cảm ơn shop'), 200)
        url = provider.sms_report_url.replace(self.base_url(), '')
        self.assertEqual(self.url_open(url, data='not json', headers={'Content-Type': 'application/json'}).status_code, 400)
        bad = self.url_open('/order_status_notify_sms/speedsms/wrong', data=json.dumps({'type': 'report'}),
                            headers={'Content-Type': 'application/json'})
        self.assertEqual(bad.status_code, 404)
