# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models

# The filters of the message search view that show the messages a figure counts.
FIGURE_FILTERS = {
    'sent': ('filter_sent', 'filter_failed', 'filter_processing'),
    'success': ('filter_sent',),
    'failed': ('filter_failed',),
    'processing': ('filter_processing',),
    'deferred': ('filter_deferred',),
    'skipped': ('filter_skipped',),
    'cost': (),
}


class OrderNotifyStatistics(models.TransientModel):
    """The notifications dashboard: Haravan's five figures (sent, successful, failed, processing,
    cost) for a period and filters, with deferred and skipped messages apart. Every figure opens
    the list of the messages it counts; the figures are computed by one grouped query on the
    report view, with the user's record rules, so nobody counts what they cannot see."""
    _name = 'order.notify.statistics'
    _description = "Order Notifications Statistics"

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1)

    def _default_date_to(self):
        return fields.Date.context_today(self).replace(day=1) + relativedelta(months=1, days=-1)

    date_from = fields.Date(string="From", required=True, default=_default_date_from)
    date_to = fields.Date(string="To", required=True, default=_default_date_to)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
    )
    provider_id = fields.Many2one(string="Provider", comodel_name='order.notify.provider')
    event = fields.Selection(
        string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(),
    )
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', domain=lambda self: [('id', 'in', self.env.companies.ids)],
    )
    user_id = fields.Many2one(string="Salesperson", comodel_name='res.users')
    team_id = fields.Many2one(string="Sales Team", comodel_name='crm.team')
    currency_id = fields.Many2one(
        string="Currency", comodel_name='res.currency', compute='_compute_figures',
    )
    sent_count = fields.Integer(
        string="Sent", compute='_compute_figures',
        help="Every message of the period that was not deferred or skipped: successful, failed and processing.",
    )
    success_count = fields.Integer(string="Successful", compute='_compute_figures')
    failed_count = fields.Integer(string="Failed", compute='_compute_figures')
    processing_count = fields.Integer(string="Processing", compute='_compute_figures')
    deferred_count = fields.Integer(string="Deferred", compute='_compute_figures')
    skipped_count = fields.Integer(string="Skipped", compute='_compute_figures')
    cost = fields.Monetary(
        string="Cost", currency_field='currency_id', compute='_compute_figures',
        help="What the messages of the period cost, in the currency of the current company.",
    )
    delivery_rate = fields.Float(
        string="Delivery Rate (%)", compute='_compute_figures',
        help="Delivered messages out of the messages the provider accepted.",
    )

    # === COMPUTE METHODS === #

    @api.depends('date_from', 'date_to', 'channel', 'provider_id', 'event', 'company_id', 'user_id', 'team_id')
    @api.depends_context('uid', 'allowed_company_ids')
    def _compute_figures(self):
        Report = self.env['order.notify.report']
        for stats in self:
            company = self.env.company
            stats.currency_id = company.currency_id
            if not stats.date_from or not stats.date_to:
                stats.update(dict.fromkeys(
                    ('sent_count', 'success_count', 'failed_count', 'processing_count', 'deferred_count',
                     'skipped_count', 'cost', 'delivery_rate'), 0,
                ))
                continue
            counts = dict.fromkeys(('success', 'failed', 'processing', 'deferred', 'skipped'), 0)
            cost = 0.0
            today = fields.Date.context_today(stats)
            for result, currency, count, amount in Report._read_group(
                stats._get_domain('date'), ['result', 'currency_id'], ['__count', 'cost:sum'],
            ):
                counts[result] += count
                if amount:
                    cost += currency._convert(amount, stats.currency_id, company, today) if currency else amount
            rate = Report._read_group(
                stats._get_domain('date'), [], ['delivery_rate:avg'],
            )[0][0]
            stats.update({
                'sent_count': counts['success'] + counts['failed'] + counts['processing'],
                'success_count': counts['success'],
                'failed_count': counts['failed'],
                'processing_count': counts['processing'],
                'deferred_count': counts['deferred'],
                'skipped_count': counts['skipped'],
                'cost': cost,
                'delivery_rate': rate or 0.0,
            })

    # === ACTION METHODS === #

    def action_open_messages(self):
        """Open the messages counted by the figure named in the context (``order_notify_figure``),
        with the figure's filter shown in the search bar so the user can widen it."""
        self.ensure_one()
        figure = self.env.context.get('order_notify_figure', 'sent')
        filter_names = FIGURE_FILTERS[figure]
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_message')
        domain = self._get_domain('create_date')
        if figure == 'cost':
            domain.append(('cost_source', 'in', ('estimate', 'provider')))
        action.update({
            'name': self._get_figure_label(figure),
            'domain': domain,
            'context': {'create': False, **{f'search_default_{name}': 1 for name in filter_names}},
        })
        return action

    def action_open_graph(self):
        """Messages per day by channel over the period."""
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_report')
        action.update({
            'domain': self._get_domain('date'),
            'views': [(self.env.ref('order_status_notify.order_notify_report_view_graph').id, 'graph'),
                      (self.env.ref('order_status_notify.order_notify_report_view_pivot').id, 'pivot'),
                      (self.env.ref('order_status_notify.order_notify_report_view_list').id, 'list')],
            'context': {'graph_groupbys': ['date:day', 'channel']},
        })
        return action

    def action_open_delivery_rate(self):
        """Delivery rate per channel and per event over the period."""
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_report')
        action.update({
            'name': _("Delivery Rate"),
            'domain': self._get_domain('date'),
            'views': [(self.env.ref('order_status_notify.order_notify_report_view_pivot').id, 'pivot'),
                      (self.env.ref('order_status_notify.order_notify_report_view_graph').id, 'graph'),
                      (self.env.ref('order_status_notify.order_notify_report_view_list').id, 'list')],
            'context': {
                'pivot_row_groupby': ['channel'],
                'pivot_column_groupby': ['event'],
                'pivot_measures': ['delivery_rate', '__count'],
            },
        })
        return action

    # === BUSINESS METHODS === #

    def _get_domain(self, date_field):
        """The messages of the period and filters (test messages excluded), on the message model
        (``create_date``) or on the report view (``date``)."""
        self.ensure_one()
        start, end = self.env['order.notify.report']._order_notify_get_period_bounds(self.date_from, self.date_to)
        domain = [
            (date_field, '>=', fields.Datetime.to_string(start)),
            (date_field, '<', fields.Datetime.to_string(end)),
            ('is_test', '=', False),
        ]
        for fname in ('channel', 'event'):
            if self[fname]:
                domain.append((fname, '=', self[fname]))
        for fname in ('provider_id', 'company_id', 'user_id', 'team_id'):
            if self[fname]:
                domain.append((fname, '=', self[fname].id))
        return domain

    def _get_figure_label(self, figure):
        if figure == 'cost':
            return _("Billed Messages")
        return self._fields[f'{figure}_count'].get_description(self.env)['string']
