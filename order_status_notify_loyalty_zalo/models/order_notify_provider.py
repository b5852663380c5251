# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models


class OrderNotifyProvider(models.Model):
    _inherit = 'order.notify.provider'

    def _zalo_process_other_event(self, provider, event, data):
        """``user_feedback``: a buyer answered a rating template (signature and age already
        checked by ``_zalo_process_webhook``)."""
        if event == 'user_feedback':
            return self.env['order.notify.message'].sudo()._zalo_process_feedback_event(provider, data)
        return super()._zalo_process_other_event(provider, event, data)
