# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class OrderNotifyRegistry(models.AbstractModel):
    _inherit = 'order.notify.registry'

    @api.model
    def _get_channels(self):
        """Zalo ZNS: the cheapest, tried first; it reaches only buyers with a Zalo account."""
        channels = super()._get_channels()
        channels['zalo'] = {'label': _lt("Zalo ZNS"), 'sequence': 10, 'recipient': 'phone'}
        return channels
