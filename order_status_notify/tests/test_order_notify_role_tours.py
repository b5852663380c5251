# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged('post_install', '-at_install')
class TestOrderNotifyRoleTours(HttpCase):
    """Issue 15, acceptance: the notification administrator's and the accountant's tours in the
    browser (the salesperson's are in test_order_notify_tour.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vn = cls.env.ref('base.vn')
        cls.vnd = cls.env.ref('base.VND')
        cls.vnd.active = True
        cls.company = cls.env.company
        cls.company.write({
            'currency_id': cls.vnd.id,
            'country_id': cls.vn.id,
            'order_notify_tz': 'Asia/Ho_Chi_Minh',
            'order_notify_window_start': 0.0,
            'order_notify_window_end': 24.0,
        })
        # Only the sandboxes below send, whatever other addons installed; orders committed by
        # other tests (real-cursor tests, the reliability suite) are out of the preview's window.
        cls.env['order.notify.provider'].search([]).write({'state': 'disabled'})
        cls.env['sale.order'].search([]).write({'date_order': fields.Datetime.now() - timedelta(days=400)})
        Provider = cls.env['order.notify.provider']
        cls.zalo = Provider.create({
            'name': "Tour Zalo", 'code': 'sandbox', 'channel': 'zalo', 'state': 'enabled',
            'unit_cost': 300.0, 'currency_id': cls.vnd.id, 'company_id': cls.company.id,
        })
        cls.sms = Provider.create({
            'name': "Tour SMS", 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled',
            'unit_cost': 850.0, 'currency_id': cls.vnd.id, 'company_id': cls.company.id,
        })

    def test_admin_tour(self):
        """Template with the value picker and its preview, channels reordered by drag and drop,
        the preview (dry run) of the orders with the new order of channels."""
        admin = new_test_user(
            self.env, 'osn_tour_admin', tz='Asia/Ho_Chi_Minh',
            groups='sales_team.group_sale_manager,order_status_notify.group_order_notify_manager',
        )
        self.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', self.company.id), ('event', '=', 'placed'), ('channel', 'in', ('zalo', 'sms')),
        ]).write({'active': True})
        self.assertEqual(
            self.env['order.notify.route']._order_notify_get_channels('placed', self.company)[:2], ['zalo', 'sms'],
        )
        template = self.env['order.notify.template'].create({
            'name': "Tour: order placed (SMS)",
            'event': 'placed',
            'channel': 'sms',
            'provider_id': self.sms.id,
            'company_id': self.company.id,
            'body': "Shop: đơn {{ order_ref }} đã được xác nhận. ",
        })
        product = self.env['product.product'].create({'name': "Áo thun", 'type': 'consu', 'list_price': 189000.0})
        pricelist = self.env['product.pricelist'].create({'name': "VND", 'currency_id': self.vnd.id})
        customers = self.env['res.partner'].create([
            {'name': "Phạm Thu Hà", 'phone': '028 3822 1234', 'country_id': self.vn.id},
            {'name': "Nguyễn Văn An", 'mobile': '0912 345 678', 'country_id': self.vn.id},
        ])
        orders = self.env['sale.order'].create([{
            'name': f"DH-TOUR-{n}",
            'partner_id': customer.id,
            'pricelist_id': pricelist.id,
            'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 1})],
        } for n, customer in ((2, customers[0]), (1, customers[1]))])
        orders.action_confirm()  # the last one is the template's preview order

        self.start_tour('/odoo', 'order_status_notify_admin_tour', login=admin.login)

        self.assertEqual(template.body.strip(), "Shop: đơn {{ order_ref }} đã được xác nhận. {{ customer_name }}")
        self.assertEqual(
            self.env['order.notify.route']._order_notify_get_channels('placed', self.company)[:2], ['sms', 'zalo'],
        )

    def test_accountant_tour(self):
        """The dashboard's figures, the cost pivot and the printable summary, as an accountant
        who does not sell; the summary is an A4 PDF."""
        accountant = new_test_user(
            self.env, 'osn_tour_accountant', tz='Asia/Ho_Chi_Minh', groups='account.group_account_invoice',
        )
        # Messages committed by other tests (the reliability suite) are not this shop's today.
        self.env.flush_all()
        self.env.cr.execute("""
            UPDATE order_notify_message
               SET create_date = create_date - interval '400 days', sent_date = sent_date - interval '400 days',
                   sent_day = sent_day - 400
             WHERE company_id = %s
        """, [self.company.id])
        self.env.invalidate_all()
        now = fields.Datetime.now()
        Message = self.env['order.notify.message'].sudo()
        for key, provider, cost in (('zalo', self.zalo, 300.0), ('sms', self.sms, 850.0)):
            Message.create({
                'order_name': f"DH-TOUR-{key}", 'company_id': self.company.id, 'event': 'placed',
                'channel': provider.channel, 'provider_id': provider.id, 'state': 'delivered',
                'currency_id': self.vnd.id, 'phone': '+84912345678', 'cost': cost, 'cost_source': 'provider',
                'sent_date': now, 'provider_message_ref': f"tour-{key}",
                'idempotency_key': f"osn-accountant-tour-{key}",
            })

        self.start_tour('/odoo/action-order_status_notify.action_order_notify_dashboard',
                        'order_status_notify_accountant_tour', login=accountant.login)

        # The PDF the accountant downloads: the report route answers a PDF, on A4 paper.
        report = self.env.ref('order_status_notify.action_report_order_notify_cost_summary')
        self.assertEqual(report.get_paperformat().format, 'A4')
        summary = self.env['order.notify.cost.summary'].with_user(accountant).create({})
        self.authenticate(accountant.login, accountant.login)
        response = self.url_open(f"/report/pdf/{report.report_name}/{summary.id}", timeout=60)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertIn('Notification Cost Summary', response.text)  # test mode renders the body as HTML
        # The real thing, through wkhtmltopdf (which fetches the report's styles from this server).
        pdf = self.env['ir.actions.report'].with_user(accountant).with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, summary.ids,
        )[0]
        self.assertTrue(pdf.startswith(b'%PDF'), pdf[:100])
        # A4 is 595 × 842 points (wkhtmltopdf writes them with decimals).
        media_box = re.search(rb'/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]', pdf)
        self.assertTrue(media_box, "no page size in the PDF")
        self.assertAlmostEqual(float(media_box.group(1)), 595, delta=2)
        self.assertAlmostEqual(float(media_box.group(2)), 842, delta=2)
