# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from urllib.parse import parse_qs, urlsplit

from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon

WEBHOOK = '/order_status_notify_zalo/webhook'


@tagged('post_install', '-at_install')
class TestZaloHttp(ZaloCommon, HttpCase):
    """Zalo's calls reach Odoo over HTTP: the fake posts its signed events to the webhook route
    and sends the OA admin back to the OAuth callback route."""

    def _sent_message(self):
        order = self._confirmed_order()
        self._dispatch()
        return self._messages(order, event='placed')

    def test_signed_receipt_marks_delivered_and_replay_changes_nothing(self):
        message = self._sent_message()
        url = self.base_url() + WEBHOOK
        self.assertEqual(self._over_http(self.zns.deliver, message.provider_message_ref, url=url), 200)
        self.assertRecordValues(message, [{'state': 'delivered', 'cost': 300.0, 'cost_source': 'provider'}])
        delivered = (message.delivered_date, message.write_date)
        raw, headers = self.zns.delivery_event(message.provider_message_ref)
        response = self._over_http(self.url_open, WEBHOOK, data=raw, headers=headers)
        self.assertEqual((response.status_code, response.text), (200, 'duplicate'))
        self.assertEqual((message.delivered_date, message.write_date), delivered)

    def test_bare_signature_without_mac_prefix_is_accepted(self):
        message = self._sent_message()
        self.assertEqual(self._over_http(
            self.zns.deliver, message.provider_message_ref, url=self.base_url() + WEBHOOK, mac_prefix=False), 200)
        self.assertEqual(message.state, 'delivered')

    def test_forged_or_malformed_calls_are_rejected_and_change_nothing(self):
        message = self._sent_message()
        raw, headers = self.zns.delivery_event(message.provider_message_ref)
        forged = dict(headers, **{'X-ZEvent-Signature': 'mac=' + '0' * 64})
        self.assertEqual(self._over_http(self.url_open, WEBHOOK, data=raw, headers=forged).status_code, 403)
        tampered = raw.replace(b'"delivery_time":"', b'"delivery_time":"1')
        self.assertEqual(self._over_http(self.url_open, WEBHOOK, data=tampered, headers=headers).status_code, 403)
        unsigned = {'Content-Type': 'application/json'}
        self.assertEqual(self._over_http(self.url_open, WEBHOOK, data=raw, headers=unsigned).status_code, 403)
        # Signed with the wrong OA secret key.
        wrong_key_raw, wrong_key_headers = self.zns.delivery_event(
            message.provider_message_ref, oa_secret_key='not-the-oa-secret')
        self.assertEqual(
            self._over_http(self.url_open, WEBHOOK, data=wrong_key_raw, headers=wrong_key_headers).status_code, 403)
        self.assertEqual(self._over_http(self.url_open, WEBHOOK, data=b'{not json', headers=unsigned).status_code, 400)
        self.assertEqual(message.state, 'sent')
        self.assertFalse(message.delivered_date)
        # The unsigned {} Zalo posts when the webhook URL is saved is answered, and changes nothing.
        self.assertEqual(self._over_http(self.url_open, WEBHOOK, data=b'{}', headers=unsigned).status_code, 200)
        self.assertEqual(message.state, 'sent')

    def test_oauth_consent_stores_the_tokens(self):
        self.provider.write({'zalo_access_token': False, 'zalo_refresh_token': False, 'zalo_oa_id': False})
        action = self._connect_over_http('admin')
        consent = urlsplit(action['url'])
        query = parse_qs(consent.query)
        self.assertEqual(consent.path, '/v4/oa/permission')
        self.assertEqual(query['redirect_uri'], [self.provider.zalo_oauth_redirect_url])
        self.assertEqual(len(query['code_challenge'][0]), 43)
        callback = self._consent(action)
        response = self._over_http(self.url_open, callback, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text)
        self.assertTrue(self.provider.zalo_access_token)
        self.assertEqual(self.zns.tokens.check(self.provider.zalo_refresh_token, 'refresh'), 'ok')
        self.assertEqual(self.provider.zalo_oa_id, self.zns.oa_id)
        exchange = self._token_calls()[-1]
        self.assertEqual(exchange.form['grant_type'], 'authorization_code')
        self.assertTrue(exchange.form['code_verifier'])
        # The state is single use: replaying the callback changes nothing.
        token = self.provider.zalo_access_token
        replay = self._over_http(self.url_open, callback, allow_redirects=False)
        self.assertEqual(replay.status_code, 400)
        self.assertEqual(self.provider.zalo_access_token, token)
