# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields, models, tools
from odoo.tools import SQL


class OrderNotifyReturnSummary(models.Model):
    """The return of the messages per month, channel and company, with the ratios a pivot cannot
    compute (average rating, return on the messages' cost): the sums of
    ``order.notify.return.report`` grouped once in SQL."""
    _name = 'order.notify.return.summary'
    _description = "Order Notifications Return per Month and Channel"
    _auto = False
    _rec_name = 'month'
    _order = 'month desc, channel'

    month = fields.Date(string="Month", readonly=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(), readonly=True,
    )
    company_id = fields.Many2one(string="Company", comodel_name='res.company', readonly=True)
    currency_id = fields.Many2one(related='company_id.currency_id', string="Currency")
    message_count = fields.Integer(string="Messages", readonly=True)
    cost = fields.Monetary(string="Cost", currency_field='currency_id', readonly=True)
    rating_count = fields.Integer(string="Ratings", readonly=True)
    rating_avg = fields.Float(string="Average Rating", digits=(3, 2), aggregator=False, readonly=True)
    rating_1 = fields.Integer(string="1 ★", readonly=True)
    rating_2 = fields.Integer(string="2 ★", readonly=True)
    rating_3 = fields.Integer(string="3 ★", readonly=True)
    rating_4 = fields.Integer(string="4 ★", readonly=True)
    rating_5 = fields.Integer(string="5 ★", readonly=True)
    voucher_issued_count = fields.Integer(string="Vouchers Issued", readonly=True)
    voucher_redeemed_count = fields.Integer(string="Vouchers Redeemed", readonly=True)
    redeemed_revenue = fields.Monetary(string="Revenue of Redeeming Orders", currency_field='currency_id', readonly=True)
    return_on_cost = fields.Float(
        string="Return on Cost", digits=(16, 2), aggregator=False, readonly=True,
        help="Revenue of the orders that redeemed a thank-you voucher divided by the cost of the messages: "
             "what each đồng spent on messages brought back. Empty when the messages cost nothing.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("""
            CREATE OR REPLACE VIEW order_notify_return_summary AS (
                SELECT ROW_NUMBER() OVER (ORDER BY month, channel, company_id) AS id, *,
                       CASE WHEN cost > 0 THEN ROUND(redeemed_revenue / cost, 2) END AS return_on_cost
                  FROM (
                    SELECT (date_trunc('month', r.date AT TIME ZONE 'UTC'
                                       AT TIME ZONE COALESCE(c.order_notify_tz, 'Asia/Ho_Chi_Minh')))::date AS month,
                           r.channel, r.company_id,
                           SUM(r.message_count) AS message_count, SUM(r.cost) AS cost,
                           SUM(r.rating_count) AS rating_count, ROUND(AVG(r.rating)::numeric, 2) AS rating_avg,
                           COUNT(*) FILTER (WHERE r.stars = '1') AS rating_1,
                           COUNT(*) FILTER (WHERE r.stars = '2') AS rating_2,
                           COUNT(*) FILTER (WHERE r.stars = '3') AS rating_3,
                           COUNT(*) FILTER (WHERE r.stars = '4') AS rating_4,
                           COUNT(*) FILTER (WHERE r.stars = '5') AS rating_5,
                           SUM(r.voucher_issued_count) AS voucher_issued_count,
                           SUM(r.voucher_redeemed_count) AS voucher_redeemed_count,
                           SUM(r.redeemed_revenue) AS redeemed_revenue
                      FROM order_notify_return_report r
                      JOIN res_company c ON c.id = r.company_id
                     GROUP BY 1, 2, 3
                  ) sums
            )
        """))

    # === ACTION METHODS === #

    def action_open_orders(self):
        """The orders behind this month and channel."""
        self.ensure_one()
        start = datetime.combine(self.month, time.min)
        end = datetime.combine(self.month + relativedelta(months=1), time.min)
        tz = self.company_id._order_notify_local_tz()
        bounds = [tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None) for moment in (start, end)]
        return self.env['order.notify.return.report'].action_order_notify_open_orders([
            ('company_id', '=', self.company_id.id), ('channel', '=', self.channel),
            ('date', '>=', bounds[0]), ('date', '<', bounds[1]),
        ])
