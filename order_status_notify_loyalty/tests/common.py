# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


class ReviewCommon(OrderNotifyCommon):
    """The core's Vietnamese shop, with a sandbox SMS provider, the e-mail channel's templates and
    a real loyalty coupons program for the thank-you voucher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls._create_provider('sandbox', 'sms')
        cls.salesperson = cls.env['res.users'].create({
            'name': "Trần Thị Bình", 'login': 'binh.review', 'email': 'binh@example.com',
            'groups_id': [fields.Command.link(cls.env.ref('sales_team.group_sale_salesman').id)],
        })
        cls.program = cls.env['loyalty.program'].create({
            'name': "Cảm ơn - giảm 10%",
            'program_type': 'coupons',
            'company_id': cls.company.id,
            'currency_id': cls.vnd.id,
            'trigger': 'with_code',
            'applies_on': 'current',
            'reward_ids': [fields.Command.create({
                'reward_type': 'discount', 'discount': 10, 'discount_mode': 'percent',
                'discount_applicability': 'order', 'required_points': 1,
            })],
        })
        cls.company.order_notify_voucher_program_id = cls.program
        # The review request is off until the shop chooses it.
        cls.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', cls.company.id), ('event', '=', 'review_request'),
        ]).active = True
        # The review page in the buyer's Vietnamese: this addon's translations, as a shop in
        # Vietnam has them (the core's setup only activates the language).
        cls.env['ir.module.module'].search([('name', '=', 'order_status_notify_loyalty')])._update_translations('vi_VN')

    def _deliver(self, order):
        """Confirm, ship and mark the parcel received: the thank-you is queued."""
        if order.state != 'sale':
            order.action_confirm()
        picking = self._ship(order)
        picking._order_notify_mark_delivered()
        return picking

    def _age_messages(self, order, days):
        """Move the order's waiting messages ``days`` earlier, as if the time had passed."""
        for message in self._messages(order, state='queued'):
            message.next_attempt_at = message.next_attempt_at - timedelta(days=days)

    def _ready_review_request(self, order):
        self._age_messages(order, self.company.order_notify_review_delay_days)
        return self._messages(order, event='review_request')

    @classmethod
    def _now(cls):
        return fields.Datetime.now()
