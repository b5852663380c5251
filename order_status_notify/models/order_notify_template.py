# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import ast
import functools
from functools import reduce

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools.rendering_tools import parse_inline_template
from odoo.tools.safe_eval import safe_eval

from odoo.addons.order_status_notify import const

# What an expression made of order values may contain: names, constants, ``+``, ``a if b else c``,
# ``and`` / ``or`` / ``not`` and comparisons. No attribute, call or subscript: nothing reaches
# the database or Python, so anyone who may edit templates may write it.
_VALUE_EXPRESSION_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Constant, ast.BinOp, ast.Add, ast.IfExp, ast.BoolOp, ast.And,
    ast.Or, ast.UnaryOp, ast.Not, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
)


@functools.lru_cache(maxsize=1024)
def _is_value_expression(expression, names):
    """Whether ``expression`` only combines the order values ``names``: parsed once per
    expression (a template renders the same few expressions on every order)."""
    try:
        tree = ast.parse(expression, mode='eval')
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _VALUE_EXPRESSION_NODES):
            return False
        if isinstance(node, ast.Name) and node.id not in names:
            return False
        if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
            return False
    return True


class OrderNotifyTemplate(models.Model):
    """What to say to the buyer for one event on one channel.

    Text channels (SMS) use ``body``, rendered by ``mail.render.mixin`` on the sale order with the
    order values (``{{ customer_name }}``, ``{{ tracking_ref }}``…) as variables. Channels whose
    provider keeps approved templates (Zalo ZNS) use ``provider_template_ref`` and one parameter
    line per template parameter, each fed by an order value or an expression.

    Rendering is restricted as ``mail.render.mixin`` restricts it (no ``_unrestricted_rendering``):
    order values (``{{ customer_name }}``, ``{{ ' qua ' + carrier if carrier else '' }}``) and
    Odoo's allowed field paths are rendered without evaluating code, for anyone; any other
    expression (``{{ object.partner_id.city }}``) is code, which only members of *Mail Template
    Editor* may save or render. The dispatcher renders as the superuser, so the check when a
    template or one of its parameters is saved is what keeps code out of non-editors' hands.
    """
    _name = 'order.notify.template'
    _description = "Order Notification Template"
    _inherit = ['mail.render.mixin']
    _order = 'event_sequence, channel, sequence, id'
    _check_company_auto = True

    name = fields.Char(string="Name", required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    event = fields.Selection(
        string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(),
        required=True,
    )
    event_sequence = fields.Integer(compute='_compute_event_sequence', store=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
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
    subject = fields.Char(
        string="Subject", translate=True,
        help="The subject of e-mails; order values work as in the text.",
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
    preview_phone = fields.Text(
        string="On the Phone", compute='_compute_preview',
        help="The message as the buyer's phone shows it: the SMS text as sent, or the ZNS template's layout "
             "filled with the values.",
    )
    preview_char_count = fields.Integer(string="Length (characters)", compute='_compute_preview')
    preview_segment_count = fields.Integer(string="Messages Billed", compute='_compute_preview')
    preview_cost = fields.Monetary(string="Cost per Message", currency_field='preview_currency_id', compute='_compute_preview')
    preview_currency_id = fields.Many2one(comodel_name='res.currency', compute='_compute_preview')
    insert_value_key = fields.Selection(
        string="Insert Value", selection=const.VALUE_KEYS, store=False,
        help="Pick an order value to insert it in the text where the cursor is.",
    )

    # === COMPUTE METHODS === #

    @api.depends('event')
    def _compute_event_sequence(self):
        for template in self:
            template.event_sequence = self.env['order.notify.registry']._get_event(template.event)['sequence']

    def _compute_render_model(self):
        self.render_model = 'sale.order'

    def _compute_preview_order_id(self):
        last_order = self.env['sale.order'].search([('state', '=', 'sale')], order='id desc', limit=1)
        for template in self:
            template.preview_order_id = template.preview_order_id or last_order

    @api.depends('preview_order_id', 'body', 'param_ids', 'param_ids.value_key', 'param_ids.expression',
                 'channel', 'provider_id')
    def _compute_preview(self):
        for template in self:
            template.update({
                'preview_content': False, 'preview_params': False, 'preview_phone': False,
                'preview_char_count': 0, 'preview_segment_count': 0, 'preview_cost': 0.0,
                'preview_currency_id': False,
            })
            order = template.preview_order_id
            if not order:
                continue
            try:
                rendered = template._order_notify_render(order._origin or order, template.event)
            except (UserError, AccessError) as error:
                template.preview_content = _("Cannot render this template: %s", error)
                continue
            template.preview_content = rendered['content']
            template.preview_params = '\n'.join(f"{k}: {v}" for k, v in rendered['params'].items())
            provider = template.provider_id or self.env['order.notify.provider']._order_notify_get_available(
                template.channel, template.company_id or self.env.company,
            )
            if provider:
                estimate = provider.sudo()._order_notify_estimate(
                    rendered['content'], rendered['params'], template._origin or template,
                )
                template.update({
                    'preview_phone': estimate['text'],
                    'preview_char_count': estimate['char_count'],
                    'preview_segment_count': estimate['segment_count'],
                    'preview_cost': estimate['cost'],
                    'preview_currency_id': provider.currency_id.id,
                })

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        templates = super().create(vals_list)
        templates._order_notify_check_dynamic_code()
        self.env.registry.clear_cache()  # _order_notify_find
        return templates

    def write(self, vals):
        res = super().write(vals)
        if {'body', 'subject', 'param_ids'} & set(vals):
            self._order_notify_check_dynamic_code()
        if {'event', 'channel', 'provider_id', 'company_id', 'active', 'sequence'} & set(vals):
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def _update_field_translations(self, fname, translations, digest=None, source_lang=None):
        res = super()._update_field_translations(fname, translations, digest=digest, source_lang=source_lang)
        for lang in translations:
            self.with_context(lang=lang)._order_notify_check_dynamic_code()
        return res

    # === RENDERING (mail.render.mixin) === #

    @api.model
    def _order_notify_value_names(self):
        """The names of the order values a template may use (see ``sale.order._order_notify_get_values``):
        each key of ``const.VALUE_KEYS`` and its raw ``<key>_value``. Addons adding values extend it."""
        names = {key for key, _label in const.VALUE_KEYS}
        return names | {f'{name}_value' for name in names}

    @api.model
    def _order_notify_is_value_expression(self, expression):
        """Whether ``expression`` only combines order values (see ``_VALUE_EXPRESSION_NODES``)."""
        return _is_value_expression(expression.strip(), frozenset(self._order_notify_value_names()))

    @api.model
    def _has_unsafe_expression_template_inline_template(self, template_txt, model):
        """Order values are not code: only the other expressions need the template editor group."""
        if template_txt:
            expressions = [inst[1] for inst in parse_inline_template(str(template_txt)) if inst[1]]
            if all(
                self._order_notify_is_value_expression(expression)
                or self.env['ir.qweb']._is_expression_allowed(expression, model)
                for expression in expressions
            ):
                return False
        return super()._has_unsafe_expression_template_inline_template(template_txt, model)

    @api.model
    def _render_template_inline_template(self, template_txt, model, res_ids, add_context=None, options=None):
        """Render order values and allowed field paths without evaluating code; hand anything else
        to the mixin, which refuses it to whoever is not a template editor."""
        if not template_txt or not res_ids or self._has_unsafe_expression_template_inline_template(
                str(template_txt), model):
            return super()._render_template_inline_template(
                template_txt, model, res_ids, add_context=add_context, options=options,
            )
        instructions = parse_inline_template(str(template_txt))
        values = dict(add_context or {})
        results = {}
        for record in self.env[model].browse(res_ids):
            parts = []
            for string, expression, default in instructions:
                parts.append(string)
                if not expression:
                    continue
                name = expression.strip()
                if name in values and name.isidentifier():
                    value = values[name]  # a plain value: what safe_eval would give, without compiling it
                elif self._order_notify_is_value_expression(expression):
                    try:
                        value = safe_eval(name, dict(values))
                    except Exception as error:  # noqa: BLE001 - a missing value is the shop's typo
                        raise UserError(_("Cannot render %(expression)s: %(error)s", expression=expression, error=error)) from None
                else:
                    value = reduce(lambda rec, fname: rec[fname], expression.strip().split('.')[1:], record)
                value = value or default
                if value:
                    parts.append(str(value))
            results[record.id] = ''.join(parts)
        return results

    def _order_notify_check_dynamic_code(self):
        """Refuse to save code in the text or the parameters of a template unless the user is a
        template editor (Odoo's rule for ``mail.template``, applied to what we render)."""
        if self.env.su or self.env.user.has_group('mail.group_mail_template_editor'):
            return
        for template in self.sudo():
            sources = [template.body, template.subject] + [
                param.expression for param in template.param_ids if param.value_key == 'expression'
            ]
            if any(self._has_unsafe_expression_template_inline_template(src, 'sale.order') for src in sources if src):
                group = self.env.ref('mail.group_mail_template_editor')
                raise AccessError(_(
                    "Only members of %(group)s may write code in notification templates: use order values such as "
                    "{{ customer_name }} or {{ order_ref }}.", group=group.name,
                ))

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_find(self, event, channel, provider, company):
        """Return the template to use for a message, the most specific first: this provider's,
        then the channel's; this company's, then the shared ones."""
        return self.sudo().browse(self._order_notify_find_id(event, channel, provider.id, company.id))

    @api.model
    @tools.ormcache('event', 'channel', 'provider_id', 'company_id')
    def _order_notify_find_id(self, event, channel, provider_id, company_id):
        """Asked for every message: kept in the registry's cache, cleared when a template is
        created, deleted, archived or moved."""
        templates = self.sudo().with_context(active_test=True).search([
            ('event', '=', event),
            ('channel', '=', channel),
            ('provider_id', 'in', (provider_id, False)),
            ('company_id', 'in', (company_id, False)),
        ])
        return templates.sorted(lambda t: (not t.provider_id, not t.company_id, t.sequence, t.id))[:1].id

    def _order_notify_render(self, order, event, picking=None):
        """Render this template on ``order``.

        :return: ``{'content': str, 'params': {name: str}, 'subject': str}``; ``content`` is
                 the text of text channels (or a readable summary for template channels),
                 ``params`` the values of the provider template's parameters, ``subject`` the
                 e-mail subject (empty when the template has none).
        :raise UserError: when an expression cannot be rendered.
        """
        self.ensure_one()
        values = order._order_notify_get_values(event, picking=picking)
        content = ''
        if self.body:
            content = self._render_field('body', order.ids, compute_lang=True, add_context=values)[order.id]
        subject = ''
        if self.subject:
            subject = self._render_field('subject', order.ids, compute_lang=True, add_context=values)[order.id]
        params = {param.name: param._order_notify_render_value(order, values) for param in self.param_ids}
        return {'content': content.strip(), 'params': params, 'subject': ' '.join(subject.split())}
