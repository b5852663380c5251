# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import unicodedata

from odoo.tests import tagged

from odoo.addons.order_status_notify_sms.tests.common import SmsCommon
from odoo.addons.order_status_notify_sms.tools import (
    prepare_sms_text, sms_length, sms_segments, strip_vietnamese_accents,
)

# Real Vietnamese sentences of order messages, as typed with and without accents.
STRIPPING = [
    ("đã được giao", "da duoc giao"),
    ("Đơn hàng SO0042 đã được giao cho Giao Hàng Nhanh", "Don hang SO0042 da duoc giao cho Giao Hang Nhanh"),
    ("Cảm ơn quý khách đã mua hàng tại Shop Hoa Mai!", "Cam on quy khach da mua hang tai Shop Hoa Mai!"),
    ("Người nhận: Nguyễn Thị Thu Hương, số điện thoại 0912 345 678",
     "Nguoi nhan: Nguyen Thi Thu Huong, so dien thoai 0912 345 678"),
    ("ĐẶT HÀNG THÀNH CÔNG – ĐƠN SO0042", "DAT HANG THANH CONG - DON SO0042"),
    ("Quý khách vui lòng chuẩn bị 1.280.000\u00a0₫ khi nhận hàng.",
     "Quy khach vui long chuan bi 1.280.000 VND khi nhan hang."),
    ("Ưu tiên giao trước 17 giờ; Ơn, Ư, ư, ơ, ă, â, ê, ô", "Uu tien giao truoc 17 gio; On, U, u, o, a, a, e, o"),
    ("Khuyến mãi tháng Tư: giảm giá áo sơ mi, quần jean", "Khuyen mai thang Tu: giam gia ao so mi, quan jean"),
    ("Thuở ấy ngoằn ngoèo, khuỷu tay, ỷ lại, Ỹ, ỵ, Ỳ", "Thuo ay ngoan ngoeo, khuyu tay, y lai, Y, y, Y"),
    ("Đà Nẵng, Huế, Hà Nội, TP. Hồ Chí Minh, Cần Thơ", "Da Nang, Hue, Ha Noi, TP. Ho Chi Minh, Can Tho"),
]


def _cut(sentence, length):
    """``sentence`` repeated and cut to exactly ``length`` characters (no trailing space: it
    would be trimmed)."""
    text = (sentence * (length // len(sentence) + 1))[:length]
    return text[:-1] + '.' if text.endswith(' ') else text


PLAIN = "Don hang da duoc giao, cam on quy khach. "
ACCENTED = "Đơn hàng đã được giao, cảm ơn quý khách. "


@tagged('post_install', '-at_install')
class TestSmsText(SmsCommon):

    def test_strip_vietnamese_accents(self):
        for accented, plain in STRIPPING:
            with self.subTest(accented=accented):
                self.assertEqual(strip_vietnamese_accents(accented), plain)
                sms = prepare_sms_text(accented, unicode=False)
                self.assertEqual(sms.text, plain)
                self.assertEqual(sms.encoding, 'gsm7')
                self.assertEqual(sms.length, len(plain))

    def test_diacritics_force_ucs2(self):
        for accented, _plain in STRIPPING:
            with self.subTest(accented=accented):
                sms = prepare_sms_text(accented, unicode=True)
                self.assertEqual(sms.text, accented)
                self.assertEqual(sms.encoding, 'ucs2')
        # à è é ì ò ù are in the GSM-7 table: "Cà ri gà" stays GSM-7 with its accents.
        sms = prepare_sms_text("Cà ri gà", unicode=True)
        self.assertEqual((sms.text, sms.encoding, sms.segments), ("Cà ri gà", 'gsm7', 1))
        # Plain text is sent as GSM-7 even when diacritics are allowed: it is cheaper.
        self.assertEqual(prepare_sms_text("Don SO0042 da giao", unicode=True).encoding, 'gsm7')

    def test_segments_gsm7(self):
        """Vietnamese brandname billing: 1-160 = 1 SMS, 161-306 = 2, 307-459 = 3 (153 per part)."""
        for length, segments in [(1, 1), (70, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]:
            with self.subTest(length=length):
                sms = prepare_sms_text(_cut(PLAIN, length), unicode=True)
                self.assertEqual((sms.encoding, sms.length, sms.segments), ('gsm7', length, segments))

    def test_segments_ucs2(self):
        """With diacritics: 70 characters in one SMS, 67 per part beyond."""
        for length, segments in [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]:
            with self.subTest(length=length):
                sms = prepare_sms_text(_cut(ACCENTED, length), unicode=True)
                self.assertEqual((sms.encoding, sms.length, sms.segments), ('ucs2', length, segments))
        # The same 120-character message costs 2 SMS with diacritics, 1 without.
        text = _cut(ACCENTED, 120)
        self.assertEqual(prepare_sms_text(text, unicode=True).segments, 2)
        self.assertEqual(prepare_sms_text(text, unicode=False).segments, 1)

    def test_decomposed_text_is_composed_before_counting(self):
        """A decomposed "ễ" (copied text, some keyboards) is one character, not three: 70 composed
        characters are one SMS, not two, and leave composed."""
        composed = _cut(ACCENTED, 70)
        decomposed = unicodedata.normalize('NFD', composed)
        self.assertGreater(len(decomposed), 70)
        sms = prepare_sms_text(decomposed, unicode=True)
        self.assertEqual((sms.text, sms.length, sms.segments), (composed, 70, 1))

    def test_extension_and_astral_characters_count_double(self):
        self.assertEqual(sms_length("Mã [GHN] 5€", 'gsm7'), 14)
        self.assertEqual(sms_length("Cảm ơn 😊", 'ucs2'), 9)
        self.assertEqual(sms_segments(0, 'gsm7'), 0)
        # Without diacritics, what GSM-7 cannot carry becomes "?" rather than a guess by the gateway.
        self.assertEqual(prepare_sms_text("Cảm ơn 😊", unicode=False).text, "Cam on ?")

    def test_template_counts_and_warning(self):
        provider = self._create_esms(sms_unicode=True, sms_max_segments=3)
        order = self._shipped_order()
        template = self.env.ref('order_status_notify_sms.template_sms_shipped')
        # No provider on the template: the company's SMS provider's settings apply.
        template.preview_order_id = order
        preview = template.preview_content
        self.assertTrue(preview)
        expected = prepare_sms_text(preview, unicode=True)
        self.assertEqual(template.sms_encoding, 'ucs2')
        self.assertEqual(template.sms_char_count, len(preview))
        self.assertEqual(template.sms_segment_count, expected.segments)
        self.assertGreater(expected.segments, 1, "the shipping text is longer than one Unicode SMS")
        self.assertFalse(template.sms_length_warning)
        # A one-SMS limit: the preview fits without diacritics, the form says it will be sent so.
        provider.sms_max_segments = 1
        template.invalidate_recordset(['sms_length_warning', 'sms_segment_count'])
        self.assertIn("without diacritics", template.sms_length_warning)
        # Without diacritics the counts follow GSM-7.
        provider.write({'sms_unicode': False, 'sms_max_segments': 3})
        template.invalidate_recordset(['sms_encoding', 'sms_char_count', 'sms_segment_count', 'sms_length_warning'])
        plain = prepare_sms_text(preview, unicode=False)
        self.assertEqual((template.sms_encoding, template.sms_char_count), ('gsm7', plain.length))
        self.assertFalse(template.sms_length_warning)
