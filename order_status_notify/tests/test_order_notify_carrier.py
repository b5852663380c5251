# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import re
from urllib.parse import urlencode

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

GHN_URL = '/order_status_notify/carrier/ghn'
GHTK_URL = '/order_status_notify/carrier/ghtk'
GENERIC_URL = '/order_status_notify/delivery_status'


def ghn_payload(order_code, status, time, **values):
    """A GHN webhook body as GHN's doc shows it (https://api.ghn.vn/home/docs/detail?id=47)."""
    return {
        'CODAmount': 530000, 'CODTransferDate': None, 'ClientOrderCode': '', 'ConvertedWeight': 200,
        'Description': 'Cập nhật trạng thái', 'Fee': {
            'CODFailedFee': 0, 'CODFee': 0, 'Coupon': 0, 'DeliverRemoteAreasFee': 0, 'DocumentReturn': 0,
            'DoubleCheck': 0, 'Insurance': 0, 'MainService': 36300, 'PickRemoteAreasFee': 0, 'R2S': 0,
            'Return': 0, 'StationDO': 0, 'StationPU': 0, 'Total': 36300,
        },
        'Height': 10, 'IsPartialReturn': False, 'Length': 10, 'OrderCode': order_code, 'PartialReturnCode': '',
        'PaymentType': 2, 'Reason': '', 'ReasonCode': '', 'ShopID': 81558, 'Status': status, 'Time': time,
        'TotalFee': 36300, 'Type': 'switch_status', 'Warehouse': 'Bưu Cục 229 Quan Nhân-Q.Thanh Xuân-HN',
        'Weight': 200, 'Width': 10, **values,
    }


def ghtk_payload(label_id, status_id, action_time, **values):
    """A GHTK webhook body as GHTK's doc shows it (https://api.ghtk.vn/en/docs/submit-order/webhook)."""
    return {
        'label_id': label_id, 'partner_id': '', 'status_id': status_id, 'action_time': action_time,
        'reason_code': '', 'reason': '', 'weight': 2.4, 'fee': 15000, 'pick_money': 530000,
        'return_part_package': 0, **values,
    }


