# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyFlow(OrderNotifyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')

    def test_confirm_sends_placed_in_vietnamese(self):
        order = self._create_order()
        order.action_confirm()
        message = self._messages(order)
        self.assertEqual(len(message), 1)
        self.assertEqual((message.event, message.channel, message.state), ('placed', 'sms', 'queued'))
        self._dispatch()
        self.assertEqual(message.state, 'delivered')
        self.assertEqual(message.phone, '+84912345678')
        self.assertIn(order.name, message.content)
        self.assertIn('Cảm ơn Nguyễn Văn An đã đặt đơn', message.content)
        self.assertIn('500.000', message.content)
