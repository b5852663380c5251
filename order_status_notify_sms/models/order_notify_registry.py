# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class OrderNotifyRegistry(models.AbstractModel):
    _inherit = 'order.notify.registry'

    @api.model
    def _get_channels(self):
        """SMS brandname: reaches every mobile, after Zalo."""
        channels = super()._get_channels()
        channels['sms'] = {'label': _lt("SMS"), 'sequence': 20, 'recipient': 'phone'}
        return channels
