# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Vietnamese SMS text: accent stripping, encoding, length and segments.

One SMS carries 140 octets: 160 GSM-7 characters or 70 UCS-2 characters; a concatenated part
loses 6 octets to its header, leaving 153 GSM-7 / 67 UCS-2 characters per part. Vietnamese
brandname gateways bill CSKH messages on exactly these steps (1-160 characters = 1 message,
161-306 = 2, 307-459 = 3) and refuse longer ones. Of the Vietnamese letters only à è é ì ò ù are
in the GSM-7 table: any other diacritic (đ, ơ, ư, ả…) makes the whole message UCS-2.
"""

import functools
import math
import unicodedata
from dataclasses import dataclass

# GSM 03.38 basic character set (one septet each) and its extension table (escape + septet).
GSM7_BASIC = frozenset(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡'
    'ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
)
GSM7_EXTENDED = frozenset('^{}\\[~]|€\f')

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Characters that have no accent to strip but no GSM-7 code either, as Vietnamese text written
# by Odoo contains them (format_amount puts a no-break space before ₫).
_PLAIN_REPLACEMENTS = {
    'đ': 'd', 'Đ': 'D',          # no Unicode decomposition: NFD leaves them alone
    '₫': 'VND',
    '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '\u2007': ' ',
    '–': '-', '—': '-', '‑': '-',
    '‘': "'", '’': "'", '“': '"', '”': '"',
    '…': '...', '•': '-', '×': 'x',
}


def strip_vietnamese_accents(text):
    """Vietnamese text without diacritics, as buyers write it when typing without accents:
    "Đơn hàng đã được giao" → "Don hang da duoc giao".

    ``đ``/``Đ`` are mapped explicitly (they do not decompose); every tone and vowel mark (the
    breve of ă, the circumflex of â ê ô, the horn of ơ ư, the five tones) is a combining mark
    after NFD and is dropped.
    """
    if not text:
        return text or ''
    text = ''.join(_PLAIN_REPLACEMENTS.get(char, char) for char in text)
    decomposed = unicodedata.normalize('NFD', text)
    stripped = ''.join(char for char in decomposed if unicodedata.category(char) != 'Mn')
    return unicodedata.normalize('NFC', stripped)


def is_gsm7(text):
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text or '')


def sms_length(text, encoding):
    """Characters as the network counts them: GSM-7 extension characters take two septets,
    UCS-2 characters outside the BMP (emoji) take two code units."""
    if encoding == 'gsm7':
        return sum(2 if char in GSM7_EXTENDED else 1 for char in text or '')
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text or '')


def sms_segments(length, encoding):
    """Number of SMS (and of billed brandname messages) for ``length`` characters."""
    if length <= 0:
        return 0
    single, part = (GSM7_SINGLE, GSM7_PART) if encoding == 'gsm7' else (UCS2_SINGLE, UCS2_PART)
    return 1 if length <= single else math.ceil(length / part)


@dataclass(frozen=True)
class SmsText:
    """A text as it leaves for the gateway."""
    text: str
    encoding: str        # 'gsm7' | 'ucs2'
    length: int
    segments: int

    @property
    def is_unicode(self):
        return self.encoding == 'ucs2'


# Memoized: the parallel dispatcher prepares each text twice (before and after the gateway's
# answer, see core tools/notify_api.Exchange), the preview thousands of alike texts.
@functools.lru_cache(maxsize=512)
def prepare_sms_text(text, unicode=True):
    """Return the :class:`SmsText` to send for ``text``.

    The text is NFC-normalised first. With ``unicode`` the text keeps its diacritics and goes as
    UCS-2 only when it needs to (a text that fits GSM-7 costs less as GSM-7). Without, accents
    are stripped and anything still outside GSM-7 (emoji, rare symbols) becomes ``?``, so that
    the gateway never receives a character it would have to guess about.
    """
    # Composed first: a decomposed "ễ" (e + two combining marks, as some keyboards and copied
    # text give it) is three UCS-2 characters, and would be counted and billed as such.
    text = unicodedata.normalize('NFC', text or '').strip()
    if not unicode:
        text = strip_vietnamese_accents(text)
        text = ''.join(char if char in GSM7_BASIC or char in GSM7_EXTENDED else '?' for char in text)
    encoding = 'gsm7' if is_gsm7(text) else 'ucs2'
    length = sms_length(text, encoding)
    return SmsText(text=text, encoding=encoding, length=length, segments=sms_segments(length, encoding))
