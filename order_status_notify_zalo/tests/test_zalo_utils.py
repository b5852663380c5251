# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The pure helpers of ``utils.py``, without Odoo's HTTP or a fake Zalo: the edge cases that the
end-to-end tests reach only one at a time."""

import hashlib
import time
from datetime import datetime

from odoo.tests import BaseCase, tagged

from odoo.addons.order_status_notify_zalo import utils

APP_ID, OA_ID, OA_KEY, APP_SECRET = 'app-1', 'oa-1', 'oa-secret-key', 'app-secret-key'


def _sign(first, body, stamp, secret):
    return hashlib.sha256(first.encode() + body + stamp.encode() + secret.encode()).hexdigest()


@tagged('post_install', '-at_install')
class TestZaloUtils(BaseCase):

    def _check(self, signature, body=b'{"timestamp": "1700000000000"}', headers=None):
        data = {'timestamp': '1700000000000'}
        return utils.check_signature(body, data, signature, headers or {}, {APP_ID, OA_ID}, {OA_KEY, APP_SECRET})

    def test_signature_variants_and_forgeries(self):
        body = b'{"timestamp": "1700000000000"}'
        good = _sign(APP_ID, body, '1700000000000', OA_KEY)
        self.assertTrue(self._check(f'mac={good}'))
        self.assertTrue(self._check(good.upper()), "hex case does not matter")
        self.assertTrue(self._check(_sign(OA_ID, body, '1700000000000', APP_SECRET)), "OA id and app secret")
        header_stamp = _sign(APP_ID, body, '1700000000999', OA_KEY)
        self.assertTrue(self._check(header_stamp, headers={'X-ZEvent-Timestamp': '1700000000999'}))
        self.assertFalse(self._check(header_stamp), "a timestamp nobody sent")
        self.assertFalse(self._check(_sign(APP_ID, body, '1700000000000', 'another-key')))
        self.assertFalse(self._check(good, body=body + b' '), "the signature covers the exact bytes")
        self.assertFalse(self._check(''))
        self.assertFalse(self._check('mac=' + 'z' * 64))

    def test_stale_events(self):
        now_ms = int(time.time() * 1000)
        self.assertFalse(utils.is_stale(now_ms))
        self.assertTrue(utils.is_stale(now_ms - 2 * 3600 * 1000))
        self.assertFalse(utils.is_stale('not a number'), "no usable timestamp: the signature decides")

    def test_tracking_id_and_phone(self):
        self.assertEqual(utils.tracking_id('order/12:placed'), 'order-12-placed')
        self.assertEqual(len(utils.tracking_id('k' * 80)), 48)
        self.assertIsNone(utils.tracking_id(''))
        self.assertEqual(utils.format_phone('+84 912 345 678'), '84912345678')
        self.assertIsNone(utils.format_phone('+6591234567'))
        self.assertIsNone(utils.format_phone(False))

    def test_next_morning_is_six_in_vietnam(self):
        # 23:00 in Vietnam (16:00 UTC): the next day at 06:00 (23:00 UTC the same day).
        self.assertEqual(utils.next_morning(datetime(2026, 11, 30, 16, 0)), datetime(2026, 11, 30, 23, 0))
        # 03:00 in Vietnam (20:00 UTC the day before): 06:00 the same morning.
        self.assertEqual(utils.next_morning(datetime(2026, 11, 29, 20, 0)), datetime(2026, 11, 29, 23, 0))

    def test_answers(self):
        self.assertEqual(utils.error_code({'error': '-124'}), -124)
        self.assertEqual(utils.error_code({'error': 'oops'}), -100)
        self.assertEqual(utils.error_code({}), 0)
        self.assertEqual(utils.parse_quota({'dailyQuota': '500', 'remainingQuota': '0'}), (500, 0))
        self.assertIsNone(utils.parse_quota({'dailyQuota': '500'}))
        self.assertEqual(utils.parse_ms('1700000000123'), datetime(2023, 11, 14, 22, 13, 20))
        self.assertIsNone(utils.parse_ms(None))
        page = {'data': [{'templateId': 1}, {'templateId': '2'}, 'junk'], 'metadata': {'total': '7'}}
        self.assertEqual(utils.template_list_page(page), (['1', '2'], 3, 7))
        vals = utils.template_vals({'status': 'weird', 'price': 'n/a', 'listParams': [{'name': 'a', 'maxLength': '30'}]})
        self.assertEqual((vals['status'], vals['status_reason'], vals['price']), (False, 'WEIRD', 0.0))
        self.assertEqual(vals['param_ids'][1][2]['max_length'], 30)
