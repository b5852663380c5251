# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import shorten_text
from odoo.addons.order_status_notify_zalo import const


class OrderNotifyTemplateParam(models.Model):
    _inherit = 'order.notify.template.param'

    zalo_param_type = fields.Char(string="ZNS Type", compute='_compute_zalo_param')
    zalo_max_length = fields.Integer(string="ZNS Max Length", compute='_compute_zalo_param')
    zalo_required = fields.Boolean(string="ZNS Required", compute='_compute_zalo_param')

    @api.depends('name', 'template_id.zalo_template_id.param_ids')
    def _compute_zalo_param(self):
        for param in self:
            zns_param = param._zalo_get_zns_param()
            param.zalo_param_type = zns_param.param_type
            param.zalo_max_length = zns_param.max_length
            param.zalo_required = zns_param.required

    def _zalo_get_zns_param(self):
        """The definition of this parameter in the linked ZNS template (empty when none)."""
        self.ensure_one()
        return self.template_id.zalo_template_id.param_ids.filtered(lambda p: p.name == self.name)[:1]

    def _order_notify_render_value(self, order, values):
        """ZNS "number" parameters take plain integers (Zalo writes 250000 as 250.000 itself):
        amounts are given from their raw value, not the formatted "250.000 ₫". Names and product
        lists longer than the parameter allows are shortened at a word boundary with "…"
        (counted after NFC, as Zalo counts): the buyer still gets the message; other values
        are never cut (see ``_zalo_check_value``)."""
        zns_param = self._zalo_get_zns_param()
        if zns_param and zns_param._zalo_kind() == 'number' and self.value_key in const.AMOUNT_VALUE_KEYS:
            raw = values.get(f'{self.value_key}_value')
            if raw not in (None, False):
                return str(int(round(raw)))
        value = super()._order_notify_render_value(order, values)
        if zns_param.max_length and self.value_key in core_const.SHORTENABLE_VALUE_KEYS:
            value = shorten_text(value, zns_param.max_length)
        return value
