# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models


class OrderNotifyTemplate(models.Model):
    _inherit = 'order.notify.template'

    insert_value_key = fields.Selection(selection_add=[('messenger_link', "Messenger link")])

    @api.model
    def _order_notify_value_names(self):
        """``{{ messenger_link }}``: the order's m.me link, for the texts of the other channels
        (e.g. the SMS or e-mail of the placed order: "Get updates on Messenger: …")."""
        return super()._order_notify_value_names() | {'messenger_link'}


class OrderNotifyTemplateParam(models.Model):
    _inherit = 'order.notify.template.param'

    value_key = fields.Selection(
        selection_add=[('messenger_link', "Messenger link"), ('expression',)],
        ondelete={'messenger_link': 'set default'},
    )
