# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models

from odoo.addons.order_status_notify_loyalty import const


class OrderNotifyTemplateParam(models.Model):
    _inherit = 'order.notify.template.param'

    value_key = fields.Selection(selection_add=const.VALUE_KEYS, ondelete={key: 'set null' for key, _label in const.VALUE_KEYS})
