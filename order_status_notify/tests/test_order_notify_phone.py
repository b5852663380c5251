# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon
from odoo.addons.order_status_notify.utils import convert_legacy_vn_number, normalize_mobile


@tagged('post_install', '-at_install')
class TestOrderNotifyPhone(OrderNotifyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def test_vietnamese_formats_normalize_to_e164(self):
        for raw in ("0912 345 678", "+84 912 345 678", "84912345678", "0084 912-345-678", "(091) 234 5678"):
            self.assertEqual(normalize_mobile(raw, self.vn), ('+84912345678', False), raw)

    def test_legacy_eleven_digit_numbers(self):
        self.assertEqual(convert_legacy_vn_number("01689123456"), "0389123456")
        self.assertEqual(convert_legacy_vn_number("+84 1689 123 456"), "0389123456")
        self.assertEqual(convert_legacy_vn_number("0912345678"), "0912345678")
        self.assertEqual(normalize_mobile("01689123456", self.vn), ('+84389123456', False))
        self.assertEqual(normalize_mobile("0168 9123 456", self.vn), ('+84389123456', False))
        self.assertEqual(normalize_mobile("01228123456", self.vn), ('+84778123456', False))

    def test_unusable_numbers(self):
        self.assertEqual(normalize_mobile("028 3822 1234", self.vn), (False, 'landline'))
        self.assertEqual(normalize_mobile("", self.vn), (False, 'no_phone'))
        self.assertEqual(normalize_mobile("091234", self.vn), (False, 'invalid_phone'))
        self.assertEqual(normalize_mobile("abc", self.vn), (False, 'invalid_phone'))

    def _confirm_for(self, **partner_values):
        partner = self.env['res.partner'].create({'name': 'Trần Thị Bình', 'country_id': self.vn.id, **partner_values})
        order = self._create_order(partner=partner)
        order.action_confirm()
        self._dispatch()
        return self._messages(order)

    def test_landline_and_empty_are_skipped_with_reason(self):
        landline = self._confirm_for(phone='028 3822 1234')
        self.assertEqual((landline.state, landline.reason_code), ('skipped', 'landline'))
        self.assertIn("landline", landline.reason)
        empty = self._confirm_for()
        self.assertEqual((empty.state, empty.reason_code), ('skipped', 'no_phone'))
        self.assertTrue(empty.reason)

    def test_blacklisted_and_opted_out_are_skipped(self):
        self.env['phone.blacklist'].sudo().add('+84987654321')
        blacklisted = self._confirm_for(mobile='098 765 4321')
        self.assertEqual((blacklisted.state, blacklisted.reason_code), ('skipped', 'blacklisted'))
        opted_out = self._confirm_for(mobile='098 111 2222', order_notify_opt_out=True)
        self.assertEqual((opted_out.state, opted_out.reason_code), ('skipped', 'opted_out'))

    def test_mobile_wins_and_shipping_contact_first(self):
        both = self._confirm_for(phone='0912 000 111', mobile='0987 000 222')
        self.assertEqual(both.phone, '+84987000222')
        landline_then_mobile = self._confirm_for(mobile='028 3822 1234', phone='0912 000 333')
        self.assertEqual(landline_then_mobile.phone, '+84912000333')
        receiver = self.env['res.partner'].create({
            'name': 'Người nhận', 'type': 'delivery', 'parent_id': self.customer.id, 'mobile': '0933 444 555',
        })
        order = self._create_order(partner_shipping_id=receiver.id)
        order.action_confirm()
        self._dispatch()
        self.assertEqual(self._messages(order).phone, '+84933444555')
