# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import date, datetime
from types import SimpleNamespace
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon
from odoo.addons.web.controllers.export import ExcelExport

TZ = 'Asia/Ho_Chi_Minh'


@tagged('post_install', '-at_install')
class TestOrderNotifyReport(OrderNotifyCommon):
    """Figures and costs of a known set of messages against totals computed by hand.

    Company A (``cls.company``), January 2025 in Vietnam time, order messages:
        #  channel provider  event      state      deferred  sent_date  cost   source    segments
        1  zalo    zalo_a    placed     delivered  -         yes        300    provider  1
        2  zalo    zalo_a    paid       delivered  -         yes        300    estimate  1
        3  zalo    zalo_a    shipped    failed     -         yes        0      none      1   (not delivered: free)
        4  sms     sms_a     placed     sent       -         yes        850    estimate  2
        5  sms     sms_a     placed     failed     -         no         0      none      1   (rejected before sending)
        6  sms     sms_a     paid       queued     -         no         0      none
        7  zalo    zalo_a    shipped    queued     yes       no         0      none
        8  zalo    zalo_a    delivered  skipped    -         no         0      none
        9  sms     sms_a     cancelled  cancelled  -         no         0      none
    plus a test message (10, zalo, delivered, 300, January) and message 11 created and sent on
    2025-01-31 18:00 UTC, i.e. 1 February 01:00 in Vietnam (sms, delivered, 850).
    February: 12 (zalo, delivered, 300, provider), 13 (sms, delivered, 1700, 2 segments).
    Company B, January: 14 (sms_b, delivered, 1000), 15 (sms_b, failed, 0).
    Messages 1 and 3 belong to salesperson ``seller`` of team ``team``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz=TZ))
        cls.env.user.tz = TZ
        cls.company_b = cls.env['res.company'].create({'name': 'Shop B', 'country_id': cls.vn.id, 'currency_id': cls.vnd.id})
        cls.company.currency_id = cls.vnd  # no-op when the chart already is in VND
        cls.zalo_a = cls._create_provider('sandbox', 'zalo', name="Zalo A")
        cls.sms_a = cls._create_provider('sandbox', 'sms', name="SMS A")
        cls.sms_b = cls._create_provider('sandbox', 'sms', name="SMS B", company_id=cls.company_b.id)
        cls.seller = new_test_user(cls.env, 'report_seller', groups='sales_team.group_sale_salesman', tz=TZ)
        cls.team = cls.env['crm.team'].create({'name': 'Đội Hà Nội'})
        cls.manager_a = new_test_user(
            cls.env, 'report_manager_a', groups='sales_team.group_sale_manager', tz=TZ,
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.manager_all = new_test_user(
            cls.env, 'report_manager_all', groups='sales_team.group_sale_manager', tz=TZ,
            company_id=cls.company.id, company_ids=[cls.company.id, cls.company_b.id],
        )
        cls.accountant = new_test_user(
            cls.env, 'report_accountant', groups='account.group_account_invoice,base.group_allow_export', tz=TZ,
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.auditor = new_test_user(
            cls.env, 'report_auditor', groups='account.group_account_readonly,base.group_allow_export', tz=TZ,
            company_id=cls.company.id, company_ids=[cls.company.id],
        )

        jan, feb = datetime(2025, 1, 10, 3, 0), datetime(2025, 2, 10, 3, 0)
        msg = cls._create_report_message
        cls.m = {
            1: msg(jan, cls.zalo_a, 'placed', 'delivered', cost=300, cost_source='provider', sent=True,
                   user_id=cls.seller.id, team_id=cls.team.id),
            2: msg(jan, cls.zalo_a, 'paid', 'delivered', cost=300, cost_source='estimate', sent=True),
            3: msg(jan, cls.zalo_a, 'shipped', 'failed', sent=True, user_id=cls.seller.id, team_id=cls.team.id),
            4: msg(jan, cls.sms_a, 'placed', 'sent', cost=850, cost_source='estimate', sent=True, segment_count=2),
            5: msg(jan, cls.sms_a, 'placed', 'failed'),
            6: msg(jan, cls.sms_a, 'paid', 'queued'),
            7: msg(jan, cls.zalo_a, 'shipped', 'queued', reason_code='quiet_hours'),
            8: msg(jan, cls.zalo_a, 'delivered', 'skipped', reason_code='no_provider'),
            9: msg(jan, cls.sms_a, 'cancelled', 'cancelled'),
            10: msg(jan, cls.zalo_a, 'placed', 'delivered', cost=300, cost_source='estimate', sent=True, is_test=True),
            11: msg(datetime(2025, 1, 31, 18, 0), cls.sms_a, 'placed', 'delivered', cost=850, cost_source='provider', sent=True),
            12: msg(feb, cls.zalo_a, 'delivered', 'delivered', cost=300, cost_source='provider', sent=True),
            13: msg(feb, cls.sms_a, 'placed', 'delivered', cost=1700, cost_source='provider', sent=True, segment_count=2),
            14: msg(jan, cls.sms_b, 'placed', 'delivered', cost=1000, cost_source='provider', sent=True),
            15: msg(jan, cls.sms_b, 'paid', 'failed'),
        }
        cls.env['order.notify.message'].flush_model()

    @classmethod
    def _create_report_message(cls, when, provider, event, state, sent=False, **values):
        cls._report_message_seq = getattr(cls, '_report_message_seq', 0) + 1
        message = cls.env['order.notify.message'].sudo().create({
            'order_name': f'S{cls._report_message_seq:05d}',
            'company_id': provider.company_id.id,
            'event': event,
            'channel': provider.channel,
            'provider_id': provider.id,
            'state': state,
            'currency_id': cls.vnd.id,
            'phone': '+84912345678',
            'provider_message_ref': f'ref-{cls._report_message_seq}' if sent else False,
            'sent_date': when if sent else False,
            'idempotency_key': f'osn-report-test-{cls._report_message_seq}',
            **values,
        })
        # create_date is the ORM's; the statistics count by it, so set it like time passed.
        message.flush_recordset()
        cls.env.cr.execute(SQL("UPDATE order_notify_message SET create_date = %s WHERE id = %s", when, message.id))
        message.invalidate_recordset(['create_date'])
        return message

    def _stats(self, user, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31), **filters):
        return self.env['order.notify.statistics'].with_user(user).create({
            'date_from': date_from, 'date_to': date_to, **filters,
        })

    def _figures(self, stats):
        return {
            'sent': stats.sent_count, 'success': stats.success_count, 'failed': stats.failed_count,
            'processing': stats.processing_count, 'deferred': stats.deferred_count,
            'skipped': stats.skipped_count, 'cost': stats.cost, 'rate': round(stats.delivery_rate, 2),
        }

    # === STATISTICS === #

    def test_statistics_figures_of_a_month(self):
        stats = self._stats(self.manager_a)
        self.assertEqual(self._figures(stats), {
            'sent': 6, 'success': 3, 'failed': 2, 'processing': 1, 'deferred': 1, 'skipped': 2,
            'cost': 1450.0, 'rate': 50.0,  # delivered 1, 2 out of accepted 1, 2, 3, 4
        })
        self.assertEqual(stats.currency_id, self.vnd)
        # February in Vietnam time starts at 2025-01-31 17:00 UTC: message 11 belongs to it.
        february = self._stats(self.manager_a, date(2025, 2, 1), date(2025, 2, 28))
        self.assertEqual(self._figures(february), {
            'sent': 3, 'success': 3, 'failed': 0, 'processing': 0, 'deferred': 0, 'skipped': 0,
            'cost': 2850.0, 'rate': 100.0,
        })

    def test_statistics_filters(self):
        self.assertEqual(self._figures(self._stats(self.manager_a, channel='zalo')), {
            'sent': 3, 'success': 2, 'failed': 1, 'processing': 0, 'deferred': 1, 'skipped': 1,
            'cost': 600.0, 'rate': 66.67,
        })
        self.assertEqual(self._figures(self._stats(self.manager_a, provider_id=self.sms_a.id)), {
            'sent': 3, 'success': 1, 'failed': 1, 'processing': 1, 'deferred': 0, 'skipped': 1,
            'cost': 850.0, 'rate': 0.0,
        })
        self.assertEqual(self._figures(self._stats(self.manager_a, event='placed')), {
            'sent': 3, 'success': 2, 'failed': 1, 'processing': 0, 'deferred': 0, 'skipped': 0,
            'cost': 1150.0, 'rate': 50.0,
        })
        for filters in ({'user_id': self.seller.id}, {'team_id': self.team.id}):
            self.assertEqual(self._figures(self._stats(self.manager_a, **filters)), {
                'sent': 2, 'success': 1, 'failed': 1, 'processing': 0, 'deferred': 0, 'skipped': 0,
                'cost': 300.0, 'rate': 50.0,
            })
        self.assertEqual(self._figures(self._stats(self.manager_all, company_id=self.company_b.id)), {
            'sent': 2, 'success': 1, 'failed': 1, 'processing': 0, 'deferred': 0, 'skipped': 0,
            'cost': 1000.0, 'rate': 100.0,
        })

    def test_each_figure_opens_the_messages_it_counts(self):
        stats = self._stats(self.manager_a)
        search_view = self.env.ref('order_status_notify.order_notify_message_view_search')
        filters = {
            node.get('name'): safe_eval(node.get('domain'))
            for node in etree.fromstring(search_view.arch).iter('filter') if node.get('domain')
        }
        Message = self.env['order.notify.message'].with_user(self.manager_a)
        expected = {
            'sent': (1, 2, 3, 4, 5, 6), 'success': (1, 2, 4), 'failed': (3, 5), 'processing': (6,),
            'deferred': (7,), 'skipped': (8, 9), 'cost': (1, 2, 4),
        }
        for figure, numbers in expected.items():
            action = stats.with_context(order_notify_figure=figure).action_open_messages()
            self.assertEqual(action['res_model'], 'order.notify.message')
            # Filters of the same group of the search view are OR-ed, as the web client does.
            facets = [filters[key[len('search_default_'):]] for key in action['context'] if key.startswith('search_default_')]
            domain = list(action['domain'])
            if facets:
                domain += ['|'] * (len(facets) - 1) + [leaf for facet in facets for leaf in (['&'] * (len(facet) - 1) + facet)]
            self.assertEqual(
                Message.search(domain), Message.browse([self.m[n].id for n in numbers]),
                f"figure {figure} opens other messages than it counts",
            )

    def test_graph_and_delivery_rate_per_channel_and_event(self):
        stats = self._stats(self.manager_a)
        Report = self.env['order.notify.report'].with_user(self.manager_a)
        graph = stats.action_open_graph()
        self.assertEqual(graph['res_model'], 'order.notify.report')
        per_day = {
            (str(day)[:10], channel): count
            for day, channel, count in Report._read_group(graph['domain'], ['date:day', 'channel'], ['__count'])
        }
        self.assertEqual(per_day, {('2025-01-10', 'zalo'): 5, ('2025-01-10', 'sms'): 4})
        rate = stats.action_open_delivery_rate()
        per_channel = dict(Report._read_group(rate['domain'], ['channel'], ['delivery_rate:avg']))
        self.assertAlmostEqual(per_channel['zalo'], 200 / 3)  # delivered 1, 2 out of 1, 2, 3
        self.assertEqual(per_channel['sms'], 0.0)  # 4 was accepted, not (yet) delivered; 5 never left
        per_event = dict(Report._read_group(rate['domain'], ['event'], ['delivery_rate:avg']))
        self.assertEqual(
            {event: value for event, value in per_event.items() if value is not False},  # False: nothing accepted
            {'placed': 50.0, 'paid': 100.0, 'shipped': 0.0},
        )

    # === COST REPORT === #

    def _cost_pivot(self, user):
        action = self.env['ir.actions.act_window']._for_xml_id('order_status_notify.action_order_notify_report_cost')
        self.assertEqual(safe_eval(action['context'])['search_default_filter_billed'], 1)
        search_view = self.env.ref('order_status_notify.order_notify_report_view_search')
        billed = safe_eval(etree.fromstring(search_view.arch).find(".//filter[@name='filter_billed']").get('domain'))
        return {
            (str(month)[:7], provider.name, channel, currency.name): (count, segments, cost)
            for month, provider, channel, currency, count, segments, cost in self.env['order.notify.report'].with_user(user)._read_group(
                billed, ['sent_day:month', 'provider_id', 'channel', 'currency_id'],
                ['__count', 'segment_count:sum', 'cost:sum'],
            )
        }

    def test_cost_pivot_by_month_provider_channel(self):
        self.assertEqual(self._cost_pivot(self.manager_all), {
            ('2025-01', 'Zalo A', 'zalo', 'VND'): (3, 3, 900.0),  # 1, 2 and the test message 10
            ('2025-01', 'SMS A', 'sms', 'VND'): (1, 2, 850.0),
            ('2025-01', 'SMS B', 'sms', 'VND'): (1, 1, 1000.0),
            ('2025-02', 'Zalo A', 'zalo', 'VND'): (1, 1, 300.0),
            ('2025-02', 'SMS A', 'sms', 'VND'): (2, 3, 2550.0),  # 11 (sent 1 Feb in Vietnam) and 13
        })

    def test_cost_summary_pdf(self):
        summary = self.env['order.notify.cost.summary'].with_user(self.accountant).create({
            'date_from': date(2025, 1, 1), 'date_to': date(2025, 1, 31),
        })
        self.assertEqual(summary.company_id, self.company)
        totals = summary._get_lines()
        self.assertEqual(
            [(line['provider'], line['channel'], line['count'], line['segments'], line['cost']) for line in totals['lines']],
            [(self.zalo_a, 'zalo', 3, 3, 900.0), (self.sms_a, 'sms', 1, 2, 850.0)],
        )
        self.assertEqual(
            [(t['channel'], t['count'], t['segments'], t['cost']) for t in totals['channel_totals']],
            [('sms', 1, 2, 850.0), ('zalo', 3, 3, 900.0)],
        )
        self.assertEqual(
            [(t['currency'], t['count'], t['segments'], t['cost']) for t in totals['currency_totals']],
            [(self.vnd, 4, 5, 1750.0)],
        )
        action = summary.action_print()
        self.assertEqual(action['report_name'], 'order_status_notify.report_order_notify_cost_summary')
        html = self.env['ir.actions.report'].with_user(self.accountant)._render_qweb_html(
            'order_status_notify.report_order_notify_cost_summary', summary.ids,
        )[0].decode()
        for text in ('Notification Cost Summary', 'Zalo A', 'SMS A', 'Zalo ZNS'):
            self.assertIn(text, html)
        self.assertNotIn('SMS B', html)

    def test_billed_list_matches_the_provider_invoice(self):
        action = self.env['ir.actions.act_window'].with_user(self.accountant)._for_xml_id(
            'order_status_notify.action_order_notify_message_billed',
        )
        Message = self.env['order.notify.message'].with_user(self.accountant)
        # January in the shop's timezone: message 11, sent 2025-01-31 18:00 UTC, is billed in February.
        january = [('sent_day', '>=', '2025-01-01'), ('sent_day', '<=', '2025-01-31')]
        billed = Message.search(safe_eval(action['domain']) + january, order='sent_date, id')
        self.assertEqual(billed, Message.browse([self.m[n].id for n in (1, 2, 4, 10)]))
        self.assertEqual(sum(billed.mapped('cost')), 1750.0)
        # Export it as the list's "Export" does (XLSX), as the accountant.
        fields = ['provider_message_ref', 'sent_date', 'phone', 'provider_id', 'channel', 'segment_count', 'cost']
        rows = billed.export_data(fields)['datas']
        self.assertEqual(rows[0][:3], ['ref-1', datetime(2025, 1, 10, 10, 0), '+84912345678'])  # in the user's timezone
        self.assertEqual([row[6] for row in rows], [300.0, 300.0, 850.0, 300.0])
        with patch('odoo.addons.web.controllers.export.request', SimpleNamespace(env=billed.env)):
            xlsx = ExcelExport().from_data([{'name': f, 'label': f, 'type': 'char'} for f in fields], fields, rows)
        self.assertEqual(xlsx[:2], b'PK')

    # === COST FIELDS === #

    def test_costs_are_reliable(self):
        # A provider-reported price replaces the estimate.
        sent = self.m[4]
        sent._order_notify_process_report('delivered', cost=900)
        self.assertRecordValues(sent, [{'state': 'delivered', 'cost': 900.0, 'cost_source': 'provider'}])
        # A sent message the provider could not deliver and does not charge (ZNS) costs nothing.
        zns = self._create_report_message(
            datetime(2025, 1, 12), self.zalo_a, 'placed', 'sent', cost=300, cost_source='estimate', sent=True,
        )
        zns._order_notify_process_report('failed', cost=0)
        self.assertRecordValues(zns, [{'state': 'failed', 'cost': 0.0, 'cost_source': 'none'}])
        # A failed SMS that the provider did charge keeps its cost.
        sms = self._create_report_message(
            datetime(2025, 1, 12), self.sms_a, 'placed', 'sent', cost=850, cost_source='estimate', sent=True,
        )
        sms._order_notify_process_report('failed')
        self.assertRecordValues(sms, [{'state': 'failed', 'cost': 850.0, 'cost_source': 'estimate'}])
        # A message skipped by the dispatcher was never charged.
        self.zalo_a.unit_cost = 300
        order = self._create_order(partner=self.customer.copy({'mobile': False, 'phone': False}))
        order.action_confirm()
        self._dispatch()
        skipped = self._messages(order)
        self.assertEqual(skipped.mapped('state'), ['skipped'])
        self.assertRecordValues(skipped, [{'cost': 0.0, 'cost_source': 'none'}])
        # A message sent by the sandbox carries the provider's estimate.
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        self.assertRecordValues(self._messages(order), [{'state': 'delivered', 'cost': 300.0, 'cost_source': 'estimate'}])

    # === SECURITY === #

    def test_company_a_never_sees_company_b(self):
        stats = self._stats(self.manager_a, company_id=self.company_b.id)
        self.assertEqual(self._figures(stats)['sent'], 0)
        self.assertEqual(self._figures(stats)['cost'], 0.0)
        for user in (self.manager_a, self.accountant, self.auditor):
            pivot = self._cost_pivot(user)
            self.assertNotIn('SMS B', {key[1] for key in pivot}, user.login)
            Report = self.env['order.notify.report'].with_user(user)
            self.assertFalse(Report.search([('company_id', '=', self.company_b.id)]), user.login)
            self.assertEqual(Report._read_group([], [], ['cost:sum'])[0][0], 300 * 4 + 850 * 2 + 1700, user.login)
            with self.assertRaises(AccessError):
                self.m[14].with_user(user).read(['cost'])

    def test_salesperson_counts_own_orders_only(self):
        own = self._create_order(user_id=self.seller.id)
        other = self._create_order(user_id=self.manager_a.id)
        (own | other).action_confirm()
        self._dispatch()
        Report = self.env['order.notify.report'].with_user(self.seller)
        self.assertEqual(Report.search([('order_id', 'in', (own | other).ids)]).order_id, own)

    def test_accountant_reads_and_exports_but_cannot_configure(self):
        menus = self.env['ir.ui.menu'].with_user(self.accountant)._visible_menu_ids()
        for xmlid in ('menu_order_notify_report_cost_account', 'menu_order_notify_message_billed', 'menu_order_notify_cost_summary'):
            self.assertIn(self.env.ref(f'order_status_notify.{xmlid}').id, menus, xmlid)
        self.assertNotIn(self.env.ref('order_status_notify.menu_order_notify_config').id, menus)
        for user in (self.accountant, self.auditor):
            # The cost pivot and the billed list open, with their views.
            Report = self.env['order.notify.report'].with_user(user)
            Report.get_views([(False, 'pivot'), (False, 'list'), (False, 'graph'), (False, 'search')])
            Message = self.env['order.notify.message'].with_user(user)
            Message.get_views([(False, 'list'), (False, 'form'), (False, 'search')])
            message = self.m[1].with_user(user)
            form = message.web_read({
                'provider_id': {'fields': {'display_name': {}}}, 'template_id': {'fields': {'display_name': {}}},
                'order_id': {'fields': {'display_name': {}}}, 'cost': {}, 'currency_id': {'fields': {}},
                'provider_message_ref': {}, 'phone': {},
            })
            self.assertEqual(form[0]['provider_id']['display_name'], 'Zalo A')
            self.assertEqual(message.provider_id.with_user(user).name, 'Zalo A')
            # ... but never change the configuration, nor the log.
            with self.assertRaises(AccessError):
                self.zalo_a.with_user(user).write({'unit_cost': 1})
            with self.assertRaises(AccessError):
                self.env['order.notify.provider'].with_user(user).create({'name': 'x', 'channel': 'sms'})
            with self.assertRaises(AccessError):
                message.write({'cost': 1})
            with self.assertRaises(AccessError):
                self.env['order.notify.statistics'].with_user(user).create({})
