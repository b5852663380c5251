# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_status_notify import const


class OrderNotifyTemplate(models.Model):
    """What to say to the buyer for one event on one channel.

    Text channels (SMS) use ``body``, rendered by ``mail.render.mixin`` on the sale order with the
    order values (``{{ customer_name }}``, ``{{ tracking_ref }}``…) as variables. Channels whose
    provider keeps approved templates (Zalo ZNS) use ``provider_template_ref`` and one parameter
    line per template parameter, each fed by an order value or an expression.
    """
    _name = 'order.notify.template'
    _description = "Order Notification Template"
    _inherit = ['mail.render.mixin']
    _order = 'event_sequence, channel, sequence, id'
    _check_company_auto = True
    _unrestricted_rendering = True

    name = fields.Char(string="Name", required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    event = fields.Selection(
        string="Event", selection=const.EVENT_SELECTION,
        required=True,
    )
    event_sequence = fields.Integer(compute='_compute_event_sequence', store=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.provider']._fields['channel'].selection,
        required=True,
    )
    provider_id = fields.Many2one(
        string="Provider", comodel_name='order.notify.provider', check_company=True,
        domain="[('channel', '=', channel)]",
        help="Leave empty to use this template with every provider of the channel.",
    )
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', index=True,
        help="Leave empty to share this template between companies.",
    )
    body = fields.Text(
        string="Text", translate=True,
        help="The message for text channels. Order values are written {{ customer_name }}, "
             "{{ order_ref }}, {{ amount_total }}, {{ tracking_ref }}, {{ cod_amount }}…; "
             "{{ object }} is the sale order.",
    )
    provider_template_ref = fields.Char(
        string="Provider Template ID",
        help="The id of the template approved at the provider (e.g. a ZNS template id).",
    )
    param_ids = fields.One2many(
        string="Parameters", comodel_name='order.notify.template.param', inverse_name='template_id',
        copy=True,
    )
    # Preview
    preview_order_id = fields.Many2one(
        string="Preview on Order", comodel_name='sale.order', store=False,
        compute='_compute_preview_order_id', readonly=False,
    )
    preview_content = fields.Text(string="Preview", compute='_compute_preview')
    preview_params = fields.Text(string="Preview of Parameters", compute='_compute_preview')

    # === COMPUTE METHODS === #

    @api.depends('event')
    def _compute_event_sequence(self):
        for template in self:
            template.event_sequence = const.EVENTS.get(template.event, {}).get('sequence', 100)

    def _compute_render_model(self):
        self.render_model = 'sale.order'

    def _compute_preview_order_id(self):
        last_order = self.env['sale.order'].search([('state', '=', 'sale')], order='id desc', limit=1)
        for template in self:
            template.preview_order_id = template.preview_order_id or last_order

    @api.depends('preview_order_id', 'body', 'param_ids', 'param_ids.value_key', 'param_ids.expression')
    def _compute_preview(self):
        for template in self:
            template.preview_content = template.preview_params = False
            order = template.preview_order_id
            if not order:
                continue
            try:
                rendered = template._order_notify_render(order._origin or order, template.event)
            except UserError as error:
                template.preview_content = _("Cannot render this template: %s", error)
                continue
            template.preview_content = rendered['content']
            template.preview_params = '\n'.join(f"{k}: {v}" for k, v in rendered['params'].items())

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_find(self, event, channel, provider, company):
        """Return the template to use for a message, the most specific first: this provider's,
        then the channel's; this company's, then the shared ones."""
        templates = self.sudo().search([
            ('event', '=', event),
            ('channel', '=', channel),
            ('provider_id', 'in', (provider.id, False)),
            ('company_id', 'in', (company.id, False)),
        ])
        return templates.sorted(lambda t: (not t.provider_id, not t.company_id, t.sequence, t.id))[:1]

    def _order_notify_render(self, order, event, picking=None):
        """Render this template on ``order``.

        :return: ``{'content': str, 'params': {name: str}}``; ``content`` is the text of text
                 channels (or a readable summary for template channels), ``params`` the values
                 of the provider template's parameters.
        :raise UserError: when an expression cannot be rendered.
        """
        self.ensure_one()
        values = order._order_notify_get_values(event, picking=picking)
        content = ''
        if self.body:
            content = self._render_field('body', order.ids, compute_lang=True, add_context=values)[order.id]
        params = {param.name: param._order_notify_render_value(order, values) for param in self.param_ids}
        return {'content': content.strip(), 'params': params}


class OrderNotifyTemplateParam(models.Model):
    """One parameter of a provider-approved template and the order value that feeds it."""
    _name = 'order.notify.template.param'
    _description = "Order Notification Template Parameter"
    _order = 'sequence, id'

    template_id = fields.Many2one(comodel_name='order.notify.template', required=True, ondelete='cascade')
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Parameter", required=True, help="The parameter's name in the provider template.")
    value_key = fields.Selection(
        string="Order Value", selection=const.VALUE_KEYS + [('expression', "Expression")],
        default='order_ref',
    )
    expression = fields.Char(
        string="Expression",
        help="Used when the order value is 'Expression', e.g. {{ object.partner_id.city }}.",
    )

    def _order_notify_render_value(self, order, values):
        """Return the text value of this parameter for ``order`` (channel addons may convert
        it further to their provider's types)."""
        self.ensure_one()
        if self.value_key == 'expression':
            rendered = self.template_id._render_template(
                self.expression or '', 'sale.order', order.ids, add_context=values,
            )
            return rendered[order.id].strip()
        value = values.get(self.value_key)
        return '' if value in (None, False) else str(value)
