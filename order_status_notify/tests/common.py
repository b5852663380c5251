# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT


class OrderNotifyCommon(TransactionCase):
    """A Vietnamese shop with a customer, a storable product, a carrier and enabled providers.

    Channel addons reuse it: ``cls._create_provider`` makes a provider of their code, the order
    helpers walk an order through its life, ``cls._dispatch`` runs the dispatcher once the way
    the cron does, without committing.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, **DISABLED_MAIL_CONTEXT))
        cls.vn = cls.env.ref('base.vn')
        cls.vnd = cls.env.ref('base.VND')
        cls.vnd.active = True
        cls.company = cls.env.company
        if not cls.company.chart_template:
            # Invoices need journals: a database installed without demo data has no chart yet.
            cls.env['account.chart.template'].try_loading('generic_coa', company=cls.company, install_demo=False)
        cls.company.write({
            'country_id': cls.vn.id,
            'phone': '028 3822 1234',
            'order_notify_tz': 'Asia/Ho_Chi_Minh',
            'order_notify_window_start': 0.0,
            'order_notify_window_end': 24.0,
        })
        cls.env['res.lang']._activate_lang('vi_VN')
        cls.customer = cls.env['res.partner'].create({
            'name': 'Nguyễn Văn An',
            'mobile': '0912 345 678',
            'country_id': cls.vn.id,
            'lang': 'vi_VN',
        })
        cls.product = cls.env['product.product'].create({
            'name': 'Áo thun',
            'type': 'consu',
            'is_storable': True,
            'list_price': 250000.0,
            'invoice_policy': 'order',
        })
        cls.warehouse = cls.env['stock.warehouse'].search([('company_id', '=', cls.company.id)], limit=1)
        cls.env['stock.quant']._update_available_quantity(cls.product, cls.warehouse.lot_stock_id, 100)
        cls.carrier = cls.env['delivery.carrier'].create({
            'name': 'Giao Hàng Nhanh',
            'product_id': cls.env['product.product'].create({'name': 'Phí giao hàng', 'type': 'service'}).id,
            'delivery_type': 'fixed',
            'fixed_price': 30000.0,
            'tracking_url': 'https://donhang.ghn.vn/?order_code=<shipmenttrackingnumber>',
        })
        cls.pricelist = cls.env['product.pricelist'].create({'name': 'VND', 'currency_id': cls.vnd.id})
        # Only the providers a test creates may send.
        cls.env['order.notify.provider'].search([]).write({'state': 'disabled'})

    @classmethod
    def _create_provider(cls, code='sandbox', channel='sms', **values):
        return cls.env['order.notify.provider'].create({
            'name': f"{code} {channel}",
            'code': code,
            'channel': channel,
            'state': 'enabled',
            'company_id': cls.company.id,
            **values,
        })

    def _create_order(self, partner=None, qty=2, **values):
        return self.env['sale.order'].create({
            'partner_id': (partner or self.customer).id,
            'pricelist_id': self.pricelist.id,
            'order_line': [Command.create({'product_id': self.product.id, 'product_uom_qty': qty})],
            **values,
        })

    def _ship(self, order, tracking_ref='GHN123456', qty=None, backorder=False):
        """Validate the order's open outgoing delivery with a carrier and tracking number."""
        picking = order.picking_ids.filtered(lambda p: p.state not in ('done', 'cancel'))[:1]
        picking.write({'carrier_id': self.carrier.id, 'carrier_tracking_ref': tracking_ref})
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
            move.picked = True
        ctx = {'cancel_backorder': False} if backorder else {}
        res = picking.with_context(skip_sms=True, **ctx)._action_done()
        return picking

    def _pay_invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        self.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({})._create_payments()
        return invoice

    def _dispatch(self):
        return self.env['order.notify.message']._order_notify_process_queue(auto_commit=False)

    def _messages(self, order, **domain):
        return self.env['order.notify.message'].search(
            [('order_id', '=', order.id)] + [(k, '=', v) for k, v in domain.items()], order='id',
        )
