# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class OrderNotifyRegistry(models.AbstractModel):
    _inherit = 'order.notify.registry'

    @api.model
    def _get_channels(self):
        """Messenger: free, but it reaches only buyers who linked their Messenger to the Page
        (``psid``, a page-scoped id) and wrote to it in the last 24 hours. After SMS by default: a
        buyer on Zalo or with a mobile is reached there whatever the window; before e-mail, which
        buyers read last."""
        channels = super()._get_channels()
        channels['messenger'] = {'label': _lt("Messenger"), 'sequence': 25, 'recipient': 'psid'}
        return channels