@tagged('post_install', '-at_install')
class TestOrderNotifyCarrierWebhooks(OrderNotifyCommon, HttpCase):
    """GHN and GHTK call the shop over HTTP: orders confirmed and deliveries validated through
    Odoo's actions, then the carriers' webhooks as they document them, applied once, in order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sms = cls._create_provider('sandbox', 'sms')
        cls.company.sudo().write({
            'order_notify_webhook_secret': 'generic-secret-123',
            'order_notify_ghn_webhook_token': 'ghn-token-123',
            'order_notify_ghtk_webhook_token': 'ghtk-hash-123',
        })
        cls.salesperson = cls.env['res.users'].create({
            'name': 'Trần Thị Bình', 'login': 'binh.sales', 'email': 'binh@example.com', 'lang': 'vi_VN',
            'groups_id': [Command.set([cls.env.ref('sales_team.group_sale_salesman').id])],
        })

    # === HELPERS === #

    def _post_ghn(self, body, token='ghn-token-123'):
        url = GHN_URL + (f'?{urlencode({"token": token})}' if token else '')
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.url_open(url, data=data, headers={'Content-Type': 'application/json'})

    def _post_ghtk(self, body, hash_='ghtk-hash-123', form=True):
        url = GHTK_URL + (f'?{urlencode({"hash": hash_})}' if hash_ else '')
        if isinstance(body, (str, bytes)):
            data, content_type = body, 'application/x-www-form-urlencoded' if form else 'application/json'
        elif form:
            data, content_type = urlencode(body), 'application/x-www-form-urlencoded'
        else:
            data, content_type = json.dumps(body), 'application/json'
        return self.url_open(url, data=data, headers={'Content-Type': content_type})

    def _post_generic(self, body, secret='generic-secret-123'):
        headers = {'Content-Type': 'application/json', 'Authorization': f'Bearer {secret}'}
        return self.url_open(GENERIC_URL, data=json.dumps(body), headers=headers)

    def _confirm_and_validate(self, tracking_ref, partner=None):
        """Confirm a sale order and validate its delivery the way the warehouse does (the
        carrier and its tracking number on the delivery, then *Validate*)."""
        order = self._create_order(partner=partner, user_id=self.salesperson.id)
        order.action_confirm()
        picking = order.picking_ids
        picking.write({'carrier_id': self.carrier.id, 'carrier_tracking_ref': tracking_ref})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        self.assertIs(picking.with_context(skip_sms=True).button_validate(), True)
        self.assertEqual(picking.state, 'done')
        self._dispatch()
        return order, picking

    def _call_activities(self, order):
        return self.env['mail.activity'].search([
            ('res_model', '=', 'sale.order'), ('res_id', '=', order.id),
            ('activity_type_id', '=', self.env.ref('mail.mail_activity_data_call').id),
        ])

    def _assert_ok(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()['message']

    # === GHN === #

    def test_ghn_every_status_of_a_delivery(self):
        order, picking = self._confirm_and_validate('GHNZ82BS')
        self.assertEqual(self._messages(order, event='shipped').state, 'delivered')

        # Picked up: the shipped message left at validation; no second one.
        self._assert_ok(self._post_ghn(ghn_payload('GHNZ82BS', 'picked', '2026-03-09T02:00:00.000Z')))
        self._dispatch()
        self.assertEqual(len(self._messages(order, event='shipped')), 1)
        self.assertEqual(picking.order_notify_carrier_status, 'picked')

        # Hubs and sorting tell the buyer nothing.
        self.assertIn('ignored', self._assert_ok(
            self._post_ghn(ghn_payload('GHNZ82BS', 'transporting', '2026-03-09T05:00:00.000Z'))))
        self.assertEqual(picking.order_notify_carrier_status, 'picked')

        # Out for delivery: the buyer prepares the parcel's cash.
        self._assert_ok(self._post_ghn(ghn_payload('GHNZ82BS', 'delivering', '2026-03-10T01:00:00.000Z')))
        self._dispatch()
        out = self._messages(order, event='out_for_delivery')
        self.assertEqual(out.state, 'delivered')
        self.assertEqual(out.picking_id, picking)
        self.assertIn(f"Đơn {order.name} đang được giao đến bạn (Giao Hàng Nhanh), mã vận đơn GHNZ82BS", out.content)
        cod = re.search(r'Vui lòng chuẩn bị ([\d.]+)\s?₫ và để ý điện thoại', out.content)
        self.assertTrue(cod, out.content)
        self.assertEqual(int(cod.group(1).replace('.', '')), int(picking.order_notify_cod_amount))
        self.assertEqual(picking.order_notify_carrier_status, 'out_for_delivery')
        self.assertEqual(str(picking.order_notify_carrier_status_date), '2026-03-10 01:00:00')

        # Failed attempt: the carrier's reason and how to reschedule; the salesperson calls.
        self._assert_ok(self._post_ghn(ghn_payload(
            'GHNZ82BS', 'delivery_fail', '2026-03-10T04:30:00.000Z',
            Reason='Khách hẹn giao lại ngày khác', ReasonCode='GHN-DFC1A0',
        )))
        self._dispatch()
        failed = self._messages(order, event='delivery_failed')
        self.assertEqual(failed.state, 'delivered')
        self.assertIn(f"Đơn {order.name} chưa giao được: Khách hẹn giao lại ngày khác.", failed.content)
        self.assertIn("gọi shop theo số 028 3822 1234", failed.content)
        self.assertEqual(picking.order_notify_failed_reason, 'Khách hẹn giao lại ngày khác')
        call = self._call_activities(order)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.user_id, self.salesperson)
        self.assertIn(picking.name, call.summary)
        self.assertIn('Khách hẹn giao lại ngày khác', str(call.note))
        self.assertIn('0912 345 678', str(call.note))

        # GHN retries (no 200 seen): the same call again changes nothing.
        self.assertIn('repeated', self._assert_ok(self._post_ghn(ghn_payload(
            'GHNZ82BS', 'delivery_fail', '2026-03-10T04:30:00.000Z', Reason='Khách hẹn giao lại ngày khác',
        ))))
        self.assertEqual(len(self._call_activities(order)), 1)

        # Second attempt next day, delivered: the parcel is received, thank-you without a click.
        self._assert_ok(self._post_ghn(ghn_payload('GHNZ82BS', 'delivering', '2026-03-11T01:00:00.000Z')))
        self._assert_ok(self._post_ghn(ghn_payload('GHNZ82BS', 'delivered', '2026-03-11T03:15:00.000Z')))
        self._dispatch()
        self.assertEqual(len(self._messages(order, event='out_for_delivery')), 1)
        self.assertEqual(str(picking.order_notify_delivered_date), '2026-03-11 03:15:00')
        self.assertEqual(picking.order_notify_carrier_status, 'delivered')
        thanks = self._messages(order, event='delivered')
        self.assertEqual(thanks.state, 'delivered')
        self.assertIn("đã giao thành công", thanks.content)
        # The parcel's chatter tells the story in the shop's language.
        notes = picking.message_ids.filtered(lambda m: 'GHN:' in (m.body or '')).mapped('body')
        self.assertEqual(len(notes), 5, notes)

    def test_ghn_return_to_shop(self):
        order, picking = self._confirm_and_validate('GHNRET1')
        self._assert_ok(self._post_ghn(ghn_payload('GHNRET1', 'delivering', '2026-03-10T01:00:00Z')))
        self._assert_ok(self._post_ghn(ghn_payload(
            'GHNRET1', 'delivery_fail', '2026-03-10T02:00:00Z', Reason='Không liên lạc được với người nhận',
        )))
        self._assert_ok(self._post_ghn(ghn_payload('GHNRET1', 'waiting_to_return', '2026-03-12T02:00:00Z')))
        self._assert_ok(self._post_ghn(ghn_payload('GHNRET1', 'return_transporting', '2026-03-12T06:00:00Z')))
        self._assert_ok(self._post_ghn(ghn_payload('GHNRET1', 'returned', '2026-03-14T06:00:00Z')))
        self._dispatch()
        returning = self._messages(order, event='returning')
        self.assertEqual(len(returning), 1)
        self.assertEqual(returning.state, 'delivered')
        self.assertIn("đang được hoàn về shop", returning.content)
        self.assertIn("028 3822 1234", returning.content)
        self.assertEqual(picking.order_notify_carrier_status, 'returned')
        self.assertFalse(picking.order_notify_delivered_date)
        self.assertFalse(self._messages(order, event='delivered'))

    def test_ghn_client_order_code_finds_a_recreated_shipment(self):
        """A shipment created again at GHN has a new code: the shop's reference still finds it."""
        order, picking = self._confirm_and_validate('GHNOLD1')
        self._assert_ok(self._post_ghn(ghn_payload(
            'GHNNEW2', 'delivering', '2026-03-10T01:00:00Z', ClientOrderCode=picking.name,
        )))
        self.assertEqual(picking.order_notify_carrier_status, 'out_for_delivery')

    def test_ghn_calls_that_are_not_status_changes(self):
        order, picking = self._confirm_and_validate('GHNUPD1')
        for body in (
            ghn_payload('GHNUPD1', 'delivering', '2026-03-10T01:00:00Z', Type='update_cod'),
            ghn_payload('GHNUPD1', 'delivering', '2026-03-10T01:00:00Z', Type='UPDATE_WEIGHT'),
            ghn_payload('GHNUPD1', 'storing', '2026-03-10T01:00:00Z'),
            ghn_payload('GHNUPD1', 'money_collect_delivering', '2026-03-10T01:00:00Z'),
        ):
            self.assertIn('ignored', self._assert_ok(self._post_ghn(body)))
        self.assertFalse(picking.order_notify_carrier_status)
        self.assertFalse(self._messages(order, event='out_for_delivery'))

    # === GHTK === #

    def test_ghtk_every_status_form_encoded(self):
        """GHTK's raw example posts form-encoded fields; times carry +07:00."""
        order, picking = self._confirm_and_validate('S1.A1.17373471')
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.17373471', 3, '2026-03-09T09:00:00+07:00')))
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.17373471', 4, '2026-03-10T08:00:00+07:00')))
        self._dispatch()
        self.assertEqual(self._messages(order, event='out_for_delivery').state, 'delivered')
        self._assert_ok(self._post_ghtk(ghtk_payload(
            'S1.A1.17373471', 9, '2026-03-10T11:30:00+07:00', reason_code=131, reason='Người nhận không nghe máy',
        )))
        self._dispatch()
        failed = self._messages(order, event='delivery_failed')
        self.assertIn("chưa giao được: Người nhận không nghe máy.", failed.content)
        self.assertEqual(str(picking.order_notify_carrier_status_date), '2026-03-10 04:30:00')
        self.assertEqual(len(self._call_activities(order)), 1)
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.17373471', 5, '2026-03-11T10:00:00+07:00')))
        # Reconciled (6) after delivered (5): still delivered, nothing more.
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.17373471', 6, '2026-03-12T10:00:00+07:00')))
        self._dispatch()
        self.assertEqual(str(picking.order_notify_delivered_date), '2026-03-11 03:00:00')
        self.assertEqual(len(self._messages(order, event='delivered')), 1)
        self.assertEqual(picking.order_notify_carrier_status_code, '6')

    def test_ghtk_json_body_and_return(self):
        """The same data as JSON (GHTK shows both); 20 returning, 21 returned."""
        order, picking = self._confirm_and_validate('S1.A1.2002')
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.2002', 4, '2026-03-10T08:00:00+07:00'), form=False))
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.2002', 20, '2026-03-13T08:00:00+07:00'), form=False))
        self._assert_ok(self._post_ghtk(ghtk_payload('S1.A1.2002', 21, '2026-03-15T08:00:00+07:00'), form=False))
        self._dispatch()
        self.assertEqual(self._messages(order, event='returning').state, 'delivered')
        self.assertEqual(picking.order_notify_carrier_status, 'returned')
        # A shipper's own report (49) and a delay (10) wait for GHTK's status: ignored.
        for status_id in (49, 10, 12):
            self.assertIn('ignored', self._assert_ok(self._post_ghtk(
                ghtk_payload('S1.A1.2002', status_id, '2026-03-16T08:00:00+07:00'))))
        self.assertEqual(picking.order_notify_carrier_status, 'returned')

    # === ORDER AND IDEMPOTENCY === #

    def test_out_of_order_calls_change_nothing(self):
        order, picking = self._confirm_and_validate('GHNLATE1')
        self._assert_ok(self._post_ghn(ghn_payload('GHNLATE1', 'delivered', '2026-03-10T05:00:00Z')))
        # Out for delivery seen earlier by GHN, received later by Odoo: too late to tell.
        self.assertIn('ignored', self._assert_ok(
            self._post_ghn(ghn_payload('GHNLATE1', 'delivering', '2026-03-10T01:00:00Z'))))
        self.assertIn('ignored', self._assert_ok(
            self._post_ghn(ghn_payload('GHNLATE1', 'delivery_fail', '2026-03-10T02:00:00Z', Reason='x'))))
        self._dispatch()
        self.assertEqual(picking.order_notify_carrier_status, 'delivered')
        self.assertFalse(self._messages(order, event='out_for_delivery'))
        self.assertFalse(self._messages(order, event='delivery_failed'))
        self.assertFalse(picking.order_notify_failed_reason)
        self.assertFalse(self._call_activities(order))
        self.assertEqual(len(self._messages(order, event='delivered')), 1)
        # The same status at the same moment, from a retry without Time: still one thank-you.
        self._assert_ok(self._post_ghn(ghn_payload('GHNLATE1', 'delivered', None)))
        self._assert_ok(self._post_ghn(ghn_payload('GHNLATE1', 'delivered', None)))
        self._dispatch()
        self.assertEqual(len(self._messages(order, event='delivered')), 1)
        self.assertEqual(str(picking.order_notify_delivered_date), '2026-03-10 05:00:00')

    def test_thank_you_absorbs_a_late_out_for_delivery(self):
        """Delivered before the "on its way" message left: the buyer gets the thank-you, not a
        stale "on its way"."""
        order, picking = self._confirm_and_validate('GHNNIGHT')
        self._assert_ok(self._post_ghn(ghn_payload('GHNNIGHT', 'delivering', '2026-03-10T01:00:00Z')))
        out = self._messages(order, event='out_for_delivery')
        self.assertEqual(out.state, 'queued')
        self._assert_ok(self._post_ghn(ghn_payload('GHNNIGHT', 'delivered', '2026-03-10T02:00:00Z')))
        self._dispatch()
        self.assertEqual(self._messages(order, event='delivered').state, 'delivered')
        self.assertEqual(out.state, 'skipped')
        self.assertEqual(out.reason_code, 'merged')

    # === BAD AND FORGED CALLS === #

    def test_forged_and_bad_calls_change_nothing(self):
        order, picking = self._confirm_and_validate('GHNBAD1')
        good = ghn_payload('GHNBAD1', 'delivering', '2026-03-10T01:00:00Z')
        cases = [
            (self._post_ghn(good, token='forged'), 401),
            (self._post_ghn(good, token=None), 400),
            (self._post_ghn(good, token='ghtk-hash-123'), 401),  # another carrier's secret
            (self._post_ghn(good, token='generic-secret-123'), 401),
            (self._post_ghtk(ghtk_payload('GHNBAD1', 4, '2026-03-10T08:00:00+07:00'), hash_='ghn-token-123'), 401),
            (self._post_ghtk(ghtk_payload('GHNBAD1', 4, '2026-03-10T08:00:00+07:00'), hash_=None), 400),
            (self._post_generic({'tracking_ref': 'GHNBAD1', 'status': 'out_for_delivery'}, secret='ghn-token-123'), 401),
            (self._post_ghn('{not json'), 400),
            (self._post_ghn(b'\xff\xfe\x00'), 400),
            (self._post_ghn('[1, 2]'), 400),
            (self._post_ghn({**good, 'OrderCode': ''}), 400),
            (self._post_ghn({**good, 'OrderCode': {'code': 'GHNBAD1'}}), 400),
            (self._post_ghn({**good, 'Status': ['delivering']}), 400),
            (self._post_ghn({**good, 'Time': 'yesterday'}), 400),
            (self._post_ghn({**good, 'OrderCode': 'UNKNOWN'}), 404),
            (self._post_ghtk(ghtk_payload('GHNBAD1', 'abc', '2026-03-10T08:00:00+07:00')), 400),
            (self._post_ghtk(ghtk_payload('GHNBAD1', 4, '10/03/2026')), 400),
            (self._post_ghtk('{"label_id": "GHNBAD1"}', form=False), 400),
            (self._post_generic({'tracking_ref': 'GHNBAD1', 'status': 'delivery_failed', 'expected_date': 'soon'}), 400),
        ]
        for response, expected in cases:
            self.assertEqual(response.status_code, expected, response.text)
            self.assertEqual(response.json()['status'], 'error')
        self.assertFalse(picking.order_notify_carrier_status)
        self.assertFalse(self._messages(order, event='out_for_delivery'))
        self.assertFalse(self._messages(order, event='delivery_failed'))

    def test_parcel_not_validated_yet(self):
        """Booked with GHN before the warehouse validated it: GHN's early statuses are fine,
        a status of a parcel that left is refused until the delivery is validated."""
        order = self._create_order(user_id=self.salesperson.id)
        order.action_confirm()
        picking = order.picking_ids
        picking.write({'carrier_id': self.carrier.id, 'carrier_tracking_ref': 'GHNEARLY'})
        self.assertIn('ignored', self._assert_ok(
            self._post_ghn(ghn_payload('GHNEARLY', 'ready_to_pick', '2026-03-09T01:00:00Z'))))
        response = self._post_ghn(ghn_payload('GHNEARLY', 'delivering', '2026-03-10T01:00:00Z'))
        self.assertEqual(response.status_code, 409, response.text)
        self.assertFalse(picking.order_notify_carrier_status)
        self.assertFalse(self._messages(order, event='out_for_delivery'))

    def test_another_company_secret_reaches_only_its_parcels(self):
        order, picking = self._confirm_and_validate('GHNCO1')
        other = self.env['res.company'].create({'name': 'Shop Khác'})
        other.sudo().order_notify_ghn_webhook_token = 'other-company-token'
        response = self._post_ghn(ghn_payload('GHNCO1', 'delivering', '2026-03-10T01:00:00Z'), token='other-company-token')
        self.assertEqual(response.status_code, 404, response.text)
        self.assertFalse(picking.order_notify_carrier_status)

    def test_token_not_in_access_log(self):
        import logging  # noqa: PLC0415

        from odoo.addons.order_status_notify.tools.notify_api import UrlSecretFilter  # noqa: PLC0415
        record = logging.LogRecord(
            'werkzeug', logging.INFO, __file__, 1, '%s - - "%s" %s',
            ('127.0.0.1', 'POST /order_status_notify/carrier/ghtk?x=1&hash=ghtk-hash-123 HTTP/1.1', '200'), None,
        )
        installed = [f for f in logging.getLogger('werkzeug').filters
                     if isinstance(f, UrlSecretFilter) and f.key == 'order_status_notify.carrier']
        self.assertEqual(len(installed), 1, "the controller installs its filter once")
        installed[0].filter(record)
        self.assertNotIn('ghtk-hash-123', record.getMessage())
        self.assertIn('hash=***', record.getMessage())

    # === GENERIC WEBHOOK === #

    def test_generic_webhook_statuses_and_expected_date(self):
        order, picking = self._confirm_and_validate('VTP123')
        self._assert_ok(self._post_generic({
            'tracking_ref': 'VTP123', 'status': 'out_for_delivery', 'date': '2026-03-10T01:00:00Z',
            'expected_date': '2026-03-10',
        }))
        self._dispatch()
        self.assertEqual(str(picking.order_notify_expected_date), '2026-03-10')
        self.assertEqual(self._messages(order, event='out_for_delivery').state, 'delivered')
        self._assert_ok(self._post_generic({
            'tracking_ref': 'VTP123', 'status': 'delivery_failed', 'date': '2026-03-10T03:00:00Z',
        }))
        self._dispatch()
        failed = self._messages(order, event='delivery_failed')
        # No reason given: the text leaves the reason out, and still says how to get the parcel.
        self.assertIn(f"Đơn {order.name} chưa giao được. Để nhận hàng, vui lòng gọi shop theo số", failed.content)
        self.assertIn('ignored', self._assert_ok(self._post_generic({'tracking_ref': 'VTP123', 'status': 'in_transit'})))

    # === COD PARCEL, BUYER UNREACHABLE === #

    def test_cod_buyer_unreachable_on_every_channel_gets_a_call(self):
        """No mobile and no e-mail, the parcel is paid on delivery: the shipped message reaches
        nobody, so the salesperson is asked to call (the number typed is a landline)."""
        buyer = self.env['res.partner'].create({'name': 'Lê Văn Cường', 'phone': '028 3911 2222', 'lang': 'vi_VN'})
        order, picking = self._confirm_and_validate('GHNCOD1', partner=buyer)
        self.assertGreater(picking.order_notify_cod_amount, 0)
        shipped = self._messages(order, event='shipped')
        self.assertEqual(shipped.mapped('state'), ['skipped'])
        call = self._call_activities(order)
        self.assertEqual(len(call), 1)
        self.assertEqual(call.user_id, self.salesperson)
        self.assertIn('028 3911 2222', str(call.note))
        # Out for delivery reaches nobody either: still one open call for the parcel.
        self._assert_ok(self._post_ghn(ghn_payload('GHNCOD1', 'delivering', '2026-03-10T01:00:00Z')))
        self._dispatch()
        self.assertEqual(self._messages(order, event='out_for_delivery').state, 'skipped')
        self.assertEqual(len(self._call_activities(order)), 1)

    def test_prepaid_parcel_unreachable_needs_no_call(self):
        buyer = self.env['res.partner'].create({'name': 'Phạm Thị Dung', 'lang': 'vi_VN'})
        order = self._create_order(partner=buyer, user_id=self.salesperson.id)
        order.action_confirm()
        self._pay_invoice(order)
        picking = self._ship(order, tracking_ref='GHNPRE1')
        self._dispatch()
        self.assertEqual(picking.order_notify_cod_amount, 0)
        self.assertEqual(self._messages(order, event='shipped').state, 'skipped')
        self.assertFalse(self._call_activities(order))

    def test_cod_buyer_reached_by_email_needs_no_call(self):
        self.env.ref('order_status_notify.provider_mail').state = 'enabled'
        self.company.email = 'shop@example.com'
        buyer = self.env['res.partner'].create({'name': 'Võ Văn Em', 'email': 'em@example.com', 'lang': 'vi_VN'})
        order, picking = self._confirm_and_validate('GHNMAIL1', partner=buyer)
        self._dispatch()
        self.assertEqual(
            sorted(self._messages(order, event='shipped').mapped(lambda m: (m.channel, m.state))),
            [('email', 'sent'), ('sms', 'skipped')],
        )
        self.assertFalse(self._call_activities(order))


@tagged('post_install', '-at_install')
class TestOrderNotifyCarrierTemplates(OrderNotifyCommon):
    """Every installed channel has a Vietnamese default text for each carrier event."""

    def test_default_templates_of_every_channel_render(self):
        order = self._create_order()
        order.action_confirm()
        picking = self._ship(order, tracking_ref='GHNTPL1')
        picking.order_notify_failed_reason = 'Người nhận hẹn lại'
        Template = self.env['order.notify.template']
        Provider = self.env['order.notify.provider']
        channels = self.env['order.notify.registry']._get_channels()
        self.assertIn('email', channels)
        for event in ('out_for_delivery', 'delivery_failed', 'returning'):
            for channel in channels:
                with self.subTest(event=event, channel=channel):
                    template = Template._order_notify_find(event, channel, Provider, self.company)
                    self.assertTrue(template, f"no default {channel} template for {event}")
                    rendered = template._order_notify_render(order, event, picking=picking)
                    self.assertIn(order.name, rendered['content'])
                    self.assertNotIn('{{', rendered['content'])
                    if event == 'delivery_failed':
                        self.assertIn('Người nhận hẹn lại', rendered['content'])
                    if channel == 'email':
                        self.assertIn(order.name, rendered['subject'])
