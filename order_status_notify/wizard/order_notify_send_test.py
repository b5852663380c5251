# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from odoo.addons.order_status_notify.utils import normalize_mobile


class OrderNotifySendTest(models.TransientModel):
    """Send one real message now, to a phone the admin chooses, to check a provider or a
    template. It is logged (and billed) like any message, flagged as a test."""
    _name = 'order.notify.send.test'
    _description = "Send a Test Order Notification"

    provider_id = fields.Many2one(comodel_name='order.notify.provider', string="Provider", required=True)
    template_id = fields.Many2one(
        comodel_name='order.notify.template', string="Template", required=True,
        domain="[('channel', '=', channel)]",
    )
    channel = fields.Selection(related='provider_id.channel')
    order_id = fields.Many2one(
        comodel_name='sale.order', string="Sample Order", required=True,
        default=lambda self: self.env['sale.order'].search([('state', '=', 'sale')], order='id desc', limit=1),
        help="The order whose values fill the template.",
    )
    phone = fields.Char(string="Send To", required=True)

    @api.onchange('provider_id')
    def _onchange_provider_id(self):
        if self.provider_id and (not self.template_id or self.template_id.channel != self.provider_id.channel):
            self.template_id = self.env['order.notify.template'].search(
                [('channel', '=', self.provider_id.channel)], limit=1,
            )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        template = self.env['order.notify.template'].browse(res.get('template_id'))
        if template and not res.get('provider_id'):
            provider = template.provider_id or self.env['order.notify.provider'].search(
                [('channel', '=', template.channel), ('state', '!=', 'disabled')], limit=1,
            )
            res['provider_id'] = provider.id
        return res

    def action_send(self):
        self.ensure_one()
        self.provider_id._order_notify_check_action_rights()
        country = self.order_id.company_id.country_id or self.env.ref('base.vn')
        phone, reason = normalize_mobile(self.phone, country)
        if not phone:
            raise UserError(_("%(phone)s cannot receive messages (%(reason)s).", phone=self.phone, reason=reason))
        # The sample order only lends its values: the test message belongs to no order, so that
        # nothing is written into a real customer's order (chatter, Notifications tab, reports).
        try:
            rendered = self.template_id._order_notify_render(self.order_id, self.template_id.event)
        except UserError as error:
            raise UserError(_("The template cannot be rendered on %(order)s: %(error)s", order=self.order_id.name, error=error))
        Message = self.env['order.notify.message'].sudo()
        message = Message.create({
            'order_name': _("Test"),
            'company_id': self.provider_id.company_id.id,
            'event': self.template_id.event,
            'channel': self.provider_id.channel,
            'provider_id': self.provider_id.id,
            'template_id': self.template_id.id,
            'content': rendered['content'] or False,
            'params': rendered['params'] or False,
            'phone': phone,
            'is_test': True,
            'state': 'sending',
            'idempotency_key': Message._order_notify_new_test_key(),
        })
        message._order_notify_dispatch()
        preview = message.content or message.params_display or ''
        cost = format_amount(self.env, message.cost, message.currency_id) if message.currency_id else ''
        if message.state in ('sent', 'delivered'):
            text, kind = _("Test message sent to %(phone)s (cost: %(cost)s): %(preview)s", phone=phone, cost=cost, preview=preview), 'success'
        elif message.state == 'queued':
            text, kind = _("Test message queued: %s", message.reason), 'warning'
        else:
            state = dict(message._fields['state']._description_selection(self.env))[message.state]
            text, kind = _("Test message %(state)s: %(reason)s", state=state, reason=message.reason), 'danger'
        action = self.provider_id._order_notify_display_notification(text, kind)
        action['params']['next'] = {'type': 'ir.actions.act_window_close'}
        return action
