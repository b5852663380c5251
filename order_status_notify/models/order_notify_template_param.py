# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models

from odoo.addons.order_status_notify import const


class OrderNotifyTemplateParam(models.Model):
    """One parameter of a provider-approved template and the order value that feeds it.

    An expression is rendered by its template (``mail.render.mixin``), so it follows the same
    rule as the template's text: order values and Odoo's allowed field paths for everyone, any
    other code only for members of *Mail Template Editor* (checked when saved and when rendered).
    """
    _name = 'order.notify.template.param'
    _description = "Order Notification Template Parameter"
    _order = 'sequence, id'
    _check_company_auto = True

    template_id = fields.Many2one(comodel_name='order.notify.template', required=True, ondelete='cascade')
    company_id = fields.Many2one(
        related='template_id.company_id', store=True, index=True,
        help="The company of the template: its record rule keeps other companies out.",
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Parameter", required=True, help="The parameter's name in the provider template.")
    value_key = fields.Selection(
        string="Order Value", selection=const.VALUE_KEYS + [('expression', "Expression")],
        default='order_ref',
    )
    expression = fields.Char(
        string="Expression",
        help="Used when the order value is 'Expression', e.g. {{ customer_name }} ({{ order_ref }}). Other code "
             "than order values needs the Mail Template Editor group.",
    )

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        params = super().create(vals_list)
        params.template_id._order_notify_check_dynamic_code()
        return params

    def write(self, vals):
        res = super().write(vals)
        self.template_id._order_notify_check_dynamic_code()
        return res

    # === BUSINESS METHODS === #

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
