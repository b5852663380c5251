# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models

from odoo.addons.order_status_notify_loyalty import const


class OrderNotifyRegistry(models.AbstractModel):
    _inherit = 'order.notify.registry'

    @api.model
    def _get_events(self):
        """The review request: some days after the thank-you, on every channel."""
        events = super()._get_events()
        events.update({code: dict(spec) for code, spec in const.EVENTS.items()})
        return events
