# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyPayment(OrderNotifyCommon):
    """eCommerce orders: online payments place and pay orders through payment.transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_provider('sandbox', 'sms')
        cls.payment_method = cls.env.ref('payment.payment_method_unknown')
        cls.payment_provider = cls.env['payment.provider'].create({
            'name': "Dummy Provider",
            'code': 'none',
            'state': 'test',
            'company_id': cls.company.id,
            'payment_method_ids': [Command.set(cls.payment_method.ids)],
        })
        # Like account_payment's own tests: register the dummy code as an electronic method so
        # the provider's journal gets a payment method line for the payments of its transactions.
        Method = cls.env['account.payment.method']
        info = Method._get_payment_method_information()
        with patch.object(type(Method), '_get_payment_method_information',
                          lambda self: dict(info, none={'mode': 'electronic', 'type': ('bank',)})):
            Method.sudo().create({'name': "Dummy method", 'code': 'none', 'payment_type': 'inbound'})
            cls.payment_provider.journal_id = cls.env['account.journal'].search(
                [('type', '=', 'bank'), ('company_id', '=', cls.company.id)], limit=1,
            )

    def _transaction(self, order, amount=None):
        return self.env['payment.transaction'].create({
            'payment_method_id': self.payment_method.id,
            'amount': order.amount_total if amount is None else amount,
            'currency_id': order.currency_id.id,
            'provider_id': self.payment_provider.id,
            'reference': self.env['payment.transaction']._compute_reference('none', prefix=order.name),
            'operation': 'online_redirect',
            'partner_id': order.partner_id.id,
            'sale_order_ids': [Command.set(order.ids)],
        })

    def test_online_payment_places_and_pays_once(self):
        order = self._create_order()
        tx = self._transaction(order)
        tx._set_done()
        tx._post_process()
        tx._post_process()  # the status poll and the cron may both post-process
        self.assertEqual(order.state, 'sale')
        self.assertEqual([m.event for m in self._messages(order)], ['placed', 'paid'])
        self._dispatch()
        paid = self._messages(order, event='paid')
        self.assertEqual(paid.state, 'delivered')
        # Nothing to collect at the door for a prepaid order.
        self._ship(order)
        self._dispatch()
        self.assertIn("không cần trả thêm", self._messages(order, event='shipped').content)

    def test_wire_transfer_pending_counts_as_placed(self):
        order = self._create_order()
        tx = self._transaction(order)
        tx._set_pending()
        tx._post_process()
        self.assertEqual(order.state, 'sent')
        self.assertEqual([m.event for m in self._messages(order)], ['placed'])
        # The transfer arrives later (another request): the order is confirmed, still one 'placed'.
        self.env.invalidate_all()
        tx._set_done()
        tx._post_process()
        self.assertEqual(order.state, 'sale')
        self.assertEqual([m.event for m in self._messages(order)], ['placed', 'paid'])

    def test_partial_payment_is_not_paid(self):
        order = self._create_order()
        order.action_confirm()
        tx = self._transaction(order, amount=order.amount_total / 2)
        tx._set_done()
        tx._post_process()
        self.assertFalse(self._messages(order, event='paid'))
        self.assertEqual(order._order_notify_amount_to_collect(), order.amount_total / 2)
