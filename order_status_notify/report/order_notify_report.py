# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL

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
        string="Event", selection=lambda self: self.env['order.notify.message']._fields['event'].selection, readonly=True,
    )
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.provider']._fields['channel'].selection,
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
