# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import tagged

from odoo.addons.order_status_notify_zalo.tests.common import ZaloCommon


@tagged('post_install', '-at_install')
class TestZaloTemplates(ZaloCommon):
    """Synchronizing the OA's templates and mapping their parameters to order values."""

    def test_sync_reads_list_and_details(self):
        self.assertEqual(set(self.zns_templates), {'100001', '100002', '100003', '100004', '100005', '100006'})
        placed = self.zns_templates['100001']
        self.assertRecordValues(placed, [{
            'name': 'Xác nhận đặt hàng', 'status': 'ENABLE', 'tag': 'TRANSACTION', 'price': 300.0,
            'timeout_ms': 7200000, 'company_id': self.company.id,
        }])
        self.assertTrue(placed.preview_url.endswith('/template/preview/100001'))
        self.assertEqual(
            [(p.name, p.param_type, p.required, p.max_length) for p in placed.param_ids],
            [('customer_name', 'STRING', True, 30), ('order_code', 'STRING', True, 30),
             ('order_date', 'DATE', True, 20), ('amount', 'NUMBER', True, 20)],
        )
        self.assertEqual(self.zns_templates['100006'].status, 'PENDING_REVIEW')
        self.assertEqual(self.zns_templates['100005'].param_ids[-1].required, False)

    def test_sync_alerts_when_a_template_is_disabled_or_removed(self):
        self.zns.templates['100003'].status = 'DISABLE'
        del self.zns.templates['100004']
        self.env['zalo.zns.template']._zalo_sync_from_provider(self.provider)
        self.assertEqual(self.zns_templates['100003'].status, 'DISABLE')
        self.assertEqual(self.zns_templates['100004'].status, 'MISSING')
        summaries = self.provider.activity_ids.mapped('summary')
        self.assertIn('[order_notify] ZNS template 100003 unusable', summaries)
        self.assertIn('[order_notify] ZNS template 100004 unusable', summaries)
        # The pending template was never usable: no alert for it.
        self.assertNotIn('[order_notify] ZNS template 100006 unusable', summaries)

    def test_suggested_mapping(self):
        self.assertEqual(
            {p.name: p.value_key for p in self.template_placed.param_ids},
            {'customer_name': 'customer_name', 'order_code': 'order_ref', 'order_date': 'order_date',
             'amount': 'amount_total'},
        )
        shipped = self._create_zns_template('shipped', '100003')
        self.assertEqual(
            {p.name: p.value_key for p in shipped.param_ids},
            {'customer_name': 'customer_name', 'order_code': 'order_ref', 'carrier': 'carrier',
             'tracking_code': 'tracking_ref', 'cod_amount': 'cod_amount'},
        )
        suggest = self.env['order.notify.template']._zalo_suggest_value_key
        self.assertEqual(suggest('ten_khach_hang'), 'customer_name')
        self.assertEqual(suggest('mã_đơn_hàng'), 'order_ref')
        self.assertEqual(suggest('tong_tien'), 'amount_total')
        self.assertEqual(suggest('ma_van_don'), 'tracking_ref')
        self.assertEqual(suggest('so_tien_thu_ho'), 'cod_amount')
        self.assertEqual(suggest('xyz'), 'expression')

    def test_shipped_message_with_carrier_tracking_and_cod(self):
        self._create_zns_template('shipped', '100003')
        self.env['order.notify.route'].search([('event', '!=', 'shipped')]).active = False
        order = self._confirmed_order()
        self._ship(order, tracking_ref='GHN123456')
        self._dispatch()
        message = self._messages(order, event='shipped')
        self.assertEqual(message.state, 'sent', message.reason)
        data = self.zns.messages[message.provider_message_ref].data
        self.assertEqual(data['carrier'], 'Giao Hàng Nhanh')
        self.assertEqual(data['tracking_code'], 'GHN123456')
        self.assertTrue(data['cod_amount'].isdigit())

    def test_resync_keeps_manual_mapping(self):
        line = self.template_placed.param_ids.filtered(lambda p: p.name == 'customer_name')
        line.write({'value_key': 'expression', 'expression': '{{ object.partner_id.name }}'})
        self.template_placed.action_zalo_suggest_params()
        self.assertEqual(line.value_key, 'expression')
        self.assertEqual(len(self.template_placed.param_ids), 4)
