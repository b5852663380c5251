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

    def _order_notify_render(self, order, event, picking=None):
        """The thank-you of an order that got a voucher names it, in the buyer's language, when
        the shop's text does not already place ``voucher_code`` itself. Provider templates (ZNS)
        are left as approved: the admin maps ``voucher_code`` to a parameter of theirs."""
        rendered = super()._order_notify_render(order, event, picking=picking)
        voucher = order.order_notify_voucher_id
        if (event == 'delivered' and voucher and not self.provider_template_ref and rendered['content']
                and 'voucher_code' not in (self.body or '')):
            values = order._order_notify_get_values(event, picking=picking)
            lang = order.partner_id.lang or self.env.lang or 'vi_VN'
            sentence = self.with_context(lang=lang).env._(
                "Here is a voucher %(code)s (%(value)s, valid until %(expiry)s) for your next purchase.",
                code=values['voucher_code'], value=values['voucher_value'], expiry=values['voucher_expiry'],
            )
            rendered['content'] = f"{rendered['content']} {sentence}"
        return rendered
