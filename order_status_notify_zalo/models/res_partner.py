# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields, models

from odoo.addons.order_status_notify_zalo import const


class ResPartner(models.Model):
    _inherit = 'res.partner'

    zalo_unreachable_phone = fields.Char(
        string="Phone Without Zalo", copy=False, readonly=True,
        help="The phone number Zalo last said cannot receive ZNS (no Zalo account, or ZNS refused).",
    )
    zalo_unreachable_date = fields.Datetime(
        string="No Zalo Since", copy=False, readonly=True,
        help="For a few weeks after this date, messages to this phone go straight to SMS.",
    )

    def _zalo_is_known_unreachable(self, phone):
        """Whether Zalo recently said that ``phone`` (E.164) of this partner cannot get ZNS.
        The memory is tied to the number (a new number is tried again) and expires."""
        self.ensure_one()
        if not phone or self.zalo_unreachable_phone != phone or not self.zalo_unreachable_date:
            return False
        return self.zalo_unreachable_date > fields.Datetime.now() - timedelta(days=const.NO_ZALO_MEMORY_DAYS)

    def _zalo_remember_unreachable(self, phone):
        self.sudo().write({'zalo_unreachable_phone': phone, 'zalo_unreachable_date': fields.Datetime.now()})
