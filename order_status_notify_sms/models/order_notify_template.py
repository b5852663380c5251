# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import _, api, fields, models

from odoo.addons.order_status_notify_sms import const
from odoo.addons.order_status_notify_sms.tools import prepare_sms_text


class OrderNotifyTemplate(models.Model):
    """Length of an SMS template's preview, as the provider would send it, and a warning when it
    exceeds the provider's limit: the shop sees the cost before the first buyer does."""
    _inherit = 'order.notify.template'

    sms_encoding = fields.Selection(
        string="Encoding", selection=[('gsm7', "GSM-7 (no diacritics)"), ('ucs2', "Unicode (UCS-2)")],
        compute='_compute_sms_counts',
    )
    sms_char_count = fields.Integer(string="Characters", compute='_compute_sms_counts')
    sms_segment_count = fields.Integer(string="SMS Count", compute='_compute_sms_counts')
    sms_length_warning = fields.Char(string="Length Warning", compute='_compute_sms_counts')

    @api.depends('channel', 'preview_content', 'provider_id.sms_unicode', 'provider_id.sms_max_segments')
    def _compute_sms_counts(self):
        for template in self:
            template.sms_encoding = template.sms_length_warning = False
            template.sms_char_count = template.sms_segment_count = 0
            if template.channel != 'sms' or not template.preview_content:
                continue
            provider = template._sms_get_provider()
            unicode = provider.sms_unicode if provider else True
            limit = (provider.sms_max_segments if provider else 0) or const.MAX_SEGMENTS
            sms = prepare_sms_text(template.preview_content, unicode=unicode)
            template.sms_encoding = sms.encoding
            template.sms_char_count = sms.length
            template.sms_segment_count = sms.segments
            if sms.segments > limit:
                plain = prepare_sms_text(template.preview_content, unicode=False)
                if sms.is_unicode and plain.segments <= limit:
                    template.sms_length_warning = _(
                        "The preview is %(segments)s SMS with diacritics, more than the limit of %(limit)s: it will "
                        "be sent without diacritics (%(plain)s characters).",
                        segments=sms.segments, limit=limit, plain=plain.length,
                    )
                else:
                    template.sms_length_warning = _(
                        "The preview is %(length)s characters (%(segments)s SMS), more than the limit of %(limit)s "
                        "SMS: such messages are not sent. Shorten the text.",
                        length=sms.length, segments=sms.segments, limit=limit,
                    )

    def _sms_get_provider(self):
        """The provider whose settings apply to this template: its own, else the company's SMS one."""
        self.ensure_one()
        if self.provider_id:
            return self.provider_id
        company = self.company_id or self.env.company
        return self.env['order.notify.provider']._order_notify_get_available('sms', company)
