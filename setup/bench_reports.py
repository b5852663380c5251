#!/usr/bin/env python3
# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Time the order notification reports over a big message log.

Fills ONE database of its own (default ``osn_bench``; created and installed with
``order_status_notify`` when missing) with N synthetic messages (default 1,000,000) spread over
the last 12 months, 2 companies, 3 providers, both channels, every event and state, runs
ANALYZE, then times the exact queries the report views run (as the admin user, with record
rules and the Vietnamese timezone) and prints a table. No other database is touched.

    PYTHONPATH=/opt/odoo .venv/bin/python setup/bench_reports.py                # 1,000,000 rows
    PYTHONPATH=/opt/odoo .venv/bin/python setup/bench_reports.py --rows 100000  # quicker
    ... --database my_bench --addons-path /opt/odoo/addons,. --repeat 7

The rows are refilled only when their count differs from ``--rows`` (``--refill`` forces it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date

from dateutil.relativedelta import relativedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TZ = 'Asia/Ho_Chi_Minh'
BENCH_KEY_PREFIX = 'osn-bench-'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--database', default='osn_bench', help="the benchmark's own database (default: osn_bench)")
    parser.add_argument('--rows', type=int, default=1_000_000, help="synthetic messages (default: 1,000,000)")
    parser.add_argument('--repeat', type=int, default=5, help="runs per query; the table shows the median and the best")
    parser.add_argument('--refill', action='store_true', help="delete and insert the synthetic messages again")
    parser.add_argument('--odoo', default=os.environ.get('ODOO_SRC', '/opt/odoo'), help="the Odoo 18.0 source folder")
    parser.add_argument('--addons-path', default=None, help="default: <odoo>/addons,<this repository>")
    return parser.parse_args()


def ensure_database(args):
    """Create the database with the addon installed, or update the addon, through odoo-bin."""
    import psycopg2  # noqa: PLC0415 - after sys.path is set

    with psycopg2.connect(dbname='postgres') as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        exists = bool(cr.fetchone())
    conn.close()
    installed = False
    if exists:
        with psycopg2.connect(dbname=args.database) as conn, conn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
            if cr.fetchone()[0]:
                cr.execute("SELECT state FROM ir_module_module WHERE name = 'order_status_notify'")
                row = cr.fetchone()
                installed = bool(row and row[0] == 'installed')
        conn.close()
    mode = ['-u', 'order_status_notify'] if installed else ['-i', 'order_status_notify', '--without-demo=all']
    print(f"{'Updating' if installed else 'Installing'} order_status_notify in {args.database} …", flush=True)
    subprocess.run([
        sys.executable, os.path.join(args.odoo, 'odoo-bin'), '-d', args.database, f'--addons-path={args.addons_path}',
        *mode, '--stop-after-init', '--log-level=warn',
    ], check=True)


def prepare(env):
    """Two companies, their providers and a few salespeople and teams, once."""
    Company = env['res.company']
    company_a = env.ref('base.main_company')
    company_b = Company.search([('name', '=', 'Bench Shop B')], limit=1) or Company.create({'name': 'Bench Shop B'})
    vnd = env.ref('base.VND')
    vnd.active = True
    admin = env.ref('base.user_admin')
    admin.write({'tz': TZ, 'company_ids': [(4, company_b.id)]})
    Provider = env['order.notify.provider']
    providers = {}
    for key, name, channel, company in (
        ('zalo_a', 'Bench Zalo A', 'zalo', company_a), ('sms_a', 'Bench SMS A', 'sms', company_a),
        ('zalo_b', 'Bench Zalo B', 'zalo', company_b), ('sms_b', 'Bench SMS B', 'sms', company_b),
    ):
        providers[key] = Provider.search([('name', '=', name)], limit=1) or Provider.create({
            'name': name, 'channel': channel, 'company_id': company.id, 'currency_id': vnd.id,
        })
    users = env['res.users'].search([('login', 'like', 'bench_seller_')])
    if len(users) < 5:
        users = env['res.users'].with_context(no_reset_password=True).create([
            {'name': f'Bench Seller {i}', 'login': f'bench_seller_{i}'} for i in range(5)
        ])
    teams = env['crm.team'].search([('name', 'like', 'Bench Team')])
    if len(teams) < 3:
        teams = env['crm.team'].create([{'name': f'Bench Team {i}'} for i in range(3)])
    env.cr.commit()
    return company_a, company_b, providers, users, teams, vnd


def fill(env, rows, company_a, company_b, providers, users, teams, vnd, refill=False):
    """Insert ``rows`` synthetic messages with one INSERT … SELECT generate_series.

    Distribution: 12 months back from now, uniform; 80 % company A; 70 % Zalo; states
    delivered 70 %, sent 12 %, failed 6 %, unknown 1 %, skipped 6 %, cancelled 1 %, queued 3 %
    (half of them deferred), sending 1 %; a failed Zalo message that left is not charged, an
    SMS is charged per segment (1-3) once sent."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM order_notify_message WHERE idempotency_key LIKE %s", [BENCH_KEY_PREFIX + '%'])
    existing = cr.fetchone()[0]
    if existing == rows and not refill:
        print(f"Reusing the {existing:,} synthetic messages of the database.", flush=True)
        return
    print(f"Deleting {existing:,} synthetic messages, inserting {rows:,} …", flush=True)
    # The self-referencing fallback_from_id (ON DELETE SET NULL, no index) would make PostgreSQL
    # scan the table once per deleted row; synthetic rows are never referenced: skip the check.
    cr.execute("SET LOCAL session_replication_role = replica")
    cr.execute("DELETE FROM order_notify_message WHERE idempotency_key LIKE %s", [BENCH_KEY_PREFIX + '%'])
    cr.execute("SET LOCAL session_replication_role = DEFAULT")
    started = time.perf_counter()
    cr.execute("""
        WITH base AS (
            SELECT g,
                   (now() AT TIME ZONE 'UTC') - random() * interval '365 days' AS created,
                   random() AS r_company, random() AS r_channel, random() AS r_state, random() AS r_event,
                   random() AS r_user, random() AS r_seg, random() AS r_deferred
              FROM generate_series(1, %(rows)s) g
        ), shaped AS (
            SELECT b.*,
                   CASE WHEN r_company < 0.8 THEN %(company_a)s ELSE %(company_b)s END AS company_id,
                   CASE WHEN r_channel < 0.7 THEN 'zalo' ELSE 'sms' END AS channel,
                   CASE
                       WHEN r_state < 0.70 THEN 'delivered' WHEN r_state < 0.82 THEN 'sent'
                       WHEN r_state < 0.88 THEN 'failed' WHEN r_state < 0.89 THEN 'unknown'
                       WHEN r_state < 0.95 THEN 'skipped' WHEN r_state < 0.96 THEN 'cancelled'
                       WHEN r_state < 0.99 THEN 'queued' ELSE 'sending'
                   END AS state,
                   (ARRAY['placed', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + floor(r_event * 5)::int] AS event,
                   CASE WHEN r_seg < 0.7 THEN 1 WHEN r_seg < 0.95 THEN 2 ELSE 3 END AS segments
              FROM base b
        ), costed AS (
            SELECT s.*,
                   (state IN ('sent', 'delivered', 'unknown') OR (state = 'failed' AND r_deferred < 0.5)) AS has_left,
                   CASE
                       WHEN channel = 'zalo' AND state = 'delivered' THEN 'provider'
                       WHEN channel = 'sms' AND (state IN ('sent', 'delivered', 'unknown') OR (state = 'failed' AND r_deferred < 0.5))
                           THEN 'estimate'
                       ELSE 'none'
                   END AS cost_source
              FROM shaped s
        )
        INSERT INTO order_notify_message (
            order_name, company_id, user_id, team_id, event, channel, provider_id, is_test, phone, state,
            is_deferred, reason_code, attempt_count, next_attempt_at, sent_date, sent_day, delivered_date, segment_count,
            cost, currency_id, cost_source, idempotency_key, create_uid, create_date, write_uid, write_date
        )
        SELECT 'S' || lpad(g::text, 7, '0'),
               company_id,
               (%(users)s::int[])[1 + floor(r_user * %(n_users)s)::int],
               (%(teams)s::int[])[1 + floor(r_user * %(n_teams)s)::int],
               event, channel,
               CASE
                   WHEN company_id = %(company_a)s AND channel = 'zalo' THEN %(zalo_a)s
                   WHEN company_id = %(company_a)s THEN %(sms_a)s
                   WHEN channel = 'zalo' THEN %(zalo_b)s ELSE %(sms_b)s
               END,
               FALSE,
               '+849' || lpad((g %% 100000000)::text, 8, '0'),
               state,
               state = 'queued' AND r_deferred < 0.5,
               CASE
                   WHEN state = 'queued' AND r_deferred < 0.5 THEN 'quiet_hours'
                   WHEN state = 'skipped' THEN 'no_phone'
                   WHEN state = 'failed' AND NOT has_left THEN 'invalid'
                   WHEN state = 'failed' THEN 'not_delivered'
               END,
               CASE WHEN has_left OR state = 'failed' THEN 1 ELSE 0 END,
               created,
               CASE WHEN has_left THEN created + interval '1 minute' END,
               CASE WHEN has_left THEN ((created + interval '1 minute') AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date END,
               CASE WHEN state = 'delivered' THEN created + interval '2 minutes' END,
               CASE WHEN channel = 'sms' THEN segments ELSE 1 END,
               CASE
                   WHEN cost_source = 'provider' THEN 300
                   WHEN cost_source = 'estimate' THEN 850 * segments
                   ELSE 0
               END,
               %(vnd)s,
               cost_source,
               %(prefix)s || g,
               1, created, 1, created
          FROM costed
      ORDER BY created  -- a log is appended in time order: a month's rows sit together
    """, {
        'rows': rows, 'company_a': company_a.id, 'company_b': company_b.id,
        'users': users.ids, 'n_users': len(users), 'teams': teams.ids, 'n_teams': len(teams),
        'zalo_a': providers['zalo_a'].id, 'sms_a': providers['sms_a'].id,
        'zalo_b': providers['zalo_b'].id, 'sms_b': providers['sms_b'].id,
        'vnd': vnd.id, 'prefix': BENCH_KEY_PREFIX, 'tz': TZ,
    })
    cr.commit()
    print(f"Inserted {rows:,} rows in {time.perf_counter() - started:.1f} s.", flush=True)


def vacuum_analyze(database):
    """VACUUM (what autovacuum does to an append-mostly log) and ANALYZE the message table."""
    import psycopg2  # noqa: PLC0415

    conn = psycopg2.connect(dbname=database)
    conn.autocommit = True
    with conn.cursor() as cr:
        started = time.perf_counter()
        cr.execute("VACUUM ANALYZE order_notify_message")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s.", flush=True)
    conn.close()


def timed(env, func, repeat):
    """Run ``func`` ``repeat`` times (after one warm-up), with an empty ORM cache each time."""
    env.invalidate_all()
    result = func()
    durations = []
    for _i in range(repeat):
        env.invalidate_all()
        started = time.perf_counter()
        func()
        durations.append(time.perf_counter() - started)
    return result, statistics.median(durations), min(durations)


def benchmark(env, company_a, providers, repeat):
    Report = env['order.notify.report']
    Message = env['order.notify.message']
    month_start = date.today().replace(day=1) - relativedelta(months=1)
    month_end = month_start + relativedelta(months=1, days=-1)
    period = {'date_from': month_start, 'date_to': month_end}
    stats = env['order.notify.statistics'].create(period)
    stats_zalo = env['order.notify.statistics'].create({**period, 'channel': 'zalo'})
    stats_narrow = env['order.notify.statistics'].create({
        **period, 'provider_id': providers['sms_a'].id, 'event': 'shipped', 'company_id': company_a.id,
    })
    summary = env['order.notify.cost.summary'].create({**period, 'company_id': company_a.id})
    billed = [('cost_source', 'in', ('estimate', 'provider'))]  # the "Billed" filter of the cost report
    cost_groupby = ['sent_day:month', 'provider_id', 'currency_id', 'channel']
    cost_aggregates = ['__count', 'segment_count:sum', 'cost:sum']

    def figures(record):
        def run():
            record.invalidate_recordset()
            return record.read(['sent_count', 'success_count', 'failed_count', 'processing_count',
                                'deferred_count', 'skipped_count', 'cost', 'delivery_rate'])[0]
        return run

    billed_list_domain = billed + [('sent_day', '>=', month_start), ('sent_day', '<=', month_end)]
    queries = [
        ("Statistics: 5 figures + deferred/skipped + rate, last month", figures(stats)),
        ("Statistics, channel = Zalo", figures(stats_zalo)),
        ("Statistics, provider + event + company", figures(stats_narrow)),
        ("Graph: messages per day by channel, last month",
         lambda: Report._read_group(stats._get_domain('date'), ['date:day', 'channel'], ['__count'])),
        ("Pivot: delivery rate per channel x event, last month",
         lambda: Report._read_group(stats._get_domain('date'), ['channel', 'event'], ['__count', 'delivery_rate:avg'])),
        ("Cost pivot: month x provider x currency x channel, all rows (view)",
         lambda: Report._read_group(billed, cost_groupby, cost_aggregates)),
        ("Cost pivot, same on order.notify.message (no view)",
         lambda: Message._read_group(billed, cost_groupby, cost_aggregates)),
        ("Cost pivot x company, all rows (view)",
         lambda: Report._read_group(billed, cost_groupby + ['company_id'], cost_aggregates)),
        ("Billed list: count + first 80 rows, last month",
         lambda: (Message.search_count(billed_list_domain),
                  Message.search_read(billed_list_domain, ['provider_message_ref', 'sent_date', 'phone', 'cost'], limit=80))),
        ("PDF cost summary lines, last month, company A", summary._get_lines),
    ]
    results = []
    for label, func in queries:
        result, median, best = timed(env, func, repeat)
        results.append((label, median, best))
        print(f"  {label:<66} {median * 1000:8.1f} ms", flush=True)
    return results, stats.read(['sent_count', 'success_count', 'failed_count', 'processing_count', 'deferred_count',
                                'skipped_count', 'cost', 'delivery_rate'])[0]


def main():
    args = parse_args()
    args.addons_path = args.addons_path or f"{os.path.join(args.odoo, 'addons')},{REPO}"
    sys.path.insert(0, args.odoo)
    ensure_database(args)

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    odoo.tools.config.parse_config(['-d', args.database, f'--addons-path={args.addons_path}', '--log-level=warn'])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company_a, company_b, providers, users, teams, vnd = prepare(env)
        fill(env, args.rows, company_a, company_b, providers, users, teams, vnd, refill=args.refill)
        cr.commit()
        vacuum_analyze(args.database)
        cr.execute("SELECT count(*) FROM order_notify_message")
        total = cr.fetchone()[0]
        cr.execute("SHOW max_parallel_workers_per_gather")
        workers = cr.fetchone()[0]
        cr.commit()
        # As the admin user (record rules apply), in Vietnam time, like the web client.
        admin = env.ref('base.user_admin')
        user_env = odoo.api.Environment(cr, admin.id, {
            'tz': TZ, 'lang': 'en_US', 'allowed_company_ids': admin.company_ids.ids,
        })
        print(f"\n{total:,} messages in order_notify_message; PostgreSQL {cr.connection.server_version}, "
              f"max_parallel_workers_per_gather={workers}; median of {args.repeat} runs:", flush=True)
        results, figures = benchmark(user_env, company_a, providers, args.repeat)
        cr.rollback()  # the transient records of the benchmark
    print(f"\n| query ({total:,} rows) | median | best |")
    print("|---|---:|---:|")
    for label, median, best in results:
        print(f"| {label} | {median * 1000:.0f} ms | {best * 1000:.0f} ms |")
    print(f"\nLast month's figures: {figures}")
    slow = [label for label, median, _best in results if median >= 0.5]
    if slow:
        print(f"\nSLOWER THAN 0.5 s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
