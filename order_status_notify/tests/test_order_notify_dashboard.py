# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon

TZ = 'Asia/Ho_Chi_Minh'


@tagged('post_install', '-at_install')
class TestOrderNotifyDashboard(OrderNotifyCommon):
    """The dashboard's figures against totals computed by hand, "today" being Wednesday
    15 January 2025 at noon in Vietnam (the week started on Monday the 13th).

        key  created (UTC)        = Vietnam day   channel  state      cost  note
        a    2025-01-15 03:00     15 Jan          zalo     delivered  300
        b    2025-01-15 04:00     15 Jan          sms      sent       850   accepted, no report yet
        c    2025-01-14 03:00     14 Jan          zalo     failed     0     failed after sending
        d    2025-01-13 03:00     13 Jan          sms      queued     0     deferred (quiet hours)
        e    2025-01-05 03:00     5 Jan           sms      delivered  850
        f    2025-01-05 04:00     5 Jan           zalo     skipped    0
        g    2024-12-31 20:00     1 Jan           zalo     delivered  300   this month in Vietnam
        h    2024-12-31 10:00     31 Dec          zalo     delivered  300   last month
        t    2025-01-15 03:00     15 Jan          zalo     delivered  300   test message: never counted
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz=TZ))
        cls.env.user.tz = TZ
        cls.company.currency_id = cls.vnd
        cls.zalo = cls._create_provider('sandbox', 'zalo', name="Zalo")
        cls.sms = cls._create_provider('sandbox', 'sms', name="SMS")
        msg = cls._create_dashboard_message
        cls.m = {
            'a': msg(datetime(2025, 1, 15, 3), cls.zalo, 'delivered', cost=300),
            'b': msg(datetime(2025, 1, 15, 4), cls.sms, 'sent', cost=850),
            'c': msg(datetime(2025, 1, 14, 3), cls.zalo, 'failed'),
            'd': msg(datetime(2025, 1, 13, 3), cls.sms, 'queued', sent=False, reason_code='quiet_hours'),
            'e': msg(datetime(2025, 1, 5, 3), cls.sms, 'delivered', cost=850),
            'f': msg(datetime(2025, 1, 5, 4), cls.zalo, 'skipped', sent=False, reason_code='no_phone'),
            'g': msg(datetime(2024, 12, 31, 20), cls.zalo, 'delivered', cost=300),
            'h': msg(datetime(2024, 12, 31, 10), cls.zalo, 'delivered', cost=300),
            't': msg(datetime(2025, 1, 15, 3), cls.zalo, 'delivered', cost=300, is_test=True),
        }
        cls.env['order.notify.message'].flush_model()

    @classmethod
    def _create_dashboard_message(cls, when, provider, state, sent=True, cost=0.0, **values):
        cls._seq = getattr(cls, '_seq', 0) + 1
        message = cls.env['order.notify.message'].sudo().create({
            'order_name': f'D{cls._seq:05d}',
            'company_id': cls.company.id,
            'event': 'placed',
            'channel': provider.channel,
            'provider_id': provider.id,
            'state': state,
            'phone': '+84912345678',
            'currency_id': cls.vnd.id,
            'cost': cost,
            'cost_source': 'provider' if cost else 'none',
            'provider_message_ref': f'dash-{cls._seq}' if sent else False,
            'sent_date': when if sent else False,
            'idempotency_key': f'osn-dashboard-test-{cls._seq}',
            **values,
        })
        message.flush_recordset()
        cls.env.cr.execute(SQL("UPDATE order_notify_message SET create_date = %s WHERE id = %s", when, message.id))
        message.invalidate_recordset(['create_date'])
        return message

    def _dashboard(self, *args, **kwargs):
        with freeze_time('2025-01-15 05:00:00'):
            return self.env['order.notify.report'].order_notify_get_dashboard(*args, **kwargs)

    def test_today_week_month(self):
        tiles = {tile['key']: tile for tile in self._dashboard()['tiles']}
        self.assertEqual(
            [(tile['key'], tile['date_from'], tile['date_to']) for tile in tiles.values()],
            [('today', '2025-01-15', '2025-01-15'), ('week', '2025-01-13', '2025-01-15'),
             ('month', '2025-01-01', '2025-01-15')],
        )
        self.assertEqual(tiles['today']['figures'], {
            'sent': 2, 'delivered': 1, 'success': 2, 'failed': 0, 'processing': 0, 'deferred': 0,
            'skipped': 0, 'cost': 1150.0, 'delivery_rate': 50.0,
        })
        self.assertEqual(tiles['week']['figures'], {
            'sent': 3, 'delivered': 1, 'success': 2, 'failed': 1, 'processing': 0, 'deferred': 1,
            'skipped': 0, 'cost': 1150.0, 'delivery_rate': 33.3,
        })
        self.assertEqual(tiles['month']['figures'], {
            'sent': 5, 'delivered': 3, 'success': 4, 'failed': 1, 'processing': 0, 'deferred': 1,
            'skipped': 1, 'cost': 2300.0, 'delivery_rate': 60.0,
        })

    def test_period_cost_per_channel_and_chart(self):
        period = self._dashboard()['period']
        self.assertEqual((period['date_from'], period['date_to']), ('2025-01-01', '2025-01-31'))
        self.assertEqual(period['figures']['sent'], 5)
        self.assertEqual(period['cost_per_channel'], [
            {'channel': 'sms', 'label': 'SMS', 'count': 2, 'cost': 1700.0},
            {'channel': 'zalo', 'label': 'Zalo ZNS', 'count': 3, 'cost': 600.0},
        ])
        per_day = period['per_day']
        self.assertEqual(len(per_day['days']), 31)
        counts = {
            serie['channel']: {day: n for day, n in zip(per_day['days'], serie['counts']) if n}
            for serie in per_day['series']
        }
        self.assertEqual(counts, {
            'sms': {'2025-01-05': 1, '2025-01-15': 1},
            'zalo': {'2025-01-01': 1, '2025-01-14': 1, '2025-01-15': 1},
        })
        # The chart follows the chosen period: December shows only message h, on the 31st.
        december = self._dashboard('2024-12-01', '2024-12-31')['period']
        self.assertEqual(december['per_day']['series'], [
            {'channel': 'zalo', 'label': 'Zalo ZNS', 'counts': [0] * 30 + [1]},
        ])
        self.assertEqual(december['figures']['cost'], 300.0)

    def test_channel_filter_and_open_messages(self):
        sms = self._dashboard('2025-01-01', '2025-01-31', 'sms')
        self.assertEqual(sms['period']['figures'], {
            'sent': 2, 'delivered': 1, 'success': 2, 'failed': 0, 'processing': 0, 'deferred': 1,
            'skipped': 0, 'cost': 1700.0, 'delivery_rate': 50.0,
        })
        self.assertEqual(sms['tiles'][0]['figures']['sent'], 1)  # today, SMS only: b
        with freeze_time('2025-01-15 05:00:00'):
            action = self.env['order.notify.report'].order_notify_action_open_period('2025-01-01', '2025-01-31', 'sms')
        rows = self.env['order.notify.report'].search(action['domain'])
        self.assertEqual(set(rows.ids), {self.m[k].id for k in 'bde'})

    def test_no_delivery_rate_without_reports(self):
        """A period whose only accepted message is failed counts 0 %; a period without any
        accepted message has no rate (not a false 0 %)."""
        self.assertIsNone(self._dashboard('2025-01-13', '2025-01-13')['period']['figures']['delivery_rate'])
        self.assertEqual(self._dashboard('2025-01-14', '2025-01-14')['period']['figures']['delivery_rate'], 0.0)
