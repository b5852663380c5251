# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class OrderNotifyCostSummary(models.TransientModel):
    """Ask the period (and company) of the printable cost summary: what the accountant checks a
    provider's monthly invoice against. Defaults to the current month: the accountant follows
    the costs during the month and changes the dates for last month's invoice."""
    _name = 'order.notify.cost.summary'
    _description = "Order Notifications Cost Summary"

    def _default_date_from(self):
        return fields.Date.context_today(self).replace(day=1)

    def _default_date_to(self):
        return fields.Date.context_today(self).replace(day=1) + relativedelta(months=1, days=-1)

    date_from = fields.Date(string="From", required=True, default=_default_date_from)
    date_to = fields.Date(string="To", required=True, default=_default_date_to)
    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', required=True, default=lambda self: self.env.company,
    )

    # === CONSTRAINT METHODS === #

    @api.constrains('date_from', 'date_to')
    def _check_dates(self):
        for summary in self:
            if summary.date_from > summary.date_to:
                raise UserError(_("The start of the period must be before its end."))

    # === ACTION METHODS === #

    def action_print(self):
        self.ensure_one()
        action = self.env.ref('order_status_notify.action_report_order_notify_cost_summary').report_action(self)
        action['close_on_report_download'] = True  # the dialog closes once the PDF is downloaded
        return action

    # === BUSINESS METHODS === #

    def _get_domain(self):
        """The billed messages of the period (days sent in the shop's timezone): what the
        providers invoice, test messages included (a test message sent through a real account
        is charged too)."""
        self.ensure_one()
        return [
            ('cost_source', 'in', ('estimate', 'provider')),
            ('sent_day', '>=', self.date_from),
            ('sent_day', '<=', self.date_to),
            ('company_id', '=', self.company_id.id),
        ]

    def _get_lines(self):
        """Totals per provider, channel and currency, then per channel and per currency."""
        self.ensure_one()
        lines = []
        for provider, channel, currency, count, segments, cost in self.env['order.notify.report']._read_group(
            self._get_domain(), ['provider_id', 'channel', 'currency_id'], ['__count', 'segment_count:sum', 'cost:sum'],
            order='provider_id, channel, currency_id',
        ):
            lines.append({
                'provider': provider, 'channel': channel, 'currency': currency,
                'count': count, 'segments': segments, 'cost': cost,
            })
        by_channel, by_currency = {}, {}
        for line in lines:
            for totals, key in ((by_channel, (line['channel'], line['currency'])), (by_currency, line['currency'])):
                total = totals.setdefault(key, {'count': 0, 'segments': 0, 'cost': 0.0})
                total['count'] += line['count']
                total['segments'] += line['segments']
                total['cost'] += line['cost']
        channels = dict(self.env['order.notify.report']._fields['channel']._description_selection(self.env))
        return {
            'lines': lines,
            'channel_totals': [
                {'channel': channel, 'channel_label': channels.get(channel, channel), 'currency': currency, **total}
                for (channel, currency), total in sorted(by_channel.items(), key=lambda i: (i[0][0] or '', i[0][1].id))
            ],
            'currency_totals': [
                {'currency': currency, **total} for currency, total in sorted(by_currency.items(), key=lambda i: i[0].id)
            ],
            'channel_labels': channels,
        }
