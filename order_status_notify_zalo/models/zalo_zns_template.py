# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import _, api, fields, models

from odoo.addons.order_status_notify_zalo import const


class ZaloZnsTemplate(models.Model):
    """A ZNS template of the Official Account, as Zalo last described it (template list and
    detail APIs). Only the provider's sync writes it: the shop designs and gets templates
    approved in Zalo's own console, then maps their parameters in an order notification template.
    """
    _name = 'zalo.zns.template'
    _description = "Zalo ZNS Template"
    _order = 'provider_id, template_ref'
    _rec_names_search = ['name', 'template_ref']
    _check_company_auto = True

    provider_id = fields.Many2one(
        string="Provider", comodel_name='order.notify.provider', required=True, ondelete='cascade', index=True,
        domain="[('code', '=', 'zalo_zns')]",
    )
    company_id = fields.Many2one(related='provider_id.company_id', store=True, index=True)
    template_ref = fields.Char(string="Template ID", required=True, readonly=True)
    name = fields.Char(string="Name", readonly=True)
    status = fields.Selection(
        string="Status", selection=const.TEMPLATE_STATUS_SELECTION, readonly=True,
        help="Only enabled templates can be sent. Templates under review, rejected or disabled by Zalo "
             "(low quality) make their messages go by the next channel.",
    )
    status_reason = fields.Char(string="Status Reason", readonly=True)
    quality = fields.Char(string="Quality", readonly=True)
    tag = fields.Char(
        string="Tag", readonly=True,
        help="The purpose Zalo approved the template for (transaction, customer care, promotion).",
    )
    price = fields.Float(string="Price", readonly=True, help="What Zalo bills for each delivered message (VND).")
    timeout_ms = fields.Integer(
        string="Billing Timeout (ms)", readonly=True, default=const.DEFAULT_TEMPLATE_TIMEOUT_MS,
        help="A message delivered later than this after it was sent is not billed.",
    )
    preview_url = fields.Char(string="Preview", readonly=True)
    param_ids = fields.One2many(
        string="Parameters", comodel_name='zalo.zns.template.param', inverse_name='zns_template_id', readonly=True,
    )
    sync_date = fields.Datetime(string="Last Synchronized", readonly=True)

    _sql_constraints = [
        ('template_ref_uniq', 'unique(provider_id, template_ref)', "A ZNS template is synchronized once per provider."),
    ]

    @api.depends('name', 'template_ref')
    def _compute_display_name(self):
        for template in self:
            template.display_name = f"{template.name or ''} [{template.template_ref}]"

    def _zalo_is_sendable(self):
        self.ensure_one()
        return self.status == 'ENABLE'

    def _zalo_status_label(self):
        self.ensure_one()
        return dict(self._fields['status']._description_selection(self.env)).get(self.status, self.status or _("Unknown"))
