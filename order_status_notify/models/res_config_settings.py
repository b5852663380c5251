# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.order_status_notify import const


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    order_notify_tz = fields.Selection(related='company_id.order_notify_tz', readonly=False)
    order_notify_window_start = fields.Float(related='company_id.order_notify_window_start', readonly=False)
    order_notify_window_end = fields.Float(related='company_id.order_notify_window_end', readonly=False)
    order_notify_daily_cap = fields.Integer(related='company_id.order_notify_daily_cap', readonly=False)
    order_notify_webhook_secret = fields.Char(related='company_id.order_notify_webhook_secret', readonly=False)
    order_notify_ghn_api_token = fields.Char(related='company_id.order_notify_ghn_api_token', readonly=False)
    order_notify_ghtk_api_token = fields.Char(related='company_id.order_notify_ghtk_api_token', readonly=False)
    order_notify_ghn_webhook_url = fields.Char(
        string="GHN Webhook URL", compute='_compute_order_notify_carrier_webhook_urls', groups='base.group_system',
    )
    order_notify_ghtk_webhook_url = fields.Char(
        string="GHTK Webhook URL", compute='_compute_order_notify_carrier_webhook_urls', groups='base.group_system',
    )

    @api.depends('company_id')
    def _compute_order_notify_carrier_webhook_urls(self):
        """The URLs to register with GHN and GHTK: they carry the company's secret for each."""
        for settings in self:
            company = settings.company_id.sudo()
            base_url = company.get_base_url()
            settings.order_notify_ghn_webhook_url = company.order_notify_ghn_webhook_token and (
                f"{base_url}/order_status_notify/carrier/ghn?{url_encode({'token': company.order_notify_ghn_webhook_token})}"
            )
            settings.order_notify_ghtk_webhook_url = company.order_notify_ghtk_webhook_token and (
                f"{base_url}/order_status_notify/carrier/ghtk?{url_encode({'hash': company.order_notify_ghtk_webhook_token})}"
            )
    order_notify_plan = fields.Selection(related='company_id.order_notify_plan', readonly=False)
    order_notify_cart_delay_hours = fields.Float(related='company_id.order_notify_cart_delay_hours', readonly=False)
    order_notify_dispatch_shards = fields.Integer(
        string="Dispatcher Jobs", config_parameter='order_status_notify.dispatch_shards', default=1,
    )

    @api.constrains('order_notify_dispatch_shards')
    def _check_order_notify_dispatch_shards(self):
        for settings in self:
            if not 1 <= settings.order_notify_dispatch_shards <= const.MAX_DISPATCH_SHARDS:
                raise ValidationError(self.env._(
                    "Between 1 and %s dispatcher jobs.", const.MAX_DISPATCH_SHARDS,
                ))

    def set_values(self):
        super().set_values()
        # One scheduled action per job: the first ones active, the others off.
        Message = self.env['order.notify.message']
        shards = Message._order_notify_get_shards()
        for shard in range(1, const.MAX_DISPATCH_SHARDS):
            cron = Message._order_notify_get_dispatch_cron(shard)
            if cron and cron.active != (shard < shards):
                cron.sudo().active = shard < shards

    def action_order_notify_rotate_webhook_secret(self):
        self.company_id.action_order_notify_rotate_webhook_secret()
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_order_notify_rotate_ghn_webhook_token(self):
        self.company_id.action_order_notify_rotate_webhook_secret(carrier='ghn')
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_order_notify_rotate_ghtk_webhook_token(self):
        self.company_id.action_order_notify_rotate_webhook_secret(carrier='ghtk')
        return {'type': 'ir.actions.client', 'tag': 'reload'}

    def action_order_notify_routes(self):
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_route')
        action['domain'] = [('company_id', '=', self.company_id.id)]
        action['context'] = {'default_company_id': self.company_id.id, 'active_test': False}
        return action
