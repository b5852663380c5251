# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import fields, models
from odoo.tools.misc import format_amount, format_date

from odoo.addons.order_status_notify.utils import is_transaction_error
from odoo.addons.order_status_notify_loyalty import const

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    order_notify_voucher_id = fields.Many2one(
        string="Thank-You Voucher", comodel_name='loyalty.card', readonly=True, copy=False, index='btree_not_null',
        help="The single-use code of the shop's voucher program given to the buyer in the thank-you message.",
    )
    order_notify_voucher_expiry = fields.Date(related='order_notify_voucher_id.expiration_date', string="Voucher Valid Until")
    order_notify_voucher_used = fields.Boolean(string="Voucher Used", compute='_compute_order_notify_voucher_used')
    order_notify_rating = fields.Float(
        string="Buyer's Rating", compute='_compute_order_notify_rating',
        help="The stars (1-5) the buyer gave the order on the review page.",
    )
    order_notify_rating_feedback = fields.Text(string="Buyer's Comment", compute='_compute_order_notify_rating')

    # === COMPUTE METHODS === #

    def _compute_order_notify_voucher_used(self):
        for order in self:
            order.order_notify_voucher_used = bool(order.order_notify_voucher_id.sudo().use_count)

    def _compute_order_notify_rating(self):
        for order in self:
            rating = order._order_notify_get_rating().filtered('consumed')
            order.order_notify_rating = rating.rating
            order.order_notify_rating_feedback = rating.feedback

    # === BUSINESS METHODS: VALUES === #

    def _order_notify_get_values(self, event, picking=None):
        """The review link (of the review request) and the voucher (code, value, last day):
        read only, the dispatcher and the dry run never create them (they are made when the
        order is delivered)."""
        values = super()._order_notify_get_values(event, picking=picking)
        lang = self.partner_id.lang or self.env.lang or 'vi_VN'
        env = self.with_context(lang=lang).env
        # The review link only where a template may use it: the dry run renders thousands of orders.
        rating = self._order_notify_get_rating() if event == 'review_request' else self.env['rating.rating']
        voucher = self.order_notify_voucher_id.sudo()
        values.update({
            'review_url': f"{self.get_base_url()}/order/review/{rating.access_token}" if rating else '',
            'voucher_code': voucher.code or '',
            'voucher_expiry': format_date(env, voucher.expiration_date, date_format='dd/MM/yyyy')
            if voucher.expiration_date else '',
            'voucher_expiry_value': voucher.expiration_date or False,
            'voucher_value': self._order_notify_voucher_value_text(voucher, env) if voucher else '',
        })
        return values

    def _order_notify_voucher_value_text(self, voucher, env):
        """What the voucher is worth, short: ``10%`` or ``50.000 ₫`` (a discount), else the
        reward's own description."""
        reward = voucher.program_id.reward_ids[:1]
        if reward.reward_type == 'discount':
            if reward.discount_mode == 'percent':
                return f"{reward.discount:g}%"
            return format_amount(env, reward.discount, reward.currency_id or self.currency_id)
        return reward.with_env(env).description or ''

    # === BUSINESS METHODS: RATING === #

    def _order_notify_get_rating(self):
        """The buyer's rating of the order (Odoo's ``rating.rating``, pending or given)."""
        self.ensure_one()
        return self.env['rating.rating'].sudo().search([
            ('res_model', '=', self._name), ('res_id', '=', self.id), ('partner_id', '=', self.partner_id.id),
        ], order='id desc', limit=1)

    def _order_notify_ensure_rating(self):
        """The buyer's rating token, created with the review request in the business
        transaction (the dispatcher only reads it)."""
        self.ensure_one()
        rating = self._order_notify_get_rating()
        if rating:
            return rating
        token = self.sudo()._rating_get_access_token()
        return self.env['rating.rating'].sudo().search([('access_token', '=', token)], limit=1)

    def _order_notify_apply_review(self, rating, rate, feedback=None):
        """Store the buyer's stars and comment with Odoo's rating (on the order and in its
        chatter, as the buyer) and, for a low rating, give the salesperson a call to make.
        Called by the review page and by channels whose own rating answers come back (ZNS)."""
        self.ensure_one()
        first = not rating.consumed
        rating = self.sudo().rating_apply(rate, rating=rating, feedback=feedback or False)
        if rate <= const.LOW_RATING_MAX:
            self._order_notify_schedule_callback(rating)
        if first:
            _logger.info("Order %s rated %s/5 by its buyer", self.name, rate)
        return rating

    def _order_notify_schedule_callback(self, rating):
        """One activity "call the buyer" per order, for its salesperson (else the person
        responsible for the activity type), with the comment; a rating changed while it is
        open updates it instead of adding another."""
        self.ensure_one()
        order = self.sudo()
        call = self.env.ref('mail.mail_activity_data_call')
        env = order.with_context(lang=(order.user_id.lang or self.env.lang)).env
        summary = env._("Call the buyer: rated %s/5", int(rating.rating))
        note = env._("The buyer rated the order %(rate)s/5: %(comment)s",
                     rate=int(rating.rating), comment=rating.feedback or env._("no comment"))
        existing = order.activity_ids.filtered(lambda a: a.activity_type_id == call and a.summary
                                               and a.summary.startswith(summary.split(':')[0]))
        if existing:
            existing[:1].write({'summary': summary, 'note': note})
            return existing[:1]
        return order.activity_schedule(
            activity_type_id=call.id, summary=summary, note=note,
            user_id=order.user_id.id or call.default_user_id.id or self.env.ref('base.user_admin').id,
        )

    # === BUSINESS METHODS: VOUCHER === #

    def _order_notify_issue_voucher(self):
        """Give the buyer one single-use code of the company's voucher program, once per order,
        through Odoo's loyalty (a ``loyalty.card`` of 1 point: the reward costs 1, so the code
        is spent when the next order using it is confirmed). No program, or a program that is
        off or exhausted: no voucher, and the thank-you goes without it.

        Called when the order is delivered, inside that transaction: a failure is logged and
        never blocks the delivery (transaction errors still raise)."""
        self.ensure_one()
        if self.order_notify_voucher_id:
            return self.order_notify_voucher_id
        program = self.company_id.order_notify_voucher_program_id.sudo()
        if not program:
            return self.env['loyalty.card']
        blocker = program._order_notify_voucher_blocker(self.company_id)
        if blocker:
            _logger.info("No thank-you voucher for order %s: %s", self.name, blocker)
            return self.env['loyalty.card']
        try:
            with self.env.cr.savepoint():
                card = self.env['loyalty.card'].sudo().with_context(loyalty_no_mail=True).create({
                    'program_id': program.id,
                    'partner_id': self.partner_id.id,
                    'points': 1,
                    'expiration_date': program._order_notify_voucher_expiry(self.company_id),
                    'order_id': self.id,
                })
                self.sudo().order_notify_voucher_id = card
        except Exception as error:  # noqa: BLE001 - a voucher must never block a delivery
            if is_transaction_error(error):
                raise
            _logger.exception("Could not issue the thank-you voucher of order %s", self.name)
            return self.env['loyalty.card']
        self._message_log(body=self.env._(
            "Thank-you voucher %(code)s issued (%(program)s, valid until %(date)s).",
            code=card.code, program=program.name, date=format_date(self.env, card.expiration_date),
        ))
        return card
