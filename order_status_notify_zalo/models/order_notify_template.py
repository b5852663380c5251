# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re
import unicodedata

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_status_notify_zalo import const


class OrderNotifyTemplate(models.Model):
    _inherit = 'order.notify.template'

    zalo_template_id = fields.Many2one(
        string="ZNS Template", comodel_name='zalo.zns.template', check_company=True,
        domain="[('provider_id', '=?', provider_id)]",
        help="The approved ZNS template of the Official Account this message uses. Choosing it fills the "
             "parameters with suggested order values.",
    )
    zalo_template_status = fields.Selection(related='zalo_template_id.status', string="ZNS Template Status")
    zalo_template_preview_url = fields.Char(related='zalo_template_id.preview_url', string="ZNS Preview")

    # === ONCHANGE METHODS === #

    @api.onchange('zalo_template_id')
    def _onchange_zalo_template_id(self):
        if self.zalo_template_id:
            self.provider_template_ref = self.zalo_template_id.template_ref
            self.provider_id = self.provider_id or self.zalo_template_id.provider_id
            self.company_id = self.company_id or self.zalo_template_id.company_id
            self.param_ids = self._zalo_get_param_commands()

    # === ACTION METHODS === #

    def action_zalo_suggest_params(self):
        """Map every parameter of the ZNS template to the order value its name suggests; lines
        already mapped by hand are kept."""
        for template in self:
            if not template.zalo_template_id:
                raise UserError(_("Choose the ZNS template first."))
            template.write({
                'provider_template_ref': template.zalo_template_id.template_ref,
                'param_ids': template._zalo_get_param_commands(),
            })
        return True

    # === BUSINESS METHODS === #

    def _zalo_get_param_commands(self):
        """One parameter line per ZNS parameter: the existing line when there is one, else a line
        with the suggested order value (see ``const.PARAM_SUGGESTIONS``)."""
        self.ensure_one()
        existing = {line.name: line for line in self.param_ids}
        wanted = self.zalo_template_id.param_ids.mapped('name')
        commands = [Command.unlink(line.id) for name, line in existing.items() if name not in wanted and line.id]
        for sequence, zns_param in enumerate(self.zalo_template_id.param_ids, start=1):
            line = existing.get(zns_param.name)
            if line and line.id:
                commands.append(Command.update(line.id, {'sequence': sequence}))
            elif not line:
                value_key = self._zalo_suggest_value_key(zns_param.name)
                if value_key == 'cancel_reason' and self.event == 'delivery_failed':
                    value_key = 'failed_reason'  # a "reason" of a failed delivery is the carrier's
                commands.append(Command.create({
                    'name': zns_param.name,
                    'sequence': sequence,
                    'value_key': value_key,
                }))
        return commands

    @api.model
    def _zalo_suggest_value_key(self, param_name):
        """The order value a ZNS parameter probably wants, from its name (``customer_name``,
        ``ma_don_hang``, ``cod_amount``…), matching whole words (``order_code`` is no COD);
        ``expression`` when nothing fits."""
        plain = unicodedata.normalize('NFKD', param_name or '').replace('đ', 'd').replace('Đ', 'D')
        plain = ''.join(c for c in plain if not unicodedata.combining(c)).lower()
        plain = '_' + re.sub(r'[^a-z0-9]+', '_', plain).strip('_') + '_'
        for words, value_key in const.PARAM_SUGGESTIONS:
            if any(f'_{word}_' in plain for word in words):
                return value_key
        return 'expression'
