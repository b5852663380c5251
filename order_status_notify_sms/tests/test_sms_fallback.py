# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import ESMS_SEND_PATH, SmsCommon


@tagged('post_install', '-at_install')
class TestSmsFallback(SmsCommon):
    """ZNS first, SMS when the buyer cannot be reached on Zalo (the core's default routes).

    The ZNS side is the core's sandbox provider on the Zalo channel answering "recipient
    unreachable" (its error simulation, as a buyer without Zalo would get from ZNS): what is
    under test is the core's fallback feeding this addon's eSMS provider, over HTTP.
    """

    def setUp(self):
        super().setUp()
        self.esms_provider = self._create_esms()
        self.zalo = self._create_provider(
            'sandbox', 'zalo', sandbox_simulated_error='unreachable', sandbox_simulated_error_count=0,
        )

    def test_buyer_without_zalo_gets_sms(self):
        order = self._shipped_order()
        zns = self._messages(order, event='shipped')
        self.assertEqual((zns.channel, zns.provider_id), ('zalo', self.zalo))
        self._dispatch()
        self.assertRecordValues(zns, [{'state': 'skipped', 'reason_code': 'unreachable'}])
        sms = zns.fallback_ids
        self.assertEqual(len(sms), 1)
        self.assertRecordValues(sms, [{'channel': 'sms', 'provider_id': self.esms_provider.id, 'state': 'queued'}])
        self._dispatch()
        self.assertEqual(sms.state, 'sent')
        (request,) = self._sends(self.esms, ESMS_SEND_PATH)
        self.assertEqual(request.json['Phone'], '0912345678')
        self.assertEqual(request.json['RequestId'], sms.idempotency_key)
        self.assertIn('GHN123456', request.json['Content'])
        self.assertEqual(self._messages(order, event='shipped'), zns | sms)
        # Running the dispatcher again sends nothing more.
        self._dispatch()
        self.assertEqual(len(self._sends(self.esms, ESMS_SEND_PATH)), 1)

    def test_buyer_on_zalo_gets_no_sms(self):
        self.zalo.sandbox_simulated_error = False
        order = self._shipped_order()
        self._dispatch()
        self._dispatch()
        zns = self._messages(order, event='shipped')
        self.assertRecordValues(zns, [{'channel': 'zalo', 'state': 'delivered'}])
        self.assertFalse(self._sends(self.esms, ESMS_SEND_PATH))
