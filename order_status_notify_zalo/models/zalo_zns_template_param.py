# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re
import unicodedata
from datetime import datetime

from odoo import _, fields, models

from odoo.addons.order_status_notify_zalo import const


class ZaloZnsTemplateParam(models.Model):
    """One parameter of a ZNS template (``listParams[]`` of the template detail API)."""
    _name = 'zalo.zns.template.param'
    _description = "Zalo ZNS Template Parameter"
    _order = 'zns_template_id, sequence, id'

    zns_template_id = fields.Many2one(
        string="ZNS Template", comodel_name='zalo.zns.template', required=True, ondelete='cascade', index=True,
    )
    company_id = fields.Many2one(related='zns_template_id.company_id', store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Parameter", required=True, readonly=True)
    param_type = fields.Char(string="Type", readonly=True, help="As Zalo names it: STRING, NUMBER, DATE…")
    required = fields.Boolean(string="Required", readonly=True)
    accept_null = fields.Boolean(string="Accepts Empty", readonly=True)
    max_length = fields.Integer(string="Max Length", readonly=True)
    min_length = fields.Integer(string="Min Length", readonly=True)

    def _zalo_kind(self):
        """'number', 'date' or 'string': Zalo's type names vary between API eras."""
        self.ensure_one()
        kind = (self.param_type or '').upper()
        if 'NUM' in kind or 'AMOUNT' in kind or 'CURRENCY' in kind:
            return 'number'
        if 'DATE' in kind or 'TIME' in kind:
            return 'date'
        return 'string'

    def _zalo_check_value(self, value):
        """Return ``(value to send, error sentence or None)`` for this parameter.

        Vietnamese text is NFC-normalised first: Zalo counts the characters it receives, and a
        decomposed "ễ" is three of them (error -1121)."""
        self.ensure_one()
        value = unicodedata.normalize('NFC', str(value if value not in (None, False) else '')).strip()
        if not value:
            if self.required and not self.accept_null:
                return value, _("The parameter %(param)s is missing: it is required by the ZNS template.",
                                param=self.name)
            return value, None
        kind = self._zalo_kind()
        if kind == 'number':
            number = re.fullmatch(r'(\d+)(?:\.0+)?', value)
            if not number:
                return value, _("The parameter %(param)s must be a whole number without separators, not “%(value)s”.",
                                param=self.name, value=value)
            value = number.group(1)
        elif kind == 'date' and not self._zalo_is_date(value):
            return value, _("The parameter %(param)s must be a date or time Zalo accepts (e.g. 25/12/2025), "
                            "not “%(value)s”.", param=self.name, value=value)
        if self.max_length and len(value) > self.max_length:
            return value, _("The parameter %(param)s is %(length)s characters long, more than the %(max)s allowed: "
                            "“%(value)s”.", param=self.name, length=len(value), max=self.max_length, value=value)
        if self.min_length and len(value) < self.min_length:
            return value, _("The parameter %(param)s is shorter than the %(min)s characters required.",
                            param=self.name, min=self.min_length)
        return value, None

    @staticmethod
    def _zalo_is_date(value):
        for date_format in const.DATE_FORMATS:
            try:
                datetime.strptime(value, date_format)
                return True
            except ValueError:
                continue
        return False
