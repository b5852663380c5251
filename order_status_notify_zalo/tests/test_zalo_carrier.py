# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime

from odoo.tests import tagged

from odoo.addons.order_status_notify.tools.carriers import CarrierStatus
from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloCarrierEvents(ZaloCommon):
    """A ZNS template of the shop for failed deliveries: its "reason" parameter gets the
    carrier's reason (not the cancellation reason), its "how to reschedule" the shop's phone."""

    def test_failed_delivery_zns_carries_the_carriers_reason(self):
        self.zns.add_template(
            '100107', name='Giao hàng không thành công', params=[
                'customer_name', 'order_code', {'name': 'ly_do', 'max_length': 100},
                {'name': 'hen_lai', 'max_length': 100}, {'name': 'cod_amount', 'type': 'NUMBER', 'max_length': 20},
            ], body='Đơn <order_code> chưa giao được: <ly_do>. Vui lòng <hen_lai>.',
        )
        self.env['zalo.zns.template']._zalo_sync_from_provider(self.provider)
        self.zns_templates = {t.template_ref: t for t in self.provider.zalo_template_ids}
        template = self._create_zns_template('delivery_failed', '100107')
        self.assertEqual(
            {p.name: p.value_key for p in template.param_ids},
            {'customer_name': 'customer_name', 'order_code': 'order_ref', 'ly_do': 'failed_reason',
             'hen_lai': 'reschedule_hint', 'cod_amount': 'cod_amount'},
        )
        self.env['order.notify.route'].search([('event', '!=', 'delivery_failed')]).active = False
        order = self._confirmed_order()
        picking = self._ship(order, tracking_ref='GHN-ZNS-1')
        picking._order_notify_apply_carrier_status(CarrierStatus(
            carrier='ghn', tracking_ref='GHN-ZNS-1', carrier_status='delivery_fail', status='delivery_failed',
            event_time=datetime(2026, 3, 10, 4, 0), key='ghn:GHN-ZNS-1:delivery_fail:1',
            reason='Người nhận hẹn giao lại',
        ))
        self._dispatch()
        message = self._messages(order, event='delivery_failed')
        self.assertEqual(message.state, 'sent', message.reason)
        data = self.zns.messages[message.provider_message_ref].data
        self.assertEqual(data['ly_do'], 'Người nhận hẹn giao lại')
        self.assertEqual(data['hen_lai'], 'gọi shop theo số 028 3822 1234 để hẹn lại giờ giao')
        self.assertEqual(data['cod_amount'], str(int(picking.order_notify_cod_amount)))
