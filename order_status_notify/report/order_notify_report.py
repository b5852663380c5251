# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.tools import SQL

# The figures of the dashboard: the results counted apart, then the "sent" total.
DASHBOARD_RESULTS = ('success', 'failed', 'processing', 'deferred', 'skipped')
# Longest period the per-day chart draws one bar per day for.
DASHBOARD_MAX_DAYS = 370

RESULT_SELECTION = [
    ('success', "Successful"),
    ('failed', "Failed"),
    ('processing', "Processing"),
    ('deferred', "Deferred"),
    ('skipped', "Skipped"),
]


class OrderNotifyReport(models.Model):
    """Order notifications analysis: one row per message, with what the statistics and the cost
    report group and sum.

    A plain SQL view (not a materialized or pre-aggregated one): PostgreSQL pushes the filters
    of a report down to the indexed columns of ``order_notify_message``, so the figures are
    always live and a month of a big log reads only that month's rows.
    """
    _name = 'order.notify.report'
    _description = "Order Notifications Analysis"
    _auto = False
    _rec_name = 'date'
    _order = 'date desc, id desc'

    date = fields.Datetime(string="Created On", readonly=True)
    sent_date = fields.Datetime(string="Sent On", readonly=True)
    sent_day = fields.Date(
        string="Day Sent", readonly=True,
        help="The day the message left, in the shop's timezone: the day the provider bills it.",
    )
    delivered_date = fields.Datetime(string="Delivered On", readonly=True)
    order_id = fields.Many2one(string="Order", comodel_name='sale.order', readonly=True)
    order_user_id = fields.Many2one(
        string="Order Salesperson", comodel_name='res.users', readonly=True,
        help="The current salesperson of the order: who may see this message.",
    )
    partner_id = fields.Many2one(string="Customer", comodel_name='res.partner', readonly=True)
    company_id = fields.Many2one(string="Company", comodel_name='res.company', readonly=True)
    user_id = fields.Many2one(string="Salesperson", comodel_name='res.users', readonly=True)
    team_id = fields.Many2one(string="Sales Team", comodel_name='crm.team', readonly=True)
    event = fields.Selection(
        string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(), readonly=True,
    )
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
        readonly=True,
    )
    provider_id = fields.Many2one(string="Provider", comodel_name='order.notify.provider', readonly=True)
    state = fields.Selection(
        string="Status", selection=lambda self: self.env['order.notify.message']._fields['state'].selection,
        readonly=True,
    )
    result = fields.Selection(
        string="Result", selection=RESULT_SELECTION, readonly=True,
        help="Successful: sent or delivered. Failed: failed or unknown. Processing: queued or being sent. "
             "Deferred: queued for later (sending hours, daily cap, quota, paused provider, retry). "
             "Skipped: skipped or cancelled, never sent.",
    )
    is_deferred = fields.Boolean(string="Deferred", readonly=True)
    is_test = fields.Boolean(string="Test Message", readonly=True)
    phone = fields.Char(string="Phone", readonly=True)
    provider_message_ref = fields.Char(string="Provider Message ID", readonly=True)
    delivered_count = fields.Integer(string="Delivered", readonly=True)
    delivery_rate = fields.Float(
        string="Delivery Rate (%)", aggregator='avg', readonly=True,
        help="Delivered messages out of the messages the provider accepted (sent, delivered, or failed "
             "after sending).",
    )
    segment_count = fields.Integer(string="Segments", readonly=True)
    cost = fields.Monetary(string="Cost", currency_field='currency_id', readonly=True)
    currency_id = fields.Many2one(string="Currency", comodel_name='res.currency', readonly=True)
    cost_source = fields.Selection(
        string="Cost Source",
        selection=lambda self: self.env['order.notify.message']._fields['cost_source'].selection,
        readonly=True,
    )

    _depends = {
        'order.notify.message': [
            'create_date', 'sent_date', 'sent_day', 'delivered_date', 'order_id', 'partner_id', 'company_id', 'user_id',
            'team_id', 'event', 'channel', 'provider_id', 'state', 'is_deferred', 'is_test', 'phone',
            'provider_message_ref', 'segment_count', 'cost', 'currency_id', 'cost_source',
        ],
        'sale.order': ['user_id'],
    }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))
        # The monthly cost pivot reads every billed message: this index holds all it needs, so
        # PostgreSQL answers it from the index alone instead of reading the whole log (contents
        # included). Its predicate matches the "Billed" filter (cost_source in ...).
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS order_notify_message_cost_report_idx
                ON order_notify_message (sent_day, provider_id, channel, currency_id, company_id)
                INCLUDE (segment_count, cost, is_test)
             WHERE cost_source IN ('estimate', 'provider')
        """))

    @api.model
    def _query(self):
        # order_user_id is a scalar subquery, not a join: PostgreSQL only evaluates it for the
        # queries that read it (the salespeople's record rule), and the others can still be
        # answered from an index alone (a removed LEFT JOIN keeps order_id needed).
        return SQL("""
            SELECT m.id,
                   m.create_date AS date,
                   m.sent_date,
                   m.sent_day,
                   m.delivered_date,
                   m.order_id,
                   (SELECT so.user_id FROM sale_order so WHERE so.id = m.order_id) AS order_user_id,
                   m.partner_id,
                   m.company_id,
                   m.user_id,
                   m.team_id,
                   m.event,
                   m.channel,
                   m.provider_id,
                   m.state,
                   CASE
                       WHEN m.state IN ('sent', 'delivered') THEN 'success'
                       WHEN m.state IN ('failed', 'unknown') THEN 'failed'
                       WHEN m.state IN ('skipped', 'cancelled') THEN 'skipped'
                       WHEN m.is_deferred THEN 'deferred'
                       ELSE 'processing'
                   END AS result,
                   COALESCE(m.is_deferred, FALSE) AS is_deferred,
                   COALESCE(m.is_test, FALSE) AS is_test,
                   m.phone,
                   m.provider_message_ref,
                   CASE WHEN m.state = 'delivered' THEN 1 ELSE 0 END AS delivered_count,
                   CASE
                       WHEN m.state = 'delivered' THEN 100.0
                       WHEN m.state = 'sent' OR (m.state IN ('failed', 'unknown') AND m.sent_date IS NOT NULL) THEN 0.0
                   END AS delivery_rate,
                   m.segment_count,
                   m.cost,
                   m.currency_id,
                   m.cost_source
              FROM order_notify_message m
        """)

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_get_period_bounds(self, date_from, date_to):
        """Return the naive UTC datetimes ``[start, end)`` covering the days ``date_from`` to
        ``date_to`` included, in the user's timezone, as Odoo's own date filters do."""
        tz = pytz.timezone(self.env.context.get('tz') or self.env.user.tz or 'UTC')
        start = tz.localize(datetime.combine(date_from, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        end = tz.localize(datetime.combine(date_to + timedelta(days=1), time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return start, end

    @api.model
    def order_notify_get_dashboard(self, date_from=None, date_to=None, channel=False):
        """Everything the notifications dashboard shows, computed here so the page and the
        tests read the same figures: today / this week / this month, and for the chosen
        period (default: this month) the figures, the cost per channel and the messages sent
        per day per channel. Dates are days of the user's timezone; test messages are left
        out; the user's record rules apply (nobody counts what they cannot see).

        :param str date_from: first day of the period (``YYYY-MM-DD``), included
        :param str date_to: last day of the period, included
        :param str channel: only this channel (``zalo``, ``sms``) when set
        """
        today = fields.Date.context_today(self)
        month_start = today.replace(day=1)
        date_from, date_to = self._order_notify_get_dashboard_period(date_from, date_to)
        company = self.env.company
        channel_labels = dict(self._fields['channel']._description_selection(self.env))
        periods = [
            ('today', _("Today"), today, today),
            ('week', _("This week"), today - timedelta(days=today.weekday()), today),
            ('month', _("This month"), month_start, today),
        ]
        period_domain = self._order_notify_get_dashboard_domain(date_from, date_to, channel)
        figures, cost_per_channel = self._order_notify_get_figures(period_domain)
        return {
            'currency': {
                'id': company.currency_id.id,
                'symbol': company.currency_id.symbol,
                'position': company.currency_id.position,
                'digits': company.currency_id.decimal_places,
            },
            'channels': [{'value': value, 'label': label} for value, label in channel_labels.items()],
            'tiles': [
                {'key': key, 'label': label, 'date_from': fields.Date.to_string(start),
                 'date_to': fields.Date.to_string(end),
                 'figures': self._order_notify_get_figures(
                     self._order_notify_get_dashboard_domain(start, end, channel))[0]}
                for key, label, start, end in periods
            ],
            'period': {
                'date_from': fields.Date.to_string(date_from),
                'date_to': fields.Date.to_string(date_to),
                'channel': channel or False,
                'figures': figures,
                'cost_per_channel': [
                    {'channel': key, 'label': channel_labels.get(key, key), 'count': count, 'cost': cost}
                    for key, (count, cost) in sorted(cost_per_channel.items())
                ],
                'per_day': self._order_notify_get_per_day(period_domain, date_from, date_to, channel_labels),
            },
        }

    @api.model
    def order_notify_action_open_period(self, date_from=None, date_to=None, channel=False):
        """The messages of the dashboard's period, in the analysis views (pivot, graph, list)."""
        date_from, date_to = self._order_notify_get_dashboard_period(date_from, date_to)
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_report')
        action.update({
            'domain': self._order_notify_get_dashboard_domain(date_from, date_to, channel),
            'context': {'search_default_filter_orders': 1, 'graph_groupbys': ['date:day', 'channel']},
        })
        return action

    @api.model
    def _order_notify_get_dashboard_period(self, date_from, date_to):
        """The days ``date_from`` to ``date_to`` as dates, this month by default, in order and
        at most ``DASHBOARD_MAX_DAYS`` long."""
        month_start = fields.Date.context_today(self).replace(day=1)
        date_from = fields.Date.to_date(date_from) or month_start
        date_to = fields.Date.to_date(date_to) or (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        return max(date_from, date_to - timedelta(days=DASHBOARD_MAX_DAYS - 1)), date_to

    @api.model
    def _order_notify_get_dashboard_domain(self, date_from, date_to, channel=False):
        start, end = self._order_notify_get_period_bounds(date_from, date_to)
        domain = [
            ('date', '>=', fields.Datetime.to_string(start)),
            ('date', '<', fields.Datetime.to_string(end)),
            ('is_test', '=', False),
        ]
        if channel:
            domain.append(('channel', '=', channel))
        return domain

    @api.model
    def _order_notify_get_figures(self, domain):
        """Return the figures of the messages of ``domain`` and their cost per channel.

        The delivery rate only counts the messages of providers that report delivery (see
        ``order.notify.provider._order_notify_reports_delivery``): a message of a provider that
        never reports delivery would count as "not delivered" forever. It is ``None`` when no
        such message was accepted, so the page shows "no data" rather than a false 0 %.
        """
        company = self.env.company
        today = fields.Date.context_today(self)
        counts = dict.fromkeys(DASHBOARD_RESULTS, 0)
        cost_per_channel = {}
        delivered = accepted = 0
        provider_reports = {}
        for result, channel, provider, currency, count, cost, delivered_count, accepted_count in self._read_group(
            domain, ['result', 'channel', 'provider_id', 'currency_id'],
            ['__count', 'cost:sum', 'delivered_count:sum', 'delivery_rate:count'],
        ):
            counts[result] += count
            if cost and currency and currency != company.currency_id:
                cost = currency._convert(cost, company.currency_id, company, today)
            if result in ('success', 'failed', 'processing'):
                channel_count, channel_cost = cost_per_channel.get(channel, (0, 0.0))
                cost_per_channel[channel] = (channel_count + count, channel_cost + (cost or 0.0))
            elif cost:
                channel_count, channel_cost = cost_per_channel.get(channel, (0, 0.0))
                cost_per_channel[channel] = (channel_count, channel_cost + cost)
            if provider not in provider_reports:
                provider_reports[provider] = bool(provider) and provider.sudo()._order_notify_reports_delivery()
            if provider_reports[provider]:
                delivered += delivered_count or 0
                accepted += accepted_count or 0
        figures = {
            'sent': counts['success'] + counts['failed'] + counts['processing'],
            'delivered': delivered,
            **counts,
            'cost': sum(cost for _count, cost in cost_per_channel.values()),
            'delivery_rate': round(100.0 * delivered / accepted, 1) if accepted else None,
        }
        return figures, cost_per_channel

    @api.model
    def _order_notify_get_per_day(self, domain, date_from, date_to, channel_labels):
        """Messages sent (successful, failed or processing) per day of the period and channel,
        every day of the period present, for the chart of the dashboard."""
        days = [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
        series = {}
        for day, channel, count in self._read_group(
            domain + [('result', 'in', ('success', 'failed', 'processing'))],
            ['date:day', 'channel'], ['__count'],
        ):
            day = day.date() if isinstance(day, datetime) else day
            series.setdefault(channel, {})[day] = count
        return {
            'days': [fields.Date.to_string(day) for day in days],
            'series': [
                {'channel': key, 'label': channel_labels.get(key, key),
                 'counts': [series[key].get(day, 0) for day in days]}
                for key in sorted(series)
            ],
        }
