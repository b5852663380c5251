# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    order_notify_tz = fields.Selection(related='company_id.order_notify_tz', readonly=False)
    order_notify_window_start = fields.Float(related='company_id.order_notify_window_start', readonly=False)
    order_notify_window_end = fields.Float(related='company_id.order_notify_window_end', readonly=False)
    order_notify_daily_cap = fields.Integer(related='company_id.order_notify_daily_cap', readonly=False)
    order_notify_webhook_secret = fields.Char(related='company_id.order_notify_webhook_secret', readonly=False)
    order_notify_plan = fields.Selection(related='company_id.order_notify_plan', readonly=False)
    order_notify_cart_delay_hours = fields.Float(related='company_id.order_notify_cart_delay_hours', readonly=False)

    def action_order_notify_rotate_webhook_secret(self):
        self.company_id.action_order_notify_rotate_webhook_secret()
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_order_notify_routes(self):
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_route')
        action['domain'] = [('company_id', '=', self.company_id.id)]
        action['context'] = {'default_company_id': self.company_id.id, 'active_test': False}
        return action
