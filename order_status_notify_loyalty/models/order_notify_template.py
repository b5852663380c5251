# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models

from odoo.addons.order_status_notify_loyalty import const


class OrderNotifyTemplate(models.Model):
    _inherit = 'order.notify.template'

    insert_value_key = fields.Selection(selection_add=const.VALUE_KEYS)

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_value_names(self):
        """The review link and the voucher values are order values too."""
        names = {key for key, _label in const.VALUE_KEYS}
        return super()._order_notify_value_names() | names | {f'{name}_value' for name in names}

    @api.model
    def _order_notify_ensure_review_templates(self, channels=None):
        """Create the default review request template of ``channels`` (default: every installed
        channel) that has none yet, shared by all companies (``const.CHANNEL_TEMPLATES``). An
        admin's own template, even archived, is left as it is."""
        registered = self.env['order.notify.registry']._get_channels()
        existing = set(self.with_context(active_test=False).search([('event', '=', 'review_request')]).mapped('channel'))
        vals_list = []
        for channel in channels or registered:
            if channel not in registered or channel in existing or channel not in const.CHANNEL_TEMPLATES:
                continue
            name, subject, body, params = const.CHANNEL_TEMPLATES[channel]
            vals_list.append({
                'name': name, 'event': 'review_request', 'channel': channel, 'subject': subject, 'body': body,
                'param_ids': [
                    fields.Command.create({'sequence': sequence, 'name': param, 'value_key': key})
                    for sequence, (param, key) in enumerate(params, start=1)
                ],
            })
        return self.create(vals_list)

    @api.model
    def _order_notify_add_voucher_line(self):
        """Append the voucher sentence (``const.VOUCHER_LINE``: empty without a voucher) to the
        thank-you texts, in every language they are written in. Texts that already name the
        voucher are left alone, and so are provider templates (ZNS): their layout is fixed at
        the provider, the admin maps ``voucher_code`` to a parameter of theirs."""
        templates = self.with_context(active_test=False).search([
            ('event', '=', 'delivered'), ('provider_template_ref', '=', False),
        ])
        langs = [code for code, _name in self.env['res.lang'].get_installed()]
        for template in templates:
            for lang in langs:
                localized = template.with_context(lang=lang)
                if localized.body and 'voucher_code' not in localized.body:
                    localized.body = localized.body.rstrip() + const.VOUCHER_LINE
