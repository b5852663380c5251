# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class OrderNotifyMessage(models.Model):
    """What an SMS cost in characters: the text as it left (accents stripped or not), its
    encoding and length (the number of SMS is the core's ``segment_count``). Set by the provider
    when it sends the message."""
    _inherit = 'order.notify.message'

    sms_content_sent = fields.Text(
        string="Text Sent", readonly=True,
        help="The text as the gateway received it: without diacritics when the provider sends without.",
    )
    sms_encoding = fields.Selection(
        string="Encoding", selection=[('gsm7', "GSM-7 (no diacritics)"), ('ucs2', "Unicode (UCS-2)")],
        readonly=True,
    )
    sms_char_count = fields.Integer(string="Characters", readonly=True)
