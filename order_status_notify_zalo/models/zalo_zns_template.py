# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError
from odoo.addons.order_status_notify_zalo import const, utils

_logger = logging.getLogger(__name__)


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

    # === COMPUTE METHODS === #

    @api.depends('name', 'template_ref')
    def _compute_display_name(self):
        for template in self:
            template.display_name = f"{template.name or ''} [{template.template_ref}]"

    # === BUSINESS METHODS === #

    def _zalo_is_sendable(self):
        self.ensure_one()
        return self.status == 'ENABLE'

    def _zalo_status_label(self):
        self.ensure_one()
        return dict(self._fields['status']._description_selection(self.env)).get(self.status, self.status or _("Unknown"))

    def _zalo_alert_unusable(self, reason):
        """Tell the provider's admins, once per template, that its messages go by the next channel."""
        self.ensure_one()
        self.provider_id._order_notify_alert(
            _("ZNS template %s unusable", self.template_ref), reason, key=f'zns_template_{self.template_ref}',
        )

    # === BUSINESS METHODS: SENDING === #

    def _zalo_prepare_template_data(self, params):
        """``template_data`` checked against this template's parameter definitions, before any
        HTTP call: Zalo refuses the whole message for one bad value and does not say which.

        :raise OrderNotifyError: ``invalid`` naming every missing, too long or malformed parameter;
            the message fails on Zalo and goes by the next channel.
        """
        self.ensure_one()
        template_data, errors = {}, []
        for zns_param in self.param_ids:
            value, error = zns_param._zalo_check_value(params.get(zns_param.name))
            if error:
                errors.append(error)
            elif value:
                template_data[zns_param.name] = value
        if errors:
            # The text of the next channel may carry what the ZNS template cannot.
            raise OrderNotifyError(core_const.ERROR_INVALID, " ".join(errors), code='params', fallback=True)
        return template_data

    def _zalo_describe_params(self, code, template_data):
        """Name the parameters Zalo most likely refused with a payload error ``code`` (it does not
        say which one)."""
        self.ensure_one()
        params = self.param_ids
        if code == -1121:
            suspects = params.filtered(lambda p: p.max_length).sorted(
                lambda p: len(template_data.get(p.name, '')) / p.max_length, reverse=True)
            lengths = ", ".join(f"{p.name} ({len(template_data.get(p.name, ''))}/{p.max_length})" for p in suspects)
            return _("Parameters by length: %s. Synchronize the ZNS templates if Zalo changed them.", lengths or "-")
        if code == -1122:
            suspects = params.filtered(lambda p: not template_data.get(p.name))
        elif code in (-1124, -132, -112):
            suspects = params.filtered(lambda p: p._zalo_kind() != 'string') or params
        else:
            suspects = params
        values = ", ".join(f"{p.name} = “{template_data.get(p.name, '')}”" for p in suspects)
        return _("Parameters concerned: %s. Synchronize the ZNS templates if Zalo changed them.", values or "-")

    # === BUSINESS METHODS: SYNCHRONIZATION === #

    @api.model
    def _zalo_sync_from_provider(self, provider):
        """Read the OA's templates of ``provider`` (list, then detail of each). Templates that
        stopped being usable alert the admins: their messages now go by the next channel.

        :return: the number of templates read
        :raise UserError: when Zalo cannot answer
        """
        provider.ensure_one()
        try:
            refs = self._zalo_fetch_refs(provider)
            details = {ref: self._zalo_fetch_detail(provider, ref) for ref in refs}
        except OrderNotifyError as error:
            raise UserError(str(error.message)) from None
        Template = self.sudo()
        existing = {t.template_ref: t for t in Template.search([('provider_id', '=', provider.id)])}
        now = fields.Datetime.now()
        for ref, detail in details.items():
            vals = utils.template_vals(detail)
            vals['sync_date'] = now
            template = existing.get(ref)
            was_sendable = template and template._zalo_is_sendable()
            if template:
                template.write(vals)
            else:
                template = Template.create({'provider_id': provider.id, 'template_ref': ref, **vals})
            if was_sendable and not template._zalo_is_sendable():
                status_reason = f" ({template.status_reason})" if template.status_reason else ''
                template._zalo_alert_unusable(_(
                    "Zalo now reports the ZNS template %(template)s as %(status)s%(reason)s: its messages go by the "
                    "next channel until it is enabled again.",
                    template=template.display_name, status=template._zalo_status_label(), reason=status_reason,
                ))
        for ref, template in existing.items():
            if ref not in details and template.status != 'MISSING':
                if template._zalo_is_sendable():
                    template._zalo_alert_unusable(_(
                        "Zalo no longer lists the ZNS template %s: its messages go by the next channel.",
                        template.display_name,
                    ))
                template.write({'status': 'MISSING', 'sync_date': now})
        return len(details)

    @api.model
    def _zalo_fetch_refs(self, provider):
        """The ids of every template of the OA, page by page."""
        refs, offset = [], 0
        while True:
            data = provider._zalo_check_answer(provider._zalo_call(
                'GET', '/template/all', params={'offset': offset, 'limit': const.TEMPLATE_PAGE_SIZE},
            ))
            page_refs, count, total = utils.template_list_page(data)
            refs += page_refs
            offset += count
            if not count or offset >= total:
                return list(dict.fromkeys(refs))

    @api.model
    def _zalo_fetch_detail(self, provider, ref):
        data = provider._zalo_check_answer(provider._zalo_call('GET', '/template/info/v2', params={'template_id': ref}))
        return utils.answer_data(data)

    @api.model
    def _zalo_process_status_event(self, provider, data):
        """Webhook ``change_template_status`` signed by ``provider``: keep the template's status
        fresh between two syncs, alert when it becomes unusable."""
        status = data.get('status') if isinstance(data.get('status'), dict) else {}
        new_status = str(status.get('new_status') or '').upper()
        template = self.sudo().search([
            ('provider_id', '=', provider.id), ('template_ref', '=', str(data.get('template_id') or '')),
        ], limit=1)
        if not template or new_status not in dict(const.TEMPLATE_STATUS_SELECTION):
            return 200, "ignored"
        was_sendable = template._zalo_is_sendable()
        template.write({'status': new_status, 'status_reason': data.get('reason') or False})
        if was_sendable and not template._zalo_is_sendable():
            template._zalo_alert_unusable(_(
                "Zalo changed the ZNS template %(template)s to %(status)s: its messages go by the next channel.",
                template=template.display_name, status=template._zalo_status_label(),
            ))
        return 200, "ok"
