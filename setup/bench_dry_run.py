#!/usr/bin/env python3
# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Time the notifications preview (*Settings › Order Notifications › Preview*) on N synthetic orders.

Works in an existing database with ``order_status_notify`` installed (e.g. the one of
``OSN_TEST_DB`` or the demo), inside ONE transaction that is rolled back at the end: nothing
stays. Creates N confirmed orders of the last 30 days (default 10,000) for buyers with a mobile,
without a phone, with a landline or opted out, enables a sandbox provider per channel, then
times ``order.notify.dry.run.action_run`` and prints its figures.

    PYTHONPATH=/opt/odoo .venv/bin/python setup/bench_dry_run.py --database osn_dev
    ... --orders 2000 --addons-path /opt/odoo/addons,.
Run it under the shared lock when other Odoo processes share the machine.
"""

import argparse
import os
import sys
import time
from datetime import timedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--database', required=True, help="a database with order_status_notify installed")
    parser.add_argument('--orders', type=int, default=10_000, help="synthetic orders (default: 10,000)")
    parser.add_argument('--odoo', default=os.environ.get('ODOO_SRC', '/opt/odoo'), help="the Odoo 18.0 source folder")
    parser.add_argument('--addons-path', default=None, help="default: <odoo>/addons,<this repository>")
    parser.add_argument('--profile', type=int, default=0, metavar='N',
                        help="also profile the preview (cProfile) and print its N most expensive functions")
    return parser.parse_args()


def create_orders(env, count):
    """``count`` confirmed orders (state written directly: no deliveries), 1 line each, spread
    over the last 30 days, for 200 buyers of four kinds."""
    from odoo import fields  # noqa: PLC0415

    company = env.company
    vn = env.ref('base.vn')
    vnd = env.ref('base.VND')
    vnd.active = True
    env['res.lang']._activate_lang('vi_VN')
    partners = env['res.partner'].create([
        {
            'name': f"Khách {i:03d}",
            'country_id': vn.id,
            'lang': 'vi_VN',
            **[
                {'mobile': f"09{i:08d}"},
                {'mobile': f"03{i:08d}"},
                {},
                {'phone': f"028 38{i:06d}"},
                {'mobile': f"07{i:08d}", 'order_notify_opt_out': True},
            ][i % 5],
        }
        for i in range(200)
    ])
    product = env['product.product'].create({'name': "Áo thun", 'type': 'consu', 'list_price': 189000.0})
    pricelist = env['product.pricelist'].create({'name': 'VND bench', 'currency_id': vnd.id})
    now = fields.Datetime.now()
    orders = env['sale.order']
    for start in range(0, count, 1000):
        orders |= env['sale.order'].create([
            {
                'partner_id': partners[n % len(partners)].id,
                'pricelist_id': pricelist.id,
                'company_id': company.id,
                'date_order': now - timedelta(minutes=(n * 4321) % (29 * 24 * 60)),
                'order_line': [(0, 0, {'product_id': product.id, 'product_uom_qty': 1 + n % 3})],
            }
            for n in range(start, min(start + 1000, count))
        ])
    orders.flush_recordset()
    env.cr.execute("UPDATE sale_order SET state = 'sale' WHERE id = ANY(%s)", [orders.ids])
    env.invalidate_all()
    return orders


def main():
    args = parse_args()
    sys.path.insert(0, args.odoo)
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config([
        '--addons-path', args.addons_path or f"{args.odoo}/addons,{REPO}", '-d', args.database,
    ])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {'tz': 'Asia/Ho_Chi_Minh'})
        try:
            Provider = env['order.notify.provider']
            Provider.search([]).write({'state': 'disabled'})
            for channel, cost in (('zalo', 300.0), ('sms', 850.0)):
                Provider.create({
                    'name': f"Bench {channel}", 'code': 'sandbox', 'channel': channel, 'state': 'enabled',
                    'unit_cost': cost, 'company_id': env.company.id,
                })
            started = time.monotonic()
            orders = create_orders(env, args.orders)
            print(f"created {len(orders)} orders in {time.monotonic() - started:.1f} s")
            dry_run = env['order.notify.dry.run'].create({'days': 30})
            env.invalidate_all()  # nothing of the orders in memory: as when an admin clicks the button
            started = time.monotonic()
            dry_run.action_run()
            duration = time.monotonic() - started
            print(f"preview of {dry_run.order_count} orders: {duration:.2f} s")
            print(f"  messages {dry_run.message_count}, skipped {dry_run.skipped_count}, "
                  f"waiting for sending hours {dry_run.deferred_count}, SMS segments {dry_run.segment_count}, "
                  f"cost {dry_run.cost:,.0f} {dry_run.currency_id.name}, per month {dry_run.cost_per_month:,.0f}")
            for line in dry_run.line_ids:
                print(f"  {line.kind:8} {line.event or '':10} {line.channel or '':5} {line.reason or '':60} {line.count:6}")
            if args.profile:
                import cProfile  # noqa: PLC0415
                import pstats  # noqa: PLC0415
                env.invalidate_all()
                profiler = cProfile.Profile()
                profiler.runcall(env['order.notify.dry.run'].create({'days': 30}).action_run)
                pstats.Stats(profiler).sort_stats('cumulative').print_stats(args.profile)
        finally:
            cr.rollback()


if __name__ == '__main__':
    main()
