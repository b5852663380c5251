# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class OrderNotifyRoute(models.Model):
    _inherit = 'order.notify.route'

    @api.model
    def _order_notify_create_defaults(self, companies, channels=None):
        """With the routes of a channel (this addon's install, or a channel addon installed after
        it: ``setup_channel``), the channel's default review request text."""
        routes = super()._order_notify_create_defaults(companies, channels=channels)
        self.env['order.notify.template'].sudo()._order_notify_ensure_review_templates(channels)
        return routes
