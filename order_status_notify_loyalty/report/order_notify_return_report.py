# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models, tools
from odoo.tools import SQL

KIND_SELECTION = [
    ('message', "Message"),
    ('rating', "Rating"),
    ('voucher_issued', "Voucher issued"),
    ('voucher_redeemed', "Voucher redeemed"),
]
STARS_SELECTION = [('1', "1 star"), ('2', "2 stars"), ('3', "3 stars"), ('4', "4 stars"), ('5', "5 stars")]


class OrderNotifyReturnReport(models.Model):
    """What the messages bring back: one row per fact, each dated and tied to a channel and an
    order, so that the shop owner can group by month and channel and open the orders.

    - ``message``: a message that left (``sent_date``), with its cost;
    - ``rating``: a buyer's rating of an order, on the channel of the review request that asked it;
    - ``voucher_issued``: a thank-you voucher, on the channel of the thank-you that gave it;
    - ``voucher_redeemed``: a confirmed order that used a thank-you voucher, with its revenue, on
      the channel of the thank-you that gave the voucher (``order_id`` is the new order,
      ``source_order_id`` the delivered one).

    Amounts are in the currency of their row (messages: the provider's; orders: the order's):
    a shop selling and paying in one currency (đồng) reads them as they are.
    """
    _name = 'order.notify.return.report'
    _description = "Order Notifications Return"
    _auto = False
    _rec_name = 'date'
    _order = 'date desc, id desc'

    kind = fields.Selection(string="Kind", selection=KIND_SELECTION, readonly=True)
    date = fields.Datetime(string="Date", readonly=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(), readonly=True,
    )
    event = fields.Selection(
        string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(), readonly=True,
    )
    order_id = fields.Many2one(string="Order", comodel_name='sale.order', readonly=True)
    source_order_id = fields.Many2one(
        string="Voucher From Order", comodel_name='sale.order', readonly=True,
        help="The delivered order whose thank-you gave the voucher.",
    )
    partner_id = fields.Many2one(string="Customer", comodel_name='res.partner', readonly=True)
    company_id = fields.Many2one(string="Company", comodel_name='res.company', readonly=True)
    currency_id = fields.Many2one(string="Currency", comodel_name='res.currency', readonly=True)
    message_count = fields.Integer(string="Messages", readonly=True)
    cost = fields.Monetary(string="Cost", currency_field='currency_id', readonly=True)
    rating_count = fields.Integer(string="Ratings", readonly=True)
    rating = fields.Float(string="Average Rating", aggregator='avg', readonly=True)
    stars = fields.Selection(string="Stars", selection=STARS_SELECTION, readonly=True)
    voucher_issued_count = fields.Integer(string="Vouchers Issued", readonly=True)
    voucher_redeemed_count = fields.Integer(string="Vouchers Redeemed", readonly=True)
    redeemed_revenue = fields.Monetary(
        string="Revenue of Redeeming Orders", currency_field='currency_id', readonly=True,
        help="The total of the confirmed orders that used a thank-you voucher.",
    )

    _depends = {
        'order.notify.message': ['sent_date', 'order_id', 'partner_id', 'company_id', 'event', 'channel', 'state',
                                 'is_test', 'cost', 'currency_id'],
        'rating.rating': ['res_model', 'res_id', 'rating', 'consumed', 'partner_id'],
        'sale.order': ['order_notify_voucher_id', 'state', 'amount_total', 'date_order', 'currency_id'],
        'sale.order.line': ['coupon_id', 'order_id'],
        'loyalty.card': ['create_date'],
    }

    def init(self):
        tools.drop_view_if_exists(self.env.cr, 'order_notify_return_summary')
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query()))

    @api.model
    def _query(self):
        # The channel a rating or a voucher owes to: the last message of that event the buyer got.
        # Row ids: the fact's own id times 4 plus its kind, unique across the four kinds.
        return SQL("""
            WITH told AS (
                SELECT DISTINCT ON (m.order_id, m.event) m.order_id, m.event, m.channel
                  FROM order_notify_message m
                 WHERE m.event IN ('delivered', 'review_request') AND m.state IN ('sent', 'delivered')
                   AND NOT COALESCE(m.is_test, FALSE)
                 ORDER BY m.order_id, m.event, m.sent_date DESC NULLS LAST, m.id DESC
            )
            SELECT m.id * 4 AS id, 'message' AS kind, m.sent_date AS date, m.channel, m.event,
                   m.order_id, NULL::integer AS source_order_id, m.partner_id, m.company_id, m.currency_id,
                   1 AS message_count, m.cost,
                   0 AS rating_count, NULL::double precision AS rating, NULL::varchar AS stars,
                   0 AS voucher_issued_count, 0 AS voucher_redeemed_count, 0::numeric AS redeemed_revenue
              FROM order_notify_message m
             WHERE m.sent_date IS NOT NULL AND NOT COALESCE(m.is_test, FALSE) AND m.order_id IS NOT NULL
            UNION ALL
            SELECT r.id * 4 + 1, 'rating', COALESCE(r.write_date, r.create_date), t.channel, 'review_request',
                   so.id, NULL, r.partner_id, so.company_id, so.currency_id,
                   0, 0,
                   1, r.rating, CAST(ROUND(r.rating)::integer AS varchar),
                   0, 0, 0
              FROM rating_rating r
              JOIN sale_order so ON so.id = r.res_id
              LEFT JOIN told t ON t.order_id = so.id AND t.event = 'review_request'
             WHERE r.res_model = 'sale.order' AND r.consumed AND r.rating >= 1
            UNION ALL
            SELECT c.id * 4 + 2, 'voucher_issued', c.create_date, t.channel, 'delivered',
                   so.id, so.id, so.partner_id, so.company_id, so.currency_id,
                   0, 0,
                   0, NULL, NULL,
                   1, 0, 0
              FROM sale_order so
              JOIN loyalty_card c ON c.id = so.order_notify_voucher_id
              LEFT JOIN told t ON t.order_id = so.id AND t.event = 'delivered'
            UNION ALL
            SELECT used.order_id * 4 + 3, 'voucher_redeemed', used.date_order, t.channel, 'delivered',
                   used.order_id, so.id, used.partner_id, used.company_id, used.currency_id,
                   0, 0,
                   0, NULL, NULL,
                   0, 1, used.amount_total
              FROM sale_order so
              JOIN LATERAL (
                  SELECT DISTINCT new.id AS order_id, new.date_order, new.partner_id, new.company_id,
                         new.currency_id, new.amount_total
                    FROM sale_order_line l
                    JOIN sale_order new ON new.id = l.order_id
                   WHERE l.coupon_id = so.order_notify_voucher_id AND new.state = 'sale'
              ) used ON TRUE
              LEFT JOIN told t ON t.order_id = so.id AND t.event = 'delivered'
             WHERE so.order_notify_voucher_id IS NOT NULL
        """)

    # === ACTION METHODS === #

    @api.model
    def action_order_notify_open_orders(self, domain):
        """The orders behind the rows of ``domain`` (a cell of the summary): the orders told,
        rated, rewarded and those that redeemed a voucher."""
        orders = self.search(domain).order_id
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Orders"),
            'res_model': 'sale.order',
            'view_mode': 'list,form',
            'views': [(False, 'list'), (False, 'form')],
            'domain': [('id', 'in', orders.ids)],
        }
